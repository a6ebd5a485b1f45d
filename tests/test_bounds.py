"""Every score lies within the reward's declared bounds (score_bounds), whatever the completion."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from medreward import (
    ApproximateFormatConfig,
    FormatTags,
    MatchFormatApproximately,
    OverlongPenalty,
    RepetitionPenalty,
    check_answer,
    clipped,
    combined,
    gated,
    match_format_approximately,
    match_format_exactly,
    scaled,
    score_bounds,
)

R0, R1, S0, S1 = FormatTags().ordered
PIECES = [R0, R1, S0, S1, "Asthma", "asthma attack", "not asthma", "COPD", " ", "\n", "x x x", "<"]

REWARDS: list[Any] = [
    match_format_exactly,
    match_format_approximately,
    MatchFormatApproximately(
        ApproximateFormatConfig(present=1.0, misordered=0.25, missing=-2.0, repeated=-3.0)
    ),
    check_answer,
    OverlongPenalty(12, buffer=6, penalty=-2.0),
    RepetitionPenalty(ngram_size=1, penalty=-0.5),
    combined(
        scaled(match_format_exactly, -0.5), check_answer, OverlongPenalty(12, 6), weights=[1.0, 2.0, 0.5]
    ),
    gated(check_answer, match_format_approximately, threshold=1.0, otherwise=-4.0),
    clipped(check_answer, 0.0, 2.0),
    scaled(match_format_approximately, -1.5, offset=0.25),
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=10).map("".join), min_size=1, max_size=4))
def test_scores_lie_within_bounds(texts: list[str]) -> None:
    for reward in REWARDS:
        bounds = score_bounds(reward)
        assert bounds is not None, reward.name
        low, high = bounds
        for score in reward(completions=texts, answer=["Asthma"] * len(texts)):
            assert score is None or low - 1e-9 <= score <= high + 1e-9, (reward.name, score, bounds)
