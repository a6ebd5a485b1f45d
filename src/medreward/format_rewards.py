"""Format rewards: does the completion follow ``<start_reasoning>…<end_reasoning><SOLUTION>…</SOLUTION>``?

Two rewards, as in the seed recipe (and Unsloth's GRPO notebooks):

* :class:`MatchFormatExactly` pays its full score (3.0) only for exactly one non-empty reasoning block
  followed by exactly one non-empty solution block, with nothing but whitespace around them.
* :class:`MatchFormatApproximately` gives partial credit per tag, so that a model that has not found
  the format yet still gets a gradient towards it.

>>> match_format_exactly(completions=["<start_reasoning>r<end_reasoning><SOLUTION>s</SOLUTION>", "s"])
[3.0, 0.0]
>>> match_format_approximately(completions=["<start_reasoning>r<end_reasoning> s"])
[0.0]
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from medreward.format import DEFAULT_TAGS, TAG_NAMES, FormatTags, ParsedCompletion
from medreward.reward import Reward, RewardBatch, RewardResult

__all__ = [
    "ApproximateFormatConfig",
    "ExactFormatConfig",
    "MatchFormatApproximately",
    "MatchFormatExactly",
    "match_format_approximately",
    "match_format_exactly",
]


class ExactFormatConfig(BaseModel):
    """Scores of :class:`MatchFormatExactly`; ``match`` must be above ``mismatch``.

    >>> ExactFormatConfig(match=1.0, mismatch=-1.0).match
    1.0
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    tags: FormatTags = DEFAULT_TAGS
    match: float = Field(3.0, description="score of a completion in exactly the format")
    mismatch: float = Field(0.0, description="score of any other completion")

    @model_validator(mode="after")
    def _match_pays_more(self) -> ExactFormatConfig:
        if not self.match > self.mismatch:
            raise ValueError(
                f"match ({self.match}) must be above mismatch ({self.mismatch}): otherwise the format "
                "reward pays for leaving the format"
            )
        return self


class MatchFormatExactly(Reward):
    """Full score only for one non-empty reasoning block, then one non-empty solution block."""

    def __init__(
        self, config: ExactFormatConfig | None = None, *, name: str = "match_format_exactly"
    ) -> None:
        super().__init__(name)
        self.config = config or ExactFormatConfig()

    @property
    def bounds(self) -> tuple[float, float]:
        """``(mismatch, match)``."""
        return (self.config.mismatch, self.config.match)

    def evaluate(self, batch: RewardBatch) -> RewardResult:
        parsed = batch.parsed(self.config.tags)
        scores: list[float | None] = [
            self.config.match if p.is_exact else self.config.mismatch for p in parsed
        ]
        rate = sum(p.is_exact for p in parsed) / len(parsed) if parsed else 0.0
        return RewardResult(scores, metrics={"exact_rate": rate})


class ApproximateFormatConfig(BaseModel):
    """The per-tag score table of :class:`MatchFormatApproximately`.

    Each of the four tags earns ``present`` when it occurs exactly once and in order with the other
    single tags, ``misordered`` when it occurs once but out of order, ``missing`` when absent and
    ``repeated`` when it occurs more than once. Defaults: +0.5 / 0.0 / -0.5 / -0.5, so scores range
    over [-2, 2].
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    tags: FormatTags = DEFAULT_TAGS
    present: float = 0.5
    misordered: float = 0.0
    missing: float = -0.5
    repeated: float = -0.5

    @model_validator(mode="after")
    def _ordering_is_monotone(self) -> ApproximateFormatConfig:
        if not self.present >= self.misordered >= min(self.missing, self.repeated):
            raise ValueError(
                "scores must satisfy present >= misordered >= min(missing, repeated), "
                f"got present={self.present}, misordered={self.misordered}, "
                f"missing={self.missing}, repeated={self.repeated}"
            )
        return self


def _in_order_mask(positions: list[tuple[int, int]]) -> set[int]:
    """Tag indices of the longest run of (tag index, position) pairs increasing in position.

    ``positions`` is sorted by tag index; the result is a longest increasing subsequence (n <= 4).
    """
    best: list[list[int]] = []
    for k, (_, pos) in enumerate(positions):
        chain = max((best[j] for j in range(k) if positions[j][1] < pos), key=len, default=[])
        best.append([*chain, k])
    longest = max(best, key=len, default=[])
    return {positions[k][0] for k in longest}


class MatchFormatApproximately(Reward):
    """Partial credit per tag: present once and in order earns, missing or repeated costs."""

    def __init__(
        self, config: ApproximateFormatConfig | None = None, *, name: str = "match_format_approximately"
    ) -> None:
        super().__init__(name)
        self.config = config or ApproximateFormatConfig()

    @property
    def bounds(self) -> tuple[float, float]:
        """Four times the lowest and four times the highest per-tag score."""
        c = self.config
        per_tag = (c.present, c.misordered, c.missing, c.repeated)
        return (4 * min(per_tag), 4 * max(per_tag))

    def score(self, parsed: ParsedCompletion) -> float:
        """The score of one parsed completion."""
        c = self.config
        singles = [(i, parsed.first[i]) for i, n in enumerate(parsed.counts) if n == 1]
        in_order = _in_order_mask(singles)
        total = 0.0
        for i, n in enumerate(parsed.counts):
            if n == 0:
                total += c.missing
            elif n > 1:
                total += c.repeated
            else:
                total += c.present if i in in_order else c.misordered
        return total

    def evaluate(self, batch: RewardBatch) -> RewardResult:
        parsed = batch.parsed(self.config.tags)
        metrics = {
            f"{name}_once_rate": sum(p.counts[i] == 1 for p in parsed) / len(parsed) if parsed else 0.0
            for i, name in enumerate(TAG_NAMES)
        }
        return RewardResult([self.score(p) for p in parsed], metrics=metrics)


match_format_exactly = MatchFormatExactly()
match_format_approximately = MatchFormatApproximately()
