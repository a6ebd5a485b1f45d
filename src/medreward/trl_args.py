"""A composition as TRL's own arguments: ``reward_funcs`` and ``GRPOConfig.reward_weights``.

:func:`~medreward.combined` hands TRL one summed column. That works, but TRL then sees one reward:
``reward_weights`` has one entry, ``multi_objective_aggregation="normalize_then_sum"`` normalizes
the sum instead of each reward, and ``rewards/<name>/std`` exists only for the sum.
:func:`to_trl` undoes the linear part of a composition (:func:`~medreward.combined` and
:func:`~medreward.scaled` without offset) into the raw rewards and the product of the weights on
the way to each, which TRL sums itself::

    reward_funcs, reward_weights = to_trl(total)
    config = GRPOConfig(..., reward_weights=reward_weights)
    trainer = GRPOTrainer(..., reward_funcs=reward_funcs, args=config)

With TRL's default ``multi_objective_aggregation="sum_then_normalize"`` the trainer then computes
exactly the rewards (and advantages) that ``total`` gives: TRL's ``nansum`` over weighted columns
skips a ``None`` as :func:`~medreward.combined` does, and a row where every reward is ``None`` is
left out in both.

>>> from medreward import check_answer, combined, match_format_exactly, scaled
>>> reward_funcs, reward_weights = to_trl(
...     combined(scaled(match_format_exactly, 0.5), check_answer, weights=[1.0, 2.0]))
>>> [f.__name__ for f in reward_funcs], reward_weights
(['match_format_exactly', 'check_answer'], [0.5, 2.0])
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from medreward.compose import Clipped, Combined, Gated, RewardLike, Scaled
from medreward.reward import FunctionReward, Reward, as_reward

__all__ = ["TrlRewards", "to_trl"]


class TrlRewards(NamedTuple):
    """What :func:`to_trl` returns: unpack it as ``reward_funcs, reward_weights``."""

    reward_funcs: list[Callable[..., Any]]
    """The raw reward functions, for ``GRPOTrainer(reward_funcs=...)``."""
    reward_weights: list[float]
    """Their weights, one per function, for ``GRPOConfig(reward_weights=...)``."""


def _trl_name(function: Callable[..., Any]) -> str:
    # How TRL names a reward function's log series (trl.trainer.utils.get_callable_name).
    import functools

    while isinstance(function, functools.partial):
        function = function.func
    return str(getattr(function, "__name__", type(function).__name__))


def _refuse(reward: Reward, why: str) -> ValueError:
    return ValueError(
        f"to_trl cannot expand {reward.name!r}: {why}. TRL only sums weighted rewards. Pass the reward "
        "to the trainer whole (reward_funcs=[reward]), or call to_trl(..., keep_nonlinear=True) to hand "
        f"{reward.name!r} to TRL as one reward function while the sums around it are expanded"
    )


def _expand(
    reward: Reward, weight: float, keep_nonlinear: bool, out: list[tuple[Callable[..., Any], float]]
) -> None:
    if isinstance(reward, Combined):
        for component, component_weight in zip(reward.rewards, reward.weights):
            _expand(component, weight * component_weight, keep_nonlinear, out)
        return
    if isinstance(reward, Scaled) and reward.offset == 0.0:
        _expand(reward.reward, weight * reward.factor, keep_nonlinear, out)
        return
    if not keep_nonlinear:
        if isinstance(reward, Gated):
            raise _refuse(reward, f"it is gated by {reward.gate.name}, which is no weighted sum")
        if isinstance(reward, Clipped):
            raise _refuse(reward, f"it is clipped to [{reward.low}, {reward.high}], which is no weighted sum")
        if isinstance(reward, Scaled):
            raise _refuse(
                reward,
                f"its offset ({reward.offset}) cannot be a TRL weight (a constant offset changes no GRPO "
                "advantage: scaled(..., offset=0) expands)",
            )
    # A plain function goes to TRL as itself: TRL then sees its own name, and an async one stays async.
    out.append((reward.function if isinstance(reward, FunctionReward) else reward, weight))


def to_trl(reward: RewardLike | Sequence[RewardLike], *, keep_nonlinear: bool = False) -> TrlRewards:
    """Expand ``reward`` (or a list of rewards) into TRL's ``reward_funcs`` and ``reward_weights``.

    :func:`~medreward.combined` components and :func:`~medreward.scaled` factors become weights
    (multiplied along the way); the same reward reached twice is listed once with the sum of its
    weights. :func:`~medreward.gated`, :func:`~medreward.clipped` and an offset of
    :func:`~medreward.scaled` are not weighted sums: they are refused with a ``ValueError`` unless
    ``keep_nonlinear=True``, which keeps each of them whole as one reward function. Two different
    rewards with one ``__name__`` warn: TRL would merge their logs silently.

    >>> from medreward import check_answer, gated, match_format_exactly
    >>> funcs, weights = to_trl([match_format_exactly, gated(check_answer, match_format_exactly, 3.0)],
    ...                         keep_nonlinear=True)
    >>> [f.__name__ for f in funcs], weights
    (['match_format_exactly', 'gated_check_answer'], [1.0, 1.0])
    """
    rewards: Sequence[RewardLike] = (
        list(reward) if isinstance(reward, Sequence) and not isinstance(reward, (str, bytes)) else [reward]
    )
    if not rewards:
        raise ValueError("to_trl needs at least one reward")
    expanded: list[tuple[Callable[..., Any], float]] = []
    for r in rewards:
        _expand(as_reward(r), 1.0, keep_nonlinear, expanded)
    funcs: list[Callable[..., Any]] = []
    weights: list[float] = []
    for function, weight in expanded:
        for i, seen in enumerate(funcs):
            if seen is function:
                weights[i] += weight
                break
        else:
            funcs.append(function)
            weights.append(weight)
    _warn_shared_names(funcs)
    return TrlRewards(funcs, weights)


def _warn_shared_names(reward_funcs: Sequence[Callable[..., Any]]) -> None:
    """Warn when two of ``reward_funcs`` have one TRL name: TRL would merge their logs silently."""
    by_name: dict[str, int] = {}
    for function in reward_funcs:
        name = _trl_name(function)
        by_name[name] = by_name.get(name, 0) + 1
    shared = sorted(name for name, count in by_name.items() if count > 1)
    if shared:
        warnings.warn(
            f"several reward functions are named {shared}: GRPOTrainer logs each under rewards/<name>/, so "
            "their means, standard deviations and completion-table columns would merge silently; give "
            "each its own name (name=...)",
            UserWarning,
            stacklevel=3,
        )
