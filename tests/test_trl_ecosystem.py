"""A real `trl.GRPOTrainer` with to_trl's expansion, load_rewards' reward set and the shaping rewards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("trl")

from medreward import (
    OverlongPenalty,
    RepetitionPenalty,
    check_answer,
    combined,
    load_rewards,
    match_format_approximately,
    match_format_exactly,
    scaled,
    to_trl,
)
from medreward.training.tiny import build_tiny_gemma
from tests.conftest import tiny_grpo_config
from tests.test_trl_integration import _dataset

MAX_COMPLETION_LENGTH = 16
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rewards.toml"


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_gemma(tmp_path_factory.mktemp("tiny-gemma"))


def _train(
    model_dir: Path, out: Path, reward_funcs: list[Any], **config: Any
) -> tuple[Any, list[dict[str, Any]]]:
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOTrainer

    args = tiny_grpo_config(
        out, max_steps=2, max_completion_length=MAX_COMPLETION_LENGTH, learning_rate=1e-4, **config
    )
    trainer = GRPOTrainer(
        model=AutoModelForCausalLM.from_pretrained(model_dir),
        processing_class=AutoTokenizer.from_pretrained(model_dir),
        reward_funcs=reward_funcs,
        args=args,
        train_dataset=_dataset(conversational=True),
    )
    trainer.train()
    return trainer, [entry for entry in trainer.state.log_history if "loss" in entry]


def test_to_trl_expansion_trains_with_weights_and_normalize_then_sum(
    tiny_model: Path, tmp_path: Path
) -> None:
    total = combined(
        scaled(match_format_exactly, 0.5),
        match_format_approximately,
        scaled(check_answer, 2.0),
        OverlongPenalty(MAX_COMPLETION_LENGTH, buffer=4),
        RepetitionPenalty(ngram_size=2, unit="tokens"),
        name="total",
    )
    reward_funcs, reward_weights = to_trl(total)
    trainer, step_logs = _train(
        tiny_model,
        tmp_path,
        reward_funcs,
        reward_weights=reward_weights,
        multi_objective_aggregation="normalize_then_sum",
    )
    assert trainer.reward_weights.tolist() == [0.5, 1.0, 2.0, 1.0, 1.0]
    assert len(step_logs) == 2
    names = ["match_format_exactly", "match_format_approximately", "check_answer", "overlong_penalty"]
    for name in [*names, "repetition_penalty"]:
        # One column per raw reward: TRL logs each one's mean and standard deviation.
        assert all(f"rewards/{name}/mean" in e and f"rewards/{name}/std" in e for e in step_logs), name
    # A random model writes no tags and runs into the 16-token cap: truncated, hence the full penalty.
    assert all(e["rewards/check_answer/mean"] == -1.0 for e in step_logs)
    assert all(e["rewards/overlong_penalty/mean"] == -1.0 for e in step_logs)
    assert all(e["overlong_penalty/truncated_rate"] == 1.0 for e in step_logs)
    assert all(-1.0 <= e["rewards/repetition_penalty/mean"] <= 0.0 for e in step_logs)


def test_reward_set_file_trains(tiny_model: Path, tmp_path: Path) -> None:
    reward_funcs, reward_weights = load_rewards(EXAMPLE)
    _, step_logs = _train(tiny_model, tmp_path, reward_funcs, reward_weights=reward_weights)
    assert len(step_logs) == 2
    for reward in reward_funcs:
        assert all(isinstance(e[f"rewards/{reward.__name__}/mean"], float) for e in step_logs)
    # The file sets max_completion_length = 256: 16-token completions are far from the buffer.
    assert all(e["rewards/overlong_penalty/mean"] == 0.0 for e in step_logs)
