"""Trainer callbacks that watch GRPO's logs.

GRPO learns from differences between the rewards of one prompt's completions. When a model never
writes the format's tags, every completion of a prompt earns the same reward, TRL logs
``frac_reward_zero_std`` = 1 and every advantage is zero: the run spends its compute and learns
nothing. :class:`ConstantRewardWarning` says so, once, after the first few logged steps:

>>> import io
>>> stream = io.StringIO()
>>> watch = ConstantRewardWarning(steps=2, stream=stream)
>>> for _ in range(2):
...     _ = watch.on_log(None, None, None, logs={"frac_reward_zero_std": 1.0})
>>> watch.warned, "format warm start" in stream.getvalue()
(True, True)
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from transformers import TrainerCallback

__all__ = ["ConstantRewardWarning"]

_KEY = "frac_reward_zero_std"


class ConstantRewardWarning(TrainerCallback):  # type: ignore[misc,unused-ignore]
    """Print a warning when ``frac_reward_zero_std`` is 1 in each of the first ``steps`` logs.

    A log below 1 before that stops the watch (the rewards vary: GRPO has a signal). ``stream``
    defaults to ``sys.stderr``; ``warned`` tells whether the warning was printed. Under several
    processes only the main one watches (the logged values are the same on all).
    """

    def __init__(self, steps: int = 5, *, stream: TextIO | None = None, tolerance: float = 1e-6) -> None:
        if steps < 1:
            raise ValueError(f"steps must be at least 1, got {steps}")
        self.steps = steps
        self.stream = stream
        self.tolerance = tolerance
        self.constant_logs = 0
        self.watching = True
        self.warned = False

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        value = (logs or {}).get(_KEY)
        if not getattr(state, "is_world_process_zero", True):  # several processes: print once
            return control
        if not self.watching or value is None:
            return control
        if float(value) < 1.0 - self.tolerance:
            self.watching = False
            return control
        self.constant_logs += 1
        if self.constant_logs >= self.steps:
            self.watching = False
            self.warned = True
            print(
                f"WARNING: {_KEY} = 1 in each of the first {self.steps} logged steps: every completion of "
                "a prompt earned the same reward, so every GRPO advantage is zero and the model learns "
                "nothing. The model probably never writes the format's tags: run a supervised format "
                "warm start first (examples/train_gemma_grpo.py --format-warmup STEPS, "
                "medreward.training.warmup), or check the rewards and the reference column.",
                file=self.stream or sys.stderr,
                flush=True,
            )
        return control
