"""Rewards built from rewards: every combinator returns a :class:`~medreward.reward.Reward`.

In the spirit of optax's ``chain``, no reward knows about another; these four build new ones:

* :func:`combined` - a weighted sum, logging each component's mean under its own name;
* :func:`gated` - a reward's score only where another reward reaches a threshold;
* :func:`scaled` - ``factor * score + offset``;
* :func:`clipped` - the score limited to ``[low, high]``.

Components share one :class:`~medreward.reward.RewardBatch`, so tags are parsed and references
analysed once however deeply rewards are nested. ``None`` (a reward that does not apply to a row)
passes through :func:`scaled`, :func:`clipped` and :func:`gated` (a row without a reference stays
``None``, whatever the gate), is skipped by :func:`combined` (``None`` only when every component
is), and closes a :func:`gated` gate when the gate returns it.

A component that returns NaN or an infinite score inside a combinator is an error that names the
component: TRL reads NaN as "does not apply", so a NaN would otherwise silently erase the whole
row's composed score. Return ``None`` for rows a reward does not apply to.

>>> from medreward import check_answer, match_format_exactly
>>> answer_if_formatted = gated(check_answer, match_format_exactly, threshold=3.0)
>>> total = combined(match_format_exactly, answer_if_formatted, weights=[0.5, 1.0], name="total")
>>> total(completions=["<start_reasoning>r<end_reasoning><SOLUTION>Asthma</SOLUTION>", "Asthma"],
...       answer=["asthma", "asthma"])
[4.5, 0.0]
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from medreward.reward import FunctionReward, Reward, RewardBatch, RewardResult, Score, as_reward

__all__ = [
    "Clipped",
    "Combined",
    "Gated",
    "Scaled",
    "clipped",
    "combined",
    "gated",
    "leaves",
    "scaled",
    "score_bounds",
]

Bounds = tuple[float, float]

RewardLike = Reward | Callable[..., Sequence[Score]]


def _finite(value: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return float(value)


def _evaluate(reward: Reward, batch: RewardBatch) -> RewardResult:
    # A component returning the wrong number of scores would otherwise be truncated by zip() or
    # index past the batch; name the component, not the composition around it.
    result = reward.evaluate(batch)
    if len(result.scores) != len(batch):
        raise RuntimeError(f"{reward.name} returned {len(result.scores)} scores for {len(batch)} completions")
    for i, score in enumerate(result.scores):
        if score is not None and not math.isfinite(score):
            raise ValueError(
                f"reward {reward.name} returned {score} for completion {i}; inside a composition every score "
                "must be a finite number, or None where the reward does not apply to a completion"
            )
    return result


def score_bounds(reward: RewardLike) -> Bounds | None:
    """An interval that holds every score ``reward`` returns, or ``None`` where that is unknown.

    Known for medreward's rewards (from their score tables: :attr:`Reward.bounds`), for
    :class:`~medreward.CheckAnswer` and for compositions of rewards with known bounds; unknown for
    plain functions.

    >>> from medreward import check_answer, match_format_exactly
    >>> score_bounds(check_answer), score_bounds(scaled(match_format_exactly, -2.0))
    ((-1.0, 3.0), (-6.0, 0.0))
    """
    if not isinstance(reward, Reward) or isinstance(reward, FunctionReward):
        return None
    bounds = reward.bounds
    if bounds is not None:
        return bounds
    from medreward.answer import CheckAnswer  # answer.py imports the format rewards, not this module

    if isinstance(reward, CheckAnswer):
        s = reward.config.scores  # validated: exact >= equivalent >= partial >= mismatch >= missing
        return (s.missing, s.exact)
    return None


def leaves(reward: RewardLike) -> Iterator[Reward]:
    """Every reward that is not a combinator inside ``reward`` (``reward`` itself if it is none).

    >>> from medreward import check_answer, match_format_exactly
    >>> reward = combined(match_format_exactly, gated(check_answer, match_format_exactly, 3.0))
    >>> print(*(r.name for r in leaves(reward)))
    match_format_exactly check_answer match_format_exactly
    """
    reward = as_reward(reward)
    if isinstance(reward, Combined):
        for component in reward.rewards:
            yield from leaves(component)
    elif isinstance(reward, Gated):
        yield from leaves(reward.reward)
        yield from leaves(reward.gate)
    elif isinstance(reward, (Scaled, Clipped)):
        yield from leaves(reward.reward)
    else:
        yield reward


def _component_logs(result: RewardResult, name: str) -> tuple[dict[str, list[Any]], dict[str, float]]:
    extras = {f"{name}/{column}": values for column, values in result.extras.items()}
    metrics = {f"{name}/{metric}": value for metric, value in result.metrics.items()}
    present = [s for s in result.scores if s is not None]
    if present:
        metrics[f"{name}/mean"] = sum(present) / len(present)
    return extras, metrics


class Combined(Reward):
    """The weighted sum of several rewards."""

    def __init__(
        self, rewards: Sequence[RewardLike], weights: Sequence[float] | None = None, name: str | None = None
    ):
        if not rewards:
            raise ValueError("combined() needs at least one reward")
        self.rewards = [as_reward(r) for r in rewards]
        names = [r.name for r in self.rewards]
        if len(set(names)) != len(names):
            raise ValueError(f"combined rewards need distinct names to log them apart, got {names}")
        if weights is None:
            weights = [1.0] * len(self.rewards)
        if len(weights) != len(self.rewards):
            raise ValueError(f"got {len(weights)} weights for {len(self.rewards)} rewards")
        self.weights = [_finite(w, "a weight") for w in weights]
        super().__init__(name or "+".join(names))
        inner = {leaf.name for component in self.rewards for leaf in leaves(component)} | set(names)
        if self.name in inner:
            warnings.warn(
                f"combined reward {self.name!r} has the name of one of its components: TRL logs a reward "
                f"under rewards/{self.name}/mean, and two rewards of one name given to a trainer merge "
                "their logs silently; give the combination its own name",
                UserWarning,
                stacklevel=3,
            )

    @property
    def bounds(self) -> Bounds | None:
        """The sum of the weighted components' bounds (each widened to 0: a ``None`` adds nothing)."""
        low = high = 0.0
        for reward, weight in zip(self.rewards, self.weights):
            b = score_bounds(reward)
            if b is None:
                return None
            ends = (weight * b[0], weight * b[1])
            low += min(0.0, *ends)
            high += max(0.0, *ends)
        return (low, high)

    def evaluate(self, batch: RewardBatch) -> RewardResult:
        totals: list[Score] = [None] * len(batch)
        extras: dict[str, list[Any]] = {}
        metrics: dict[str, float] = {}
        for reward, weight in zip(self.rewards, self.weights):
            result = _evaluate(reward, batch)
            for i, score in enumerate(result.scores):
                if score is not None:
                    previous = totals[i]
                    totals[i] = weight * score + (0.0 if previous is None else previous)
            extras[reward.name] = list(result.scores)
            component_extras, component_metrics = _component_logs(result, reward.name)
            extras.update(component_extras)
            metrics.update(component_metrics)
        return RewardResult(totals, extras, metrics)


class Gated(Reward):
    """``reward``'s score where ``gate`` scores at least ``threshold``, else ``otherwise``."""

    def __init__(
        self,
        reward: RewardLike,
        gate: RewardLike,
        threshold: float,
        otherwise: float = 0.0,
        name: str | None = None,
    ):
        self.reward = as_reward(reward)
        self.gate = as_reward(gate)
        self.threshold = _finite(threshold, "threshold")
        self.otherwise = _finite(otherwise, "otherwise")
        gate_bounds = score_bounds(self.gate)
        if gate_bounds is not None and self.threshold > gate_bounds[1]:
            raise ValueError(
                f"threshold {threshold} is above the highest score of the gate {self.gate.name} "
                f"({gate_bounds[1]}): the gate would never open"
            )
        super().__init__(name or f"gated_{self.reward.name}")

    @property
    def bounds(self) -> Bounds | None:
        """The reward's bounds widened to ``otherwise``."""
        b = score_bounds(self.reward)
        return None if b is None else (min(b[0], self.otherwise), max(b[1], self.otherwise))

    def evaluate(self, batch: RewardBatch) -> RewardResult:
        gate = _evaluate(self.gate, batch).scores
        result = _evaluate(self.reward, batch)
        open_ = [g is not None and g >= self.threshold for g in gate]
        # A row the reward does not apply to (no reference) stays None, open gate or not.
        scores = [s if is_open or s is None else self.otherwise for s, is_open in zip(result.scores, open_)]
        extras, metrics = _component_logs(result, self.reward.name)
        metrics["open_rate"] = sum(open_) / len(open_) if open_ else 0.0
        return RewardResult(scores, extras, metrics)


class Scaled(Reward):
    """``factor * score + offset``."""

    def __init__(self, reward: RewardLike, factor: float, offset: float = 0.0, name: str | None = None):
        self.reward = as_reward(reward)
        self.factor = _finite(factor, "factor")
        self.offset = _finite(offset, "offset")
        super().__init__(name or f"scaled_{self.reward.name}")

    @property
    def bounds(self) -> Bounds | None:
        """The reward's bounds, scaled and shifted."""
        b = score_bounds(self.reward)
        if b is None:
            return None
        ends = (self.factor * b[0] + self.offset, self.factor * b[1] + self.offset)
        return (min(ends), max(ends))

    def evaluate(self, batch: RewardBatch) -> RewardResult:
        result = _evaluate(self.reward, batch)
        scores = [None if s is None else self.factor * s + self.offset for s in result.scores]
        return RewardResult(scores, result.extras, result.metrics)


class Clipped(Reward):
    """The score limited to ``[low, high]``."""

    def __init__(self, reward: RewardLike, low: float, high: float, name: str | None = None):
        self.reward = as_reward(reward)
        self.low = _finite(low, "low")
        self.high = _finite(high, "high")
        if self.low > self.high:
            raise ValueError(f"clipped() needs low <= high, got low={low}, high={high}")
        super().__init__(name or f"clipped_{self.reward.name}")

    @property
    def bounds(self) -> Bounds:
        """``[low, high]``, narrowed to the reward's own bounds where known."""
        b = score_bounds(self.reward)
        if b is None:
            return (self.low, self.high)
        return (min(self.high, max(self.low, b[0])), min(self.high, max(self.low, b[1])))

    def evaluate(self, batch: RewardBatch) -> RewardResult:
        result = _evaluate(self.reward, batch)
        scores = [None if s is None else min(self.high, max(self.low, s)) for s in result.scores]
        return RewardResult(scores, result.extras, result.metrics)


def combined(
    *rewards: RewardLike, weights: Sequence[float] | None = None, name: str | None = None
) -> Combined:
    """The weighted sum of ``rewards`` (weights default to 1), itself a reward."""
    return Combined(rewards, weights, name)


def gated(
    reward: RewardLike, gate: RewardLike, threshold: float, *, otherwise: float = 0.0, name: str | None = None
) -> Gated:
    """``reward`` where ``gate`` scores at least ``threshold``, else ``otherwise`` (default 0).

    Rows that ``reward`` does not apply to (``None``, e.g. no reference) stay ``None``. A threshold
    above the gate's highest score (:func:`score_bounds`) is refused.
    """
    return Gated(reward, gate, threshold, otherwise, name)


def scaled(reward: RewardLike, factor: float, *, offset: float = 0.0, name: str | None = None) -> Scaled:
    """``factor * reward + offset``."""
    return Scaled(reward, factor, offset, name)


def clipped(reward: RewardLike, low: float, high: float, *, name: str | None = None) -> Clipped:
    """``reward`` clipped to ``[low, high]``."""
    return Clipped(reward, low, high, name)
