"""The one TRL reward interface that every medreward reward implements.

`trl.GRPOTrainer` calls each reward function as::

    reward(prompts=[...], completions=[...], completion_ids=[...], answer=[...], <other columns>,
           trainer_state=..., log_extra=..., log_metric=...)  # the last two from TRL 1.x on

and logs its mean under ``rewards/<__name__>/mean``. :class:`Reward` turns such a call into a
:class:`RewardBatch` (texts extracted once, columns checked), asks the subclass to
:meth:`~Reward.evaluate` it, forwards what the subclass wants logged to ``log_extra`` and
``log_metric`` when TRL offers them, and returns one score per completion.

Rewards are plain objects (picklable, no closures), stateless between calls (thread-safe) and
deterministic. Subclasses implement only :meth:`Reward.evaluate`::

    class LengthPenalty(Reward):
        def __init__(self) -> None:
            super().__init__("length_penalty")

        def evaluate(self, batch: RewardBatch) -> RewardResult:
            return RewardResult([-len(text) / 1000 for text in batch.texts])
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from medreward.completions import completion_reasoning, completion_text, prompt_text
from medreward.format import FormatTags, ParsedCompletion, parse_completion

__all__ = ["FunctionReward", "Reward", "RewardBatch", "RewardResult", "as_reward"]

Score = float | None
T = TypeVar("T")

# Keyword arguments TRL passes that are not dataset columns.
_TRL_CONTROL_KWARGS = frozenset(
    {"completion_ids", "trainer_state", "log_extra", "log_metric", "environments"}
)


@dataclass(frozen=True)
class RewardResult:
    """What a reward computed for one batch.

    ``scores`` holds one value per completion (``None`` where the reward does not apply, which TRL
    excludes from its means); ``extras`` are per-completion columns for TRL's completions table
    (``log_extra``); ``metrics`` are batch-level scalars (``log_metric``). Names in ``extras`` and
    ``metrics`` are relative: :class:`Reward` prefixes them with the reward's name.
    """

    scores: list[Score]
    extras: Mapping[str, list[Any]] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)


class RewardBatch:
    """One call's inputs: completion texts extracted once, dataset columns checked on access.

    The batch also memoizes per-batch work (parsed tags, analysed references) so that rewards and
    their compositions never redo it for the same completion within a call.

    >>> batch = RewardBatch(completions=[[{"role": "assistant", "content": "x"}]], answer=["y"])
    >>> batch.texts, batch.column("answer")
    (('x',), ['y'])

    ``texts`` holds each completion's ``content``; ``reasoning`` the reasoning a message carries in a
    field of its own (``reasoning_content``, ``reasoning``, ``thinking``), ``None`` where it has none.
    """

    __slots__ = ("_memo", "columns", "completions", "prompts", "reasoning", "texts")

    def __init__(
        self, prompts: Sequence[Any] | None = None, completions: Sequence[Any] | None = None, **kwargs: Any
    ) -> None:
        for what, values in (("completions", completions), ("prompts", prompts)):
            # A lone string would otherwise be read as one completion per character.
            if isinstance(values, (str, bytes)):
                raise TypeError(f"{what} must be a list with one value per completion, got a single string")
        self.completions: Sequence[Any] = list(completions) if completions is not None else []
        self.prompts: Sequence[Any] = list(prompts) if prompts is not None else [None] * len(self.completions)
        if len(self.prompts) != len(self.completions):
            # TRL passes one prompt per completion; a plain function composed with this reward would
            # otherwise zip the two and silently score the wrong pairs.
            raise ValueError(
                f"prompts has {len(self.prompts)} values but there are {len(self.completions)} completions; "
                "pass one prompt per completion (TRL repeats each prompt once per generation)"
            )
        self.texts: tuple[str, ...] = tuple(completion_text(c) for c in self.completions)
        self.reasoning: tuple[str | None, ...] = tuple(
            None if isinstance(c, str) else completion_reasoning(c) for c in self.completions
        )
        self.columns: dict[str, Any] = dict(kwargs)
        self._memo: dict[Hashable, Any] = {}

    def __len__(self) -> int:
        return len(self.texts)

    def column(self, name: str) -> list[Any]:
        """The dataset column ``name``, one value per completion; a clear error if absent or misaligned.

        TRL repeats every dataset column once per generation, so a correct call always has exactly as
        many values as completions. TRL itself would broadcast a wrong length silently.
        """
        if name not in self.columns or name in _TRL_CONTROL_KWARGS:
            available = sorted(k for k in self.columns if k not in _TRL_CONTROL_KWARGS)
            raise ValueError(
                f"this reward needs the dataset column {name!r}, but the call has only {available}; "
                "add the column to the dataset or configure the reward's column name"
            )
        values = self.columns[name]
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise ValueError(
                f"column {name!r} must be a list with one value per completion, got {type(values)}"
            )
        if len(values) != len(self.texts):
            raise ValueError(
                f"column {name!r} has {len(values)} values but there are {len(self.texts)} completions; "
                "pass one value per completion (TRL repeats each row once per generation)"
            )
        return list(values)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per batch and ``key``; later calls with the same key reuse the value."""
        try:
            value: T = self._memo[key]
        except KeyError:
            value = self._memo[key] = compute()
        return value

    def parsed(self, tags: FormatTags) -> list[ParsedCompletion]:
        """Every completion parsed against ``tags`` (:func:`~medreward.format.parse_completion`),
        once per batch and tag set: the rewards of one call share it. A completion's reasoning
        field (:attr:`reasoning`) is its reasoning block."""
        return self.memo(
            ("parsed", tags),
            lambda: [parse_completion(text, tags, r) for text, r in zip(self.texts, self.reasoning)],
        )

    def prompt_texts(self) -> list[str | None]:
        """The asker's words of each prompt (:func:`~medreward.completions.prompt_text`); ``None`` where
        the call has no prompt. Computed once per batch and per distinct prompt object (TRL repeats
        each prompt once per generation)."""

        def compute() -> list[str | None]:
            seen: dict[int, str | None] = {}
            texts: list[str | None] = []
            for prompt in self.prompts:
                key = id(prompt)
                if key not in seen:
                    seen[key] = None if prompt is None else prompt_text(prompt)
                texts.append(seen[key])
            return texts

        return self.memo("prompt_texts", compute)

    def trl_kwargs(self) -> dict[str, Any]:
        """The keyword arguments to call a plain TRL reward function with (columns, no loggers)."""
        return {k: v for k, v in self.columns.items() if k not in ("log_extra", "log_metric")}


class Reward(ABC):
    """Base class of every medreward reward: a TRL reward function with a stable ``__name__``."""

    __name__: str

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name.strip() or any(c.isspace() for c in name):
            raise ValueError(f"a reward name must be a non-empty string without spaces, got {name!r}")
        # TRL names the log series after `__name__` (falling back to the class name for instances).
        self.__name__ = name

    @property
    def name(self) -> str:
        """The name under which TRL logs this reward (``rewards/<name>/mean``)."""
        return self.__name__

    @property
    def bounds(self) -> tuple[float, float] | None:
        """The lowest and the highest score this reward can return, where its configuration says.

        ``None`` (the default) where they are not known; :func:`medreward.gated` uses them to refuse
        a threshold that no score reaches. ``None`` scores (rows a reward does not apply to) are
        outside these bounds by definition. See :func:`medreward.score_bounds` for any reward.
        """
        return None

    @abstractmethod
    def evaluate(self, batch: RewardBatch) -> RewardResult:
        """Score every completion of ``batch``. Must return exactly ``len(batch)`` scores."""

    def __call__(
        self, prompts: Sequence[Any] | None = None, completions: Sequence[Any] | None = None, **kwargs: Any
    ) -> list[Score]:
        """Score completions as TRL does: ``reward(prompts=..., completions=..., **columns)``."""
        batch = RewardBatch(prompts, completions, **kwargs)
        result = self.evaluate(batch)
        if len(result.scores) != len(batch):
            raise RuntimeError(
                f"{self.name} returned {len(result.scores)} scores for {len(batch)} completions"
            )
        self._log(result, kwargs.get("log_extra"), kwargs.get("log_metric"))
        return result.scores

    def _log(self, result: RewardResult, log_extra: Any, log_metric: Any) -> None:
        # TRL 1.x passes these two callables; TRL 0.x does not, and then nothing is logged.
        if callable(log_extra):
            for column, values in result.extras.items():
                log_extra(f"{self.name}/{column}", values)
        if callable(log_metric):
            for metric, value in result.metrics.items():
                log_metric(f"{self.name}/{metric}", value)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class FunctionReward(Reward):
    """Wraps a plain TRL reward function (a module-level function) so that it composes.

    >>> def brevity(completions, **kwargs):
    ...     return [1.0 if len(c) < 10 else 0.0 for c in completions]
    >>> FunctionReward(brevity)(prompts=["q"], completions=["short"])
    [1.0]
    """

    def __init__(self, function: Callable[..., Sequence[Score]], name: str | None = None) -> None:
        super().__init__(name or str(getattr(function, "__name__", type(function).__name__)))
        self.function = function

    def evaluate(self, batch: RewardBatch) -> RewardResult:
        returned = self.function(prompts=batch.prompts, completions=batch.completions, **batch.trl_kwargs())
        if inspect.isawaitable(returned):
            if inspect.iscoroutine(returned):
                returned.close()  # never awaited: close it rather than leak a warning
            raise TypeError(
                f"reward function {self.name} is async: TRL awaits it when it is passed to the trainer "
                "itself (reward_funcs=[..., it] or to_trl([..., it])), but a composition cannot"
            )
        # Checked here, not only in __call__, so that inside combined()/gated() the error names the
        # function at fault rather than the composition around it.
        if isinstance(returned, (str, bytes)) or not isinstance(returned, Iterable):
            raise TypeError(
                f"reward function {self.name} must return one score per completion (a list), "
                f"got {type(returned).__name__}"
            )
        scores = list(returned)
        if len(scores) != len(batch):
            raise RuntimeError(f"{self.name} returned {len(scores)} scores for {len(batch)} completions")
        return RewardResult([None if s is None else self._float(s) for s in scores])

    def _float(self, score: Any) -> float:
        try:
            return float(score)
        except (TypeError, ValueError):
            raise TypeError(
                f"reward function {self.name} returned a score that is not a number or None: {score!r}"
            ) from None


def as_reward(reward: Reward | Callable[..., Sequence[Score]]) -> Reward:
    """``reward`` itself if it is a :class:`Reward`, else a :class:`FunctionReward` around it."""
    if isinstance(reward, Reward):
        return reward
    if not callable(reward):
        raise TypeError(f"expected a reward (a callable), got {type(reward).__name__}")
    return FunctionReward(reward)
