from __future__ import annotations

import math
import pickle
from typing import Any

import pytest

from medreward import (
    FunctionReward,
    RewardBatch,
    check_answer,
    clipped,
    combined,
    gated,
    leaves,
    match_format_approximately,
    match_format_exactly,
    scaled,
    score_bounds,
)
from tests.conftest import formatted

GOOD = formatted(solution="Asthma")
WRONG = formatted(solution="Acute appendicitis")
BARE = "Asthma"


def brevity(completions: list[Any], **kwargs: Any) -> list[float | None]:
    return [None if len(str(c)) > 100 else 1.0 for c in completions]


class TestCombined:
    def test_weighted_sum(self) -> None:
        total = combined(match_format_exactly, check_answer, weights=[0.5, 2.0])
        assert total(completions=[GOOD, BARE], answer=["asthma", "asthma"]) == [0.5 * 3 + 2 * 3, 2 * -1.0]

    def test_default_name_and_weights(self) -> None:
        total = combined(match_format_exactly, match_format_approximately)
        assert total.__name__ == "match_format_exactly+match_format_approximately"
        assert total(completions=[GOOD]) == [5.0]

    def test_none_components_are_skipped_and_all_none_is_none(self) -> None:
        only_none = combined(FunctionReward(brevity), name="b")
        assert only_none(completions=["x" * 200]) == [None]
        total = combined(FunctionReward(brevity), match_format_exactly)
        assert total(completions=["x" * 200]) == [0.0]

    def test_logs_each_component(self) -> None:
        extras: dict[str, list[Any]] = {}
        metrics: dict[str, float] = {}
        total = combined(match_format_exactly, check_answer, name="total")
        total(
            completions=[GOOD, WRONG],
            answer=["asthma", "asthma"],
            log_extra=extras.__setitem__,
            log_metric=metrics.__setitem__,
        )
        # a wrong answer that names a concept: just above the mismatch floor
        assert extras["total/check_answer"] == [3.0, -0.495]
        assert extras["total/check_answer/verdict"] == ["exact", "mismatch"]
        assert metrics["total/match_format_exactly/mean"] == 3.0
        assert metrics["total/check_answer/exact_rate"] == 0.5

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            ({"weights": [1.0]}, "2 rewards"),
            ({"weights": [1.0, math.nan]}, "finite"),
        ],
    )
    def test_bad_weights(self, args: dict[str, Any], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            combined(match_format_exactly, check_answer, **args)

    @pytest.mark.parametrize("bad", [math.nan, math.inf])
    def test_non_finite_component_score_is_an_error_naming_it(self, bad: float) -> None:
        def broken(completions: list[Any], **kwargs: Any) -> list[float]:
            return [1.0, bad]

        for composition in (
            combined(broken, match_format_exactly),
            gated(broken, match_format_exactly, 3.0),
            scaled(broken, 2.0),
            clipped(broken, 0.0, 1.0),
        ):
            with pytest.raises(ValueError, match=r"reward broken returned .* for completion 1; .*None"):
                composition(completions=[GOOD, GOOD])

    def test_name_shared_with_a_component_warns(self) -> None:
        with pytest.warns(UserWarning, match="merge their logs"):
            combined(match_format_exactly, check_answer, name="check_answer")
        with pytest.warns(UserWarning, match="merge their logs"):
            combined(scaled(check_answer, 2.0), name="check_answer")

    def test_duplicate_names_rejected(self) -> None:
        with pytest.raises(ValueError, match="distinct names"):
            combined(check_answer, check_answer)

    def test_empty_rejected(self) -> None:
        with pytest.raises(ValueError, match="at least one"):
            combined()


class TestGated:
    def test_scores_only_where_gate_opens(self) -> None:
        answer_if_formatted = gated(check_answer, match_format_exactly, threshold=3.0, otherwise=-2.0)
        assert answer_if_formatted(completions=[GOOD, WRONG, BARE], answer=["asthma"] * 3) == [
            3.0,
            -0.495,
            -2.0,
        ]
        assert answer_if_formatted.__name__ == "gated_check_answer"

    def test_rows_without_reference_stay_none(self) -> None:
        answer_if_formatted = gated(check_answer, match_format_exactly, threshold=3.0, otherwise=-2.0)
        assert answer_if_formatted(completions=[GOOD, BARE, BARE], answer=[None, None, "asthma"]) == [
            None,
            None,
            -2.0,
        ]

    def test_threshold_above_the_gate_maximum_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"highest score of the gate match_format_exactly \(3.0\)"):
            gated(check_answer, match_format_exactly, threshold=5)
        with pytest.raises(ValueError, match="never open"):
            gated(match_format_exactly, check_answer, threshold=3.5)
        with pytest.raises(ValueError, match="never open"):
            gated(check_answer, scaled(match_format_exactly, 0.5), threshold=2.0)
        # Unknown bounds (a plain function): accepted.
        assert gated(check_answer, brevity, threshold=5.0)(completions=[GOOD], answer=["asthma"]) == [0.0]

    def test_none_gate_is_closed(self) -> None:
        reward = gated(match_format_exactly, FunctionReward(brevity), threshold=0.5)
        assert reward(completions=["x" * 200, GOOD]) == [0.0, 3.0]


class TestScaledClipped:
    def test_scaled(self) -> None:
        assert scaled(match_format_exactly, 2.0, offset=-1.0)(completions=[GOOD, BARE]) == [5.0, -1.0]

    def test_clipped(self) -> None:
        assert clipped(match_format_approximately, -1.0, 1.0)(completions=[GOOD, BARE]) == [1.0, -1.0]

    def test_clipped_bounds_validated(self) -> None:
        with pytest.raises(ValueError, match="low <= high"):
            clipped(check_answer, 1.0, 0.0)

    def test_none_passes_through(self) -> None:
        assert scaled(FunctionReward(brevity), 3.0)(completions=["x" * 200]) == [None]
        assert clipped(FunctionReward(brevity), 0.0, 0.5)(completions=["x"]) == [0.5]


def test_bounds() -> None:
    assert score_bounds(check_answer) == (-1.0, 3.0)
    assert score_bounds(brevity) is None
    assert score_bounds(combined(brevity, check_answer)) is None
    assert score_bounds(combined(match_format_exactly, check_answer, weights=[0.5, 2.0])) == (-2.0, 7.5)
    assert score_bounds(gated(check_answer, match_format_exactly, 3.0, otherwise=-3.0)) == (-3.0, 3.0)
    assert score_bounds(clipped(check_answer, 0.0, 10.0)) == (0.0, 3.0)
    assert score_bounds(clipped(brevity, 0.0, 10.0)) == (0.0, 10.0)
    assert score_bounds(scaled(check_answer, -1.0, offset=1.0)) == (-2.0, 2.0)


def test_leaves() -> None:
    reward = combined(scaled(match_format_exactly, 2.0), clipped(gated(check_answer, brevity, 0.5), 0, 1))
    assert [r.name for r in leaves(reward)] == ["match_format_exactly", "check_answer", "brevity"]


def test_plain_functions_compose() -> None:
    total = combined(brevity, match_format_exactly)
    assert total.__name__ == "brevity+match_format_exactly"
    assert total(completions=[GOOD]) == [4.0]


def test_nested_composition_parses_each_completion_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import medreward.reward as fr

    calls: list[str] = []
    real = fr.parse_completion

    def counting(text: str, *args: Any) -> Any:
        calls.append(text)
        return real(text, *args)

    monkeypatch.setattr(fr, "parse_completion", counting)
    reward = combined(
        match_format_exactly, match_format_approximately, gated(check_answer, match_format_exactly, 3.0)
    )
    reward(completions=[GOOD, BARE], answer=["asthma", "asthma"])
    assert sorted(calls) == sorted([GOOD, BARE])


def test_composed_rewards_pickle() -> None:
    reward = combined(
        scaled(match_format_exactly, 0.5), clipped(gated(check_answer, match_format_exactly, 3.0), -1, 2)
    )
    clone = pickle.loads(pickle.dumps(reward))
    kwargs = {"completions": [GOOD, WRONG, BARE], "answer": ["asthma"] * 3}
    assert clone(**kwargs) == reward(**kwargs)
    assert clone.__name__ == reward.__name__


def test_batch_is_shared_by_components() -> None:
    batch = RewardBatch(completions=[GOOD], answer=["asthma"])
    assert check_answer.evaluate(batch).scores == [3.0]
    assert ("parsed", check_answer.config.tags) in batch._memo
