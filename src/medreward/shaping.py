"""Length and repetition shaping: penalties that compose with the format and answer rewards.

* :class:`OverlongPenalty` (``overlong_penalty``): 0 up to ``max_completion_length - buffer``
  tokens, then linear down to ``penalty`` at ``max_completion_length`` (and beyond): DAPO's soft
  overlong punishment (Eq. 13) and TRL's ``get_soft_overlong_punishment`` with a configurable
  floor.
* :class:`RepetitionPenalty` (``repetition_penalty``): ``penalty`` times the share of repeated
  n-grams, ``1 - unique / total`` (Appendix C.2 of "Demystifying Long Chain-of-Thought
  Reasoning"; TRL's ``get_repetition_penalty_reward``, open-r1's ``repetition_penalty_reward``).

Both read a completion's reasoning field with its content (the whole generation), and both lie in
``[penalty, 0]``: they never pay for being short or varied, only charge for the failure modes.

Lengths are tokens: TRL passes every reward the ``completion_ids`` of the batch, and that is the
count :class:`OverlongPenalty` uses. Without ``completion_ids`` (a reward called outside a
trainer) it estimates ``ceil(characters / chars_per_token)``, four characters a token by default,
the usual rule of thumb for English text with BPE tokenizers; medical vocabulary tends to take
more tokens, so the estimate errs towards no penalty.

>>> overlong = OverlongPenalty(max_completion_length=100, buffer=20)
>>> overlong(completions=["x", "y"], completion_ids=[[1] * 80, [1] * 90])
[0.0, -0.5]
>>> RepetitionPenalty(ngram_size=2)(completions=["a b c d", "a a a a a"])
[0.0, -0.75]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

from medreward.reward import Reward, RewardBatch, RewardResult

__all__ = ["OverlongPenalty", "RepetitionPenalty"]


def _penalty(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"penalty must be a finite number, got {value!r}")
    if value > 0:
        raise ValueError(f"penalty must not be positive (it is the lowest score), got {value}")
    return float(value)


def _positive_int(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return value


def _full_texts(batch: RewardBatch) -> list[str]:
    # The whole generation: a reasoning field is part of what the model wrote.
    return [text if r is None else f"{r}\n{text}" for text, r in zip(batch.texts, batch.reasoning)]


def _completion_ids(batch: RewardBatch) -> list[Sequence[Any]] | None:
    ids = batch.columns.get("completion_ids")
    if ids is None:
        return None
    if isinstance(ids, (str, bytes)) or not isinstance(ids, Sequence) or len(ids) != len(batch):
        raise ValueError(
            f"completion_ids must hold one token list per completion ({len(batch)}), got {ids!r:.80}"
        )
    return list(ids)


class OverlongPenalty(Reward):
    """0 up to ``max_completion_length - buffer`` tokens, linear to ``penalty`` at the maximum.

    A completion of ``n`` tokens scores ``penalty * (n - (max_completion_length - buffer)) / buffer``
    inside the buffer, ``penalty`` at or beyond ``max_completion_length``. Set
    ``max_completion_length`` to ``GRPOConfig.max_completion_length``: TRL stops generating there, so
    a completion that reaches it was truncated.

    >>> penalty = OverlongPenalty(256, buffer=64, penalty=-0.5)
    >>> penalty(completions=["", "", ""], completion_ids=[[0] * 192, [0] * 224, [0] * 256])
    [0.0, -0.25, -0.5]
    >>> penalty(completions=["word " * 200])  # no completion_ids: 1,000 characters = 250 tokens
    [-0.453125]
    """

    def __init__(
        self,
        max_completion_length: int,
        buffer: int,
        penalty: float = -1.0,
        *,
        chars_per_token: float = 4.0,
        name: str = "overlong_penalty",
    ) -> None:
        super().__init__(name)
        self.max_completion_length = _positive_int(max_completion_length, "max_completion_length")
        self.buffer = _positive_int(buffer, "buffer")
        if self.buffer > self.max_completion_length:
            raise ValueError(
                f"buffer ({buffer}) must not exceed max_completion_length ({max_completion_length})"
            )
        self.penalty = _penalty(penalty)
        if not (isinstance(chars_per_token, (int, float)) and math.isfinite(chars_per_token)) or (
            chars_per_token <= 0
        ):
            raise ValueError(f"chars_per_token must be a positive number, got {chars_per_token!r}")
        self.chars_per_token = float(chars_per_token)

    @property
    def bounds(self) -> tuple[float, float]:
        """``(penalty, 0.0)``."""
        return (self.penalty, 0.0)

    def score(self, length: int) -> float:
        """The penalty of a completion of ``length`` tokens."""
        start = self.max_completion_length - self.buffer
        if length <= start:
            return 0.0
        if length >= self.max_completion_length:
            return self.penalty
        return self.penalty * (length - start) / self.buffer

    def lengths(self, batch: RewardBatch) -> list[int]:
        """Each completion's length in tokens: ``completion_ids`` when TRL passes them, else the estimate."""
        ids = _completion_ids(batch)
        if ids is not None:
            return [len(i) if i is not None else 0 for i in ids]
        return [math.ceil(len(text) / self.chars_per_token) for text in _full_texts(batch)]

    def evaluate(self, batch: RewardBatch) -> RewardResult:
        lengths = self.lengths(batch)
        scores: list[float | None] = [self.score(n) for n in lengths]
        n = len(lengths)
        metrics = (
            {
                "in_buffer_rate": sum(self.max_completion_length - self.buffer < k for k in lengths) / n,
                "truncated_rate": sum(k >= self.max_completion_length for k in lengths) / n,
            }
            if n
            else {}
        )
        return RewardResult(scores, metrics=metrics)


class RepetitionPenalty(Reward):
    """``penalty`` times the share of repeated n-grams of a completion (``1 - unique / total``).

    ``unit="words"`` (the default, as open-r1) counts n-grams of lowercased whitespace-separated
    words of the text, so that the score does not depend on the tokenizer; ``unit="tokens"`` counts
    n-grams of TRL's ``completion_ids`` (as TRL's own reward) and needs them. A completion shorter
    than ``ngram_size`` units scores 0.

    >>> RepetitionPenalty()(completions=["the patient has a fever and the patient has a cough"])
    [-0.2222222222222222]
    >>> RepetitionPenalty(unit="tokens")(completions=["", ""], completion_ids=[[1, 2, 3], [7] * 6])
    [0.0, -0.75]
    """

    def __init__(
        self,
        ngram_size: int = 3,
        penalty: float = -1.0,
        *,
        unit: Literal["words", "tokens"] = "words",
        name: str = "repetition_penalty",
    ) -> None:
        super().__init__(name)
        self.ngram_size = _positive_int(ngram_size, "ngram_size")
        self.penalty = _penalty(penalty)
        if unit not in ("words", "tokens"):
            raise ValueError(f"unit must be 'words' or 'tokens', got {unit!r}")
        self.unit: Literal["words", "tokens"] = unit

    @property
    def bounds(self) -> tuple[float, float]:
        """``(penalty, 0.0)``."""
        return (self.penalty, 0.0)

    def score(self, units: Sequence[Any]) -> float:
        """The penalty of one completion given as a sequence of words or token ids."""
        n = self.ngram_size
        if len(units) < n:
            return 0.0
        ngrams = list(zip(*(units[i:] for i in range(n))))
        repeated = 1.0 - len(set(ngrams)) / len(ngrams)
        return repeated * self.penalty if repeated else 0.0

    def evaluate(self, batch: RewardBatch) -> RewardResult:
        if self.unit == "tokens":
            ids = _completion_ids(batch)
            if ids is None:
                raise ValueError(
                    f"{self.name} counts tokens (unit='tokens') and needs the completion_ids keyword, "
                    "which GRPOTrainer passes; outside a trainer use unit='words'"
                )
            units: list[Sequence[Any]] = [list(i) if i is not None else [] for i in ids]
        else:
            units = [text.lower().split() for text in _full_texts(batch)]
        scores: list[float | None] = [self.score(u) for u in units]
        return RewardResult(scores)
