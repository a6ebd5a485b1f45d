"""to_trl: a composition as TRL's reward_funcs and reward_weights."""

from __future__ import annotations

import math
import warnings
from typing import Any

import pytest

from medreward import (
    CheckAnswer,
    OverlongPenalty,
    TrlRewards,
    check_answer,
    clipped,
    combined,
    gated,
    match_format_approximately,
    match_format_exactly,
    scaled,
    to_trl,
)
from tests.conftest import formatted


def brevity(completions: list[Any], **kwargs: Any) -> list[float | None]:
    return [1.0 if len(str(c)) < 100 else None for c in completions]


async def async_judge(completions: list[Any], **kwargs: Any) -> list[float]:
    return [0.0 for _ in completions]


COMPLETIONS = [formatted(solution="Asthma"), formatted(solution="Hypokalemia"), "Asthma", "x" * 300]
ANSWERS: list[str | None] = ["asthma", "hyperkalemia", "asthma", None]


def trl_sum(funcs: list[Any], weights: list[float], **kwargs: Any) -> list[float | None]:
    """What GRPOTrainer computes with sum_then_normalize: nansum of weighted columns, all-NaN is NaN."""
    columns = [f(**kwargs) for f in funcs]
    totals: list[float | None] = []
    for row in zip(*columns):
        present = [w * s for w, s in zip(weights, row) if s is not None and not math.isnan(s)]
        totals.append(sum(present) if present else None)
    return totals


def test_expansion_gives_trl_the_same_total() -> None:
    total = combined(
        scaled(match_format_exactly, 0.5),
        combined(check_answer, scaled(brevity, -2.0), weights=[2.0, 3.0], name="inner"),
        match_format_approximately,
        name="total",
    )
    funcs, weights = to_trl(total)
    assert [getattr(f, "__name__", None) for f in funcs] == [
        "match_format_exactly",
        "check_answer",
        "brevity",
        "match_format_approximately",
    ]
    assert weights == [0.5, 2.0, -6.0, 1.0]
    assert funcs[2] is brevity  # plain functions reach TRL as themselves
    kwargs = {"prompts": ["q"] * 4, "completions": COMPLETIONS, "answer": ANSWERS}
    assert trl_sum(funcs, weights, **kwargs) == pytest.approx(total(**kwargs))


def test_result_is_a_named_tuple_and_lists_pass() -> None:
    result = to_trl([match_format_exactly, check_answer])
    assert isinstance(result, TrlRewards)
    assert result.reward_funcs == [match_format_exactly, check_answer]
    assert result.reward_weights == [1.0, 1.0]
    assert to_trl(check_answer) == ([check_answer], [1.0])
    assert to_trl(async_judge).reward_funcs == [async_judge]


def test_same_reward_twice_sums_its_weights() -> None:
    total = combined(match_format_exactly, scaled(match_format_exactly, 0.5), check_answer)
    assert to_trl(total) == ([match_format_exactly, check_answer], [1.5, 1.0])


@pytest.mark.parametrize(
    ("reward", "message"),
    [
        (combined(match_format_exactly, gated(check_answer, match_format_exactly, 3.0)), "gated by"),
        (combined(clipped(check_answer, 0.0, 1.0), match_format_exactly), r"clipped to \[0.0, 1.0\]"),
        (scaled(check_answer, 1.0, offset=1.0), "offset"),
        (clipped(combined(check_answer, match_format_exactly), -1, 1), "clipped"),
    ],
)
def test_nonlinear_parts_are_refused(reward: Any, message: str) -> None:
    with pytest.raises(ValueError, match=f"to_trl cannot expand .*{message}.*keep_nonlinear=True"):
        to_trl(reward)


def test_keep_nonlinear_keeps_them_whole() -> None:
    gate = gated(check_answer, match_format_exactly, 3.0)
    total = combined(scaled(match_format_exactly, 2.0), gate, scaled(check_answer, 1.0, offset=1.0, name="s"))
    funcs, weights = to_trl(total, keep_nonlinear=True)
    assert funcs[:2] == [match_format_exactly, gate] and weights == [2.0, 1.0, 1.0]
    kwargs = {"completions": COMPLETIONS, "answer": ANSWERS}
    assert trl_sum(funcs, weights, **kwargs) == pytest.approx(total(**kwargs))


def test_shared_names_warn() -> None:
    other = CheckAnswer(name="check_answer")
    with pytest.warns(UserWarning, match=r"named \['check_answer'\].*merge silently"):
        to_trl(combined(check_answer, scaled(other, 2.0)))
    with pytest.warns(UserWarning, match="merge silently"):
        to_trl([OverlongPenalty(10, 2), OverlongPenalty(20, 2)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        to_trl([OverlongPenalty(10, 2), OverlongPenalty(20, 2, name="long")])


def test_empty_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        to_trl([])
