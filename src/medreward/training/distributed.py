"""Several processes under ``accelerate launch``: who they are, and TRL's generation-batch rule.

TRL 1.x's ``GRPOTrainer`` generates completions for ``generation_batch_size`` prompt copies at a
time, spread over every process of the launch (``GRPOConfig.__post_init__``)::

    generation_batch_size = per_device_train_batch_size * num_processes * steps_per_generation

where ``steps_per_generation`` defaults to ``gradient_accumulation_steps``. Its sampler repeats each
prompt ``num_generations`` times in a row and the advantages are computed per prompt group, so the
generation batch must hold whole groups: it must be a multiple of ``num_generations``. A group may
straddle two processes: each process scores its own completions, the rewards are gathered across
processes before the group statistics, and every ``rewards/<name>/mean`` log is the mean over the
whole generation batch (the same number on every process). :func:`generation_batch` checks the rule
before anything is loaded, with the numbers in the message.

>>> batch = generation_batch(
...     per_device_train_batch_size=6, num_processes=2, num_generations=6, gradient_accumulation_steps=4
... )
>>> batch.size, batch.prompts, batch.per_process
(48, 8, 24)
>>> LaunchEnvironment.from_env({"WORLD_SIZE": "4", "RANK": "1", "LOCAL_RANK": "1"}).is_main_process
False
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Literal

__all__ = ["GenerationBatch", "LaunchEnvironment", "Precision", "generation_batch", "resolve_precision"]

Precision = Literal["fp16", "bf16", "fp32"]

# Where launchers put the process count and the global rank: torchrun (what `accelerate launch` uses
# for DDP and DeepSpeed), then MPI implementations (accelerate's multi-CPU launcher can use mpirun).
_WORLD_SIZE_VARIABLES = ("WORLD_SIZE", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE")
_RANK_VARIABLES = ("RANK", "PMI_RANK", "OMPI_COMM_WORLD_RANK", "MV2_COMM_WORLD_RANK")
_LOCAL_RANK_VARIABLES = (
    "LOCAL_RANK",
    "MPI_LOCALRANKID",
    "OMPI_COMM_WORLD_LOCAL_RANK",
    "MV2_COMM_WORLD_LOCAL_RANK",
)


@dataclass(frozen=True)
class GenerationBatch:
    """One GRPO generation batch, as TRL 1.x sizes it; build it with :func:`generation_batch`."""

    per_device_train_batch_size: int
    num_processes: int
    steps_per_generation: int
    num_generations: int

    @property
    def size(self) -> int:
        """``GRPOConfig.generation_batch_size``: completions generated per generation, all processes."""
        return self.per_device_train_batch_size * self.num_processes * self.steps_per_generation

    @property
    def per_process(self) -> int:
        """Completions each process generates and scores per generation."""
        return self.per_device_train_batch_size * self.steps_per_generation

    @property
    def prompts(self) -> int:
        """Distinct prompts per generation (each sampled ``num_generations`` times)."""
        return self.size // self.num_generations

    def as_dict(self) -> dict[str, int]:
        """The factors and the derived sizes, JSON-ready (``--dry-run`` prints it)."""
        return {**asdict(self), "size": self.size, "per_process": self.per_process, "prompts": self.prompts}


def generation_batch(
    *,
    per_device_train_batch_size: int,
    num_processes: int,
    num_generations: int,
    gradient_accumulation_steps: int = 1,
    steps_per_generation: int | None = None,
) -> GenerationBatch:
    """The generation batch of a launch, or a ``ValueError`` that names the numbers.

    ``steps_per_generation`` defaults to ``gradient_accumulation_steps``, as in TRL 1.x.

    >>> generation_batch(  # doctest: +ELLIPSIS
    ...     per_device_train_batch_size=4, num_processes=1, num_generations=6
    ... )
    Traceback (most recent call last):
    ValueError: the generation batch ... = 4 is not a multiple of num_generations (6): ...
    """
    steps = gradient_accumulation_steps if steps_per_generation is None else steps_per_generation
    factors = {
        "per_device_train_batch_size": per_device_train_batch_size,
        "num_processes": num_processes,
        "gradient_accumulation_steps": gradient_accumulation_steps,
        "steps_per_generation": steps,
    }
    for name, value in factors.items():
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    if num_generations < 2:
        raise ValueError(
            f"num_generations must be at least 2 (GRPO compares completions), got {num_generations}"
        )
    batch = GenerationBatch(per_device_train_batch_size, num_processes, steps, num_generations)
    if batch.size % num_generations:
        hint = "" if steps_per_generation else " (steps_per_generation is gradient_accumulation_steps)"
        raise ValueError(
            f"the generation batch per_device_train_batch_size ({per_device_train_batch_size}) x "
            f"num_processes ({num_processes}) x steps_per_generation ({steps}) = {batch.size} is not a "
            f"multiple of num_generations ({num_generations}): GRPO scores the {num_generations} "
            "completions of each prompt as one group, so every generation batch must hold whole groups. "
            f"Change one factor so that the product is a multiple of {num_generations}{hint}, "
            f"e.g. per_device_train_batch_size {_smallest_fit(batch)}"
        )
    return batch


def _smallest_fit(batch: GenerationBatch) -> int:
    """The smallest per-device batch >= the given one that makes the generation batch whole."""
    per_device = batch.per_device_train_batch_size
    while (per_device * batch.num_processes * batch.steps_per_generation) % batch.num_generations:
        per_device += 1
    return per_device


def _first_int(environ: Mapping[str, str], names: tuple[str, ...], default: int) -> int:
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            try:
                return int(value)
            except ValueError:
                raise ValueError(f"environment variable {name}={value!r} is not an integer") from None
    return default


@dataclass(frozen=True)
class LaunchEnvironment:
    """What the launcher (``accelerate launch``, torchrun, mpirun) told this process, read from its
    environment before torch is imported. A plain ``python script.py`` is one process, rank 0."""

    num_processes: int = 1
    process_index: int = 0
    local_process_index: int = 0
    mixed_precision: str | None = None  # accelerate's --mixed_precision / config: "no", "fp16", "bf16", ...
    use_deepspeed: bool = False

    @property
    def is_main_process(self) -> bool:
        """The one process (global rank 0) that prints summaries and writes files."""
        return self.process_index == 0

    @property
    def is_distributed(self) -> bool:
        return self.num_processes > 1

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LaunchEnvironment:
        env = os.environ if environ is None else environ
        num_processes = _first_int(env, _WORLD_SIZE_VARIABLES, 1)
        process_index = _first_int(env, _RANK_VARIABLES, 0)
        if num_processes < 1 or not 0 <= process_index < num_processes:
            raise ValueError(f"inconsistent launch: rank {process_index} of {num_processes} processes")
        return cls(
            num_processes=num_processes,
            process_index=process_index,
            local_process_index=_first_int(env, _LOCAL_RANK_VARIABLES, 0),
            mixed_precision=env.get("ACCELERATE_MIXED_PRECISION") or None,
            use_deepspeed=env.get("ACCELERATE_USE_DEEPSPEED", "").lower() in ("1", "true", "yes"),
        )


def resolve_precision(
    requested: str, *, cuda: bool, bf16_supported: bool, launcher: str | None = None
) -> Precision:
    """The precision to load and train in.

    ``requested`` is the example's ``--precision``. On a CPU it is always ``fp32``. An explicit
    ``fp16``/``bf16``/``fp32`` wins. ``auto`` follows the launcher's mixed precision where it names
    ``fp16`` or ``bf16`` (``accelerate launch --mixed_precision``, or the config file's), else bf16 where
    the GPU supports it and fp16 where it does not (the Tesla T4).

    >>> resolve_precision("auto", cuda=True, bf16_supported=True, launcher="fp16")
    'fp16'
    >>> resolve_precision("auto", cuda=True, bf16_supported=False)
    'fp16'
    >>> resolve_precision("bf16", cuda=False, bf16_supported=False, launcher="bf16")
    'fp32'
    """
    if requested not in ("auto", "fp16", "bf16", "fp32"):
        raise ValueError(f"precision must be auto, fp16, bf16 or fp32, got {requested!r}")
    if not cuda:
        return "fp32"
    if requested == "fp16":
        return "fp16"
    if requested == "bf16":
        return "bf16"
    if requested == "fp32":
        return "fp32"
    if launcher == "fp16":
        return "fp16"
    if launcher == "bf16" and bf16_supported:
        return "bf16"
    return "bf16" if bf16_supported else "fp16"
