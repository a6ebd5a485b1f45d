"""A real `trl.GRPOTrainer` trains with medreward's rewards on a tiny offline model (CPU)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("trl")

from medreward import (
    SYSTEM_PROMPT,
    check_answer,
    combined,
    gated,
    match_format_approximately,
    match_format_exactly,
)
from medreward.samples import load_samples
from medreward.training.tiny import build_tiny_gemma
from tests.conftest import tiny_grpo_config


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_gemma(tmp_path_factory.mktemp("tiny-gemma"))


def _dataset(conversational: bool) -> Any:
    from datasets import Dataset

    rows = load_samples()
    if conversational:
        prompts: list[Any] = [
            [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": r["Question"]}]
            for r in rows
        ]
    else:
        prompts = [f"{SYSTEM_PROMPT}\n\n{r['Question']}" for r in rows]
    return Dataset.from_dict({"prompt": prompts, "answer": [r["answer"] for r in rows]})


def _train(model_dir: Path, out: Path, reward_funcs: list[Any], conversational: bool) -> list[dict[str, Any]]:
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOTrainer

    config = tiny_grpo_config(out, max_steps=2, max_completion_length=16, learning_rate=1e-4)
    trainer = GRPOTrainer(
        model=AutoModelForCausalLM.from_pretrained(model_dir),
        processing_class=AutoTokenizer.from_pretrained(model_dir),
        reward_funcs=reward_funcs,
        args=config,
        train_dataset=_dataset(conversational),
    )
    trainer.train()
    return list(trainer.state.log_history)


@pytest.mark.parametrize("conversational", [True, False], ids=["messages", "strings"])
def test_grpo_trainer_logs_every_reward(tiny_model: Path, tmp_path: Path, conversational: bool) -> None:
    rewards = [match_format_exactly, match_format_approximately, check_answer]
    history = _train(tiny_model, tmp_path, rewards, conversational)
    step_logs = [entry for entry in history if "loss" in entry]
    assert len(step_logs) == 2
    for name in ("match_format_exactly", "match_format_approximately", "check_answer"):
        values = [entry[f"rewards/{name}/mean"] for entry in step_logs]
        assert all(isinstance(v, float) and v == v for v in values), (name, values)
    # A random model writes no tags: no exact format, every tag missing, no solution.
    assert all(entry["rewards/match_format_exactly/mean"] == 0.0 for entry in step_logs)
    assert all(entry["rewards/check_answer/mean"] == -1.0 for entry in step_logs)
    # TRL 1.x hands rewards `log_metric`; medreward logs its rates through it.
    assert all(entry["check_answer/missing_rate"] == 1.0 for entry in step_logs)


def test_grpo_trainer_accepts_composed_reward(tiny_model: Path, tmp_path: Path) -> None:
    total = combined(match_format_exactly, gated(check_answer, match_format_exactly, 3.0), name="total")
    history = _train(tiny_model, tmp_path, [total], conversational=True)
    step_logs = [entry for entry in history if "loss" in entry]
    assert all("rewards/total/mean" in entry for entry in step_logs)
    assert all("total/match_format_exactly/mean" in entry for entry in step_logs)
