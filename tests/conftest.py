"""Shared helpers: completions in the seed format."""

from __future__ import annotations

import os
from typing import Any

import pytest

from medreward import DEFAULT_TAGS


def formatted(reasoning: str = "Reasoning.", solution: str = "Answer.") -> str:
    """A completion in exactly the default format."""
    return DEFAULT_TAGS.wrap(reasoning, solution)


def tiny_grpo_config(output_dir: object, **overrides: Any) -> Any:
    """The GRPO settings every CPU training test shares (a step or two, 4 completions in 2 groups,
    logs each step, saves nothing), with ``overrides`` on top."""
    from trl import GRPOConfig

    settings: dict[str, Any] = {
        "max_steps": 1,
        "per_device_train_batch_size": 4,
        "num_generations": 2,
        "logging_steps": 1,
        "report_to": "none",
        "use_cpu": True,
        "save_strategy": "no",
        "seed": 0,
    }
    return GRPOConfig(output_dir=str(output_dir), **{**settings, **overrides})


def as_message(text: str) -> list[dict[str, Any]]:
    """``text`` as a TRL conversational completion."""
    return [{"role": "assistant", "content": text}]


# Slow variants (bigger inputs, more hypothesis examples) run only with MEDREWARD_SLOW=1, so that the
# default `python -m pytest` stays fast without touching pyproject's addopts.
SLOW_ENV = "MEDREWARD_SLOW"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(SLOW_ENV) == "1":
        return
    skip_slow = pytest.mark.skip(reason=f"slow: set {SLOW_ENV}=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)
