"""Length and repetition shaping: OverlongPenalty and RepetitionPenalty."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from medreward import OverlongPenalty, RepetitionPenalty, combined, match_format_exactly
from tests.conftest import formatted


class TestOverlongPenalty:
    def test_matches_dapo_and_trl_soft_overlong_punishment(self) -> None:
        trl_rewards = pytest.importorskip("trl.rewards")
        trl_reward = trl_rewards.get_soft_overlong_punishment(max_completion_len=100, soft_punish_cache=20)
        ours = OverlongPenalty(100, buffer=20)
        ids = [[1] * n for n in (0, 50, 80, 81, 90, 99, 100, 130)]
        assert ours(completions=[""] * len(ids), completion_ids=ids) == pytest.approx(trl_reward(ids))

    def test_penalty_sets_the_floor(self) -> None:
        reward = OverlongPenalty(10, buffer=4, penalty=-2.0)
        ids = [[0] * n for n in (6, 7, 8, 10, 11)]
        assert reward(completions=[""] * 5, completion_ids=ids) == [0.0, -0.5, -1.0, -2.0, -2.0]
        assert reward.bounds == (-2.0, 0.0)

    def test_text_estimate_without_completion_ids(self) -> None:
        reward = OverlongPenalty(10, buffer=5)
        # 4 characters a token: 20 characters = 5 tokens (no penalty), 28 = 7 tokens, 41 = 11 tokens.
        assert reward(completions=["x" * 20, "x" * 28, "x" * 41]) == [0.0, -0.4, -1.0]
        assert OverlongPenalty(10, buffer=5, chars_per_token=2.0)(completions=["x" * 20]) == [-1.0]

    def test_reasoning_field_counts_towards_the_length(self) -> None:
        reward = OverlongPenalty(10, buffer=5)
        message = [{"role": "assistant", "content": "x" * 3, "reasoning_content": "y" * 36}]
        assert reward(completions=[message]) == [-1.0]

    def test_completion_ids_win_over_text(self) -> None:
        reward = OverlongPenalty(10, buffer=5)
        assert reward(completions=["x" * 1000], completion_ids=[[1, 2]]) == [0.0]

    def test_logs_rates(self) -> None:
        metrics: dict[str, float] = {}
        OverlongPenalty(10, buffer=2)(
            completions=["", "", "", ""],
            completion_ids=[[0] * 5, [0] * 9, [0] * 10, [0] * 10],
            log_metric=metrics.__setitem__,
        )
        assert metrics == {"overlong_penalty/in_buffer_rate": 0.75, "overlong_penalty/truncated_rate": 0.5}

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            ({"max_completion_length": 0, "buffer": 1}, "positive integer"),
            ({"max_completion_length": 10, "buffer": 0}, "positive integer"),
            ({"max_completion_length": 10, "buffer": 11}, "must not exceed"),
            ({"max_completion_length": 10, "buffer": 2, "penalty": 1.0}, "not be positive"),
            ({"max_completion_length": 10, "buffer": 2, "penalty": float("nan")}, "finite"),
            ({"max_completion_length": 10, "buffer": 2, "chars_per_token": 0}, "chars_per_token"),
            ({"max_completion_length": 10.5, "buffer": 2}, "positive integer"),
        ],
    )
    def test_validation(self, args: dict[str, Any], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            OverlongPenalty(**args)

    def test_misaligned_completion_ids(self) -> None:
        with pytest.raises(ValueError, match="completion_ids"):
            OverlongPenalty(10, 2)(completions=["a", "b"], completion_ids=[[1]])


class TestRepetitionPenalty:
    def test_matches_trl_on_tokens(self) -> None:
        trl_rewards = pytest.importorskip("trl.rewards")
        trl_reward = trl_rewards.get_repetition_penalty_reward(ngram_size=2, max_penalty=-1.0)
        ids = [[1, 2, 3, 4], [5, 5, 5, 5, 5], [1], [1, 2, 1, 2, 1, 2]]
        ours = RepetitionPenalty(2, unit="tokens")
        assert ours(completions=[""] * 4, completion_ids=ids) == pytest.approx(trl_reward(ids))

    def test_words_are_lowercased_and_include_reasoning(self) -> None:
        reward = RepetitionPenalty(ngram_size=1, penalty=-2.0)
        assert reward(completions=["Fever fever FEVER fever"]) == [-1.5]
        message = [{"role": "assistant", "content": "fever", "reasoning": "fever"}]
        assert reward(completions=[message]) == [-1.0]

    def test_varied_and_short_completions_are_free(self) -> None:
        reward = RepetitionPenalty()
        assert reward(completions=[formatted(), "a b", ""]) == [0.0, 0.0, 0.0]

    def test_degenerate_loop_approaches_the_penalty(self) -> None:
        score = RepetitionPenalty()(completions=["the answer is " * 200])[0]
        assert score is not None and -1.0 <= score < -0.99

    def test_tokens_need_completion_ids(self) -> None:
        with pytest.raises(ValueError, match="completion_ids"):
            RepetitionPenalty(unit="tokens")(completions=["a"])

    @pytest.mark.parametrize(
        ("args", "message"),
        [({"ngram_size": 0}, "positive"), ({"penalty": 0.5}, "positive"), ({"unit": "chars"}, "unit")],
    )
    def test_validation(self, args: dict[str, Any], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            RepetitionPenalty(**args)


def test_penalties_compose_and_pickle() -> None:
    total = combined(match_format_exactly, OverlongPenalty(10, 5), RepetitionPenalty(1), name="total")
    assert total(completions=[formatted()], completion_ids=[[0] * 10]) == [2.0]
    clone = pickle.loads(pickle.dumps(total))
    assert clone(completions=["a a"], completion_ids=[[0]]) == [-0.5]
    assert [OverlongPenalty(10, 5).__name__, RepetitionPenalty().__name__] == [
        "overlong_penalty",
        "repetition_penalty",
    ]
