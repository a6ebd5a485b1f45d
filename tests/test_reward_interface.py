"""The TRL reward contract, as `trl.GRPOTrainer` (0.x and 1.x) exercises it."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from medreward import (
    Reward,
    RewardBatch,
    RewardResult,
    check_answer,
    default_rewards,
    match_format_approximately,
    match_format_exactly,
)
from tests.conftest import as_message, formatted

REWARDS = default_rewards()


def test_names_are_stable() -> None:
    assert [r.__name__ for r in REWARDS] == [
        "match_format_exactly",
        "match_format_approximately",
        "check_answer",
    ]


def test_trl_resolves_the_names() -> None:
    trl_utils = pytest.importorskip("trl.trainer.utils")
    assert [trl_utils.get_callable_name(r) for r in REWARDS] == [r.__name__ for r in REWARDS]


@pytest.mark.parametrize("reward", REWARDS, ids=lambda r: r.__name__)
def test_trl_1x_call_with_every_kwarg(reward: Reward) -> None:
    extras: dict[str, list[Any]] = {}
    metrics: dict[str, float] = {}
    completions = [as_message(formatted(solution="Asthma")), as_message("no format")]
    scores = reward(
        prompts=[[{"role": "user", "content": "q"}]] * 2,
        completions=completions,
        completion_ids=[[1, 2], [3]],
        answer=["asthma", "asthma"],
        Question=["q", "q"],
        unknown_column=[object(), object()],
        trainer_state=object(),
        log_extra=extras.__setitem__,
        log_metric=metrics.__setitem__,
        environments=None,
    )
    assert len(scores) == 2
    assert all(isinstance(s, float) for s in scores)
    assert metrics, "TRL 1.x gets batch metrics"
    assert all(name.startswith(f"{reward.__name__}/") for name in [*metrics, *extras])
    assert all(len(values) == 2 for values in extras.values())


def test_check_answer_logs_solution_verdict_and_guard() -> None:
    extras: dict[str, list[Any]] = {}
    check_answer(
        completions=[formatted(solution="Hypokalemia"), "x"],
        answer=["Hyperkalemia"] * 2,
        log_extra=extras.__setitem__,
    )
    assert extras["check_answer/solution"] == ["Hypokalemia", ""]
    assert extras["check_answer/verdict"] == ["mismatch", "missing"]
    assert extras["check_answer/guard"] == [
        "opposite: decreased / increased (Hypokalemia / Hyperkalemia)",
        None,
    ]


@pytest.mark.parametrize("reward", REWARDS, ids=lambda r: r.__name__)
def test_trl_0x_call_without_loggers(reward: Reward) -> None:
    assert len(reward(prompts=["q"], completions=[formatted()], answer=["Answer."])) == 1


def test_strings_and_messages_score_identically() -> None:
    texts = [formatted(solution="Asthma"), "Asthma", "<SOLUTION>Asthma</SOLUTION>", ""]
    for reward in REWARDS:
        as_strings = reward(completions=texts, answer=["asthma"] * len(texts))
        as_messages = reward(completions=[as_message(t) for t in texts], answer=["asthma"] * len(texts))
        as_parts = reward(
            completions=[[{"role": "assistant", "content": [{"type": "text", "text": t}]}] for t in texts],
            answer=["asthma"] * len(texts),
        )
        assert as_strings == as_messages == as_parts


def test_wrong_column_length_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="column 'answer' has 1 values but there are 2 completions"):
        check_answer(completions=["a", "b"], answer=["x"])


def test_column_that_is_not_a_list_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="must be a list"):
        check_answer(completions=["a"], answer="x")


def test_empty_batch() -> None:
    for reward in REWARDS:
        assert reward(prompts=[], completions=[], answer=[]) == []


@pytest.mark.parametrize("reward", REWARDS, ids=lambda r: r.__name__)
def test_pickle_round_trip(reward: Reward) -> None:
    clone = pickle.loads(pickle.dumps(reward))
    assert clone.__name__ == reward.__name__
    completions = [formatted(solution="Asthma"), "x"]
    assert clone(completions=completions, answer=["asthma"] * 2) == reward(
        completions=completions, answer=["asthma"] * 2
    )


def test_custom_reward_subclass() -> None:
    class Length(Reward):
        def __init__(self) -> None:
            super().__init__("length")

        def evaluate(self, batch: RewardBatch) -> RewardResult:
            return RewardResult([float(len(t)) for t in batch.texts])

    assert Length()(completions=["ab", as_message("abc")]) == [2.0, 3.0]


def test_reward_returning_wrong_length_is_caught() -> None:
    class Broken(Reward):
        def evaluate(self, batch: RewardBatch) -> RewardResult:
            return RewardResult([])

    with pytest.raises(RuntimeError, match="returned 0 scores for 1 completions"):
        Broken("broken")(completions=["x"])


@pytest.mark.parametrize("name", ["", "has space", None])
def test_bad_names_rejected(name: Any) -> None:
    with pytest.raises(ValueError, match="reward name"):
        type(match_format_exactly)(name=name)


def test_repr_names_the_reward() -> None:
    assert repr(match_format_approximately) == "<MatchFormatApproximately match_format_approximately>"
