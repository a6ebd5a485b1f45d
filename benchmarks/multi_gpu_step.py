"""Step time and peak memory per GPU of the reference recipe on several GPUs (TRL on accelerate).

The multi-GPU sibling of ``gpu_training_step.py``: it runs ``examples/train_gemma_grpo.py --backend
trl`` itself on a random model (``--shape gemma-1b``: Gemma-3-1B's exact architecture, saved in fp16,
whose completions never stop early, so every step generates the full 256 tokens; ``tiny``: the
example's own ``--tiny`` run, 32 new tokens, to check that a launch trains at all), launched by
``accelerate launch`` with one process per GPU. Every process times its optimizer steps and reads
its own GPU's ``max_memory_allocated`` / ``max_memory_reserved``; the main process gathers them and
appends one record to ``--output``. A one-process launch (or plain
``python``) is the baseline, and goes to the same file::

    accelerate launch --config_file examples/accelerate/ddp.yaml --num_processes 1 \\
        benchmarks/multi_gpu_step.py --shape gemma-1b --steps 3        # the baseline
    accelerate launch --config_file examples/accelerate/ddp.yaml --num_processes 2 \\
        benchmarks/multi_gpu_step.py --shape gemma-1b --steps 3
    accelerate launch --config_file examples/accelerate/zero2.yaml --num_processes 2 \\
        benchmarks/multi_gpu_step.py --shape gemma-1b --steps 3
    python benchmarks/multi_gpu_step.py --report benchmarks/results/multi_gpu_step.json

The batch shape is the recipe's per process (per-device batch 6, accumulation 4, 6 generations), so
N processes generate N times the completions per optimizer step (weak scaling);
``--gradient-accumulation-steps`` and the other batch flags pass through to the example. The report
compares completions per second with the baseline of the same shape, precision and batch flags.
``--allow-cpu`` runs without a GPU (memory is then not measured): CI uses it to check this script.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

# The benchmark's own folder is on sys.path when it runs as a script (as under torchrun / accelerate).
from gpu_training_step import load_example

ROOT = Path(__file__).resolve().parents[1]
GIB = 2**30
DEFAULT_OUTPUT = ROOT / "benchmarks" / "results" / "multi_gpu_step.json"
BATCH_FLAGS = ("per_device_train_batch_size", "gradient_accumulation_steps", "num_generations")


def _version(name: str) -> str | None:
    """The version that imports here: the first copy on ``sys.path``, as ``import`` picks it."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _versions() -> dict[str, str | None]:
    names = ("torch", "transformers", "trl", "peft", "accelerate", "deepspeed")
    return {"python": platform.python_version(), **{name: _version(name) for name in names}}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shape", choices=["gemma-1b", "tiny"], default="gemma-1b")
    parser.add_argument("--steps", type=int, default=3, help="optimizer steps (the first is warm-up)")
    parser.add_argument(
        "--precision",
        choices=["auto", "fp16", "bf16"],
        default="auto",
        help="auto: the launcher's mixed precision (the configs say bf16), else the example's rule",
    )
    for field in BATCH_FLAGS:
        parser.add_argument("--" + field.replace("_", "-"), type=int, help="passed to the example")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--work-dir", type=Path, help="where the random model is built (default: a temp dir)")
    parser.add_argument("--allow-cpu", action="store_true", help="run without a GPU (no memory figures)")
    parser.add_argument("--report", type=Path, help="print the table of an existing results file and exit")
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    return args


def _gather(value: Any) -> list[Any]:
    """``value`` from every process, in rank order (one process: ``[value]``)."""
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()):
        return [value]
    values: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(values, value)
    return values


def run(args: argparse.Namespace) -> dict[str, Any] | None:
    """Train, measure every process; the main process returns the record, the others ``None``."""
    import torch
    from accelerate import PartialState
    from transformers import TrainerCallback

    from medreward.training.distributed import LaunchEnvironment, resolve_precision
    from medreward.training.recipe import GEMMA3_1B_ARCHITECTURE
    from medreward.training.tiny import build_tiny_gemma

    cuda = torch.cuda.is_available()
    if not cuda and not args.allow_cpu:
        raise SystemExit("this benchmark measures GPU step time and memory: no CUDA GPU here (--allow-cpu)")
    launch = LaunchEnvironment.from_env()
    state = PartialState(cpu=not cuda)  # joins the launch's process group; sets this process's GPU
    distributed_type = str(state.distributed_type).rsplit(".", 1)[-1]
    if launch.use_deepspeed:
        distributed_type = "DEEPSPEED"

    def synchronize() -> None:
        if cuda:
            torch.cuda.synchronize()

    per_process: dict[str, Any] = {}
    precision = resolve_precision(
        args.precision,
        cuda=cuda,
        bf16_supported=cuda and torch.cuda.is_bf16_supported(),
        launcher=launch.mixed_precision,
    )

    class StepTimer(TrainerCallback):  # type: ignore[misc]
        def __init__(self) -> None:
            self.times: list[float] = []
            self._start = 0.0

        def on_step_begin(self, *_: Any, **__: Any) -> None:
            synchronize()
            self._start = time.perf_counter()

        def on_step_end(self, *_: Any, **__: Any) -> None:
            synchronize()
            self.times.append(time.perf_counter() - self._start)

        def on_train_end(self, *_: Any, **__: Any) -> None:
            # Still inside the trainer: the process group is up, so gather here.
            mine = {
                "rank": launch.process_index,
                "device": torch.cuda.get_device_name() if cuda else "cpu",
                "step_seconds": [round(t, 3) for t in self.times],
                "peak_allocated_gib": round(torch.cuda.max_memory_allocated() / GIB, 3) if cuda else None,
                "peak_reserved_gib": round(torch.cuda.max_memory_reserved() / GIB, 3) if cuda else None,
            }
            per_process["all"] = _gather(mine)

    work = args.work_dir or Path(tempfile.gettempdir()) / f"medreward-multi-gpu-{args.shape}"
    argv = [
        "--backend", "trl", "--dataset", "samples", "--max-steps", str(args.steps),
        "--output-dir", str(work / f"out-{launch.num_processes}"), "--no-load-in-4bit",
        "--precision", args.precision,
    ]  # fmt: skip
    if args.shape == "tiny":
        argv.append("--tiny")  # the example builds it (once per machine) and shortens completions
    else:
        model_dir = work / "model"
        with state.local_main_process_first():
            if state.is_local_main_process and not (model_dir / "config.json").is_file():
                build_tiny_gemma(model_dir, seed=0, dtype="float16", **GEMMA3_1B_ARCHITECTURE)
        argv += ["--model", str(model_dir)]
    for field in BATCH_FLAGS:
        if getattr(args, field) is not None:
            argv += ["--" + field.replace("_", "-"), str(getattr(args, field))]
    example = load_example()
    recipe = example.build_recipe(example.parse_args(argv), num_processes=launch.num_processes)
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    timer = StepTimer()
    started = time.perf_counter()
    code = example.main(argv, callbacks=[timer])
    total = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"the example exited with {code}")
    if not launch.is_main_process:
        return None
    return make_record(args, recipe, distributed_type, precision, per_process["all"], total)


def make_record(
    args: argparse.Namespace,
    recipe: Any,
    distributed_type: str,
    precision: str,
    processes: list[dict[str, Any]],
    wall_seconds: float,
) -> dict[str, Any]:
    """One JSON record from every process's measurements; ``recipe``: the example's, as it ran."""
    from medreward.training.distributed import LaunchEnvironment

    grpo = {f: getattr(args, f) for f in BATCH_FLAGS if getattr(args, f) is not None}
    batch = recipe.generation_batch()
    num_processes = batch.num_processes
    for process in processes:
        times = process["step_seconds"]
        later = times[1:] or times
        process["first_step_seconds"] = times[0] if times else None
        process["median_later_step_seconds"] = round(statistics.median(later), 3) if later else None
    # The processes wait for each other every step: the slowest one sets the pace.
    step = max(p["median_later_step_seconds"] or 0.0 for p in processes)
    allocated = [p["peak_allocated_gib"] for p in processes if p["peak_allocated_gib"] is not None]
    return {
        "backend": "trl",
        "shape": args.shape,
        "distributed_type": distributed_type,
        "num_processes": num_processes,
        "baseline": num_processes == 1,
        "precision": precision,  # what the example trained in
        "precision_flag": args.precision,
        "mixed_precision_launcher": LaunchEnvironment.from_env().mixed_precision,
        "batch_flags": grpo,
        "generation_batch": batch.as_dict(),
        "max_completion_length": recipe.grpo.max_completion_length,
        "steps": args.steps,
        "median_later_step_seconds": step,
        # One generation batch per optimizer step (steps_per_generation = gradient accumulation).
        "completions_per_second": round(batch.size / step, 3) if step else None,
        "max_peak_allocated_gib": max(allocated) if allocated else None,
        "per_process": processes,
        "wall_seconds_including_load": round(wall_seconds, 1),
        "versions": _versions(),
        "command": " ".join(["benchmarks/multi_gpu_step.py", *sys.argv[1:]]),
        "launch": {k: os.environ[k] for k in ("WORLD_SIZE", "ACCELERATE_USE_DEEPSPEED") if k in os.environ},
    }


def append_record(path: Path, record: dict[str, Any]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(path.read_text()) if path.exists() else []
    records.append(record)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, indent=2) + "\n")
    return records


def _key(record: dict[str, Any]) -> tuple[Any, ...]:
    return (record["shape"], record["precision"], json.dumps(record["batch_flags"], sort_keys=True))


def report(records: list[dict[str, Any]]) -> str:
    """A plain-text table; scaling = completions/s against N x the one-process baseline of the same
    shape, precision and batch flags that comes last before the record (each session's own)."""
    baselines: dict[tuple[Any, ...], dict[str, Any]] = {}
    header = "shape     launch       procs  step s  compl/s  scaling  peak alloc GiB per GPU"
    lines = [header, "-" * len(header)]
    for r in records:
        if r["num_processes"] == 1:
            baselines[_key(r)] = r
        base = baselines.get(_key(r))
        scaling = "baseline" if r["num_processes"] == 1 else "-"
        if r["num_processes"] > 1 and base and base["completions_per_second"] and r["completions_per_second"]:
            ideal = base["completions_per_second"] * r["num_processes"]
            scaling = f"{r['completions_per_second'] / ideal:.0%}"
        memory = ", ".join(
            "-" if p["peak_allocated_gib"] is None else f"{p['peak_allocated_gib']:.2f}"
            for p in r["per_process"]
        )
        lines.append(
            f"{r['shape']:9} {r['distributed_type']:12} {r['num_processes']:5} "
            f"{r['median_later_step_seconds']:7.2f} {r['completions_per_second'] or 0:8.2f} "
            f"{scaling:>8}  {memory}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report:
        print(report(json.loads(args.report.read_text())))
        return 0
    record = run(args)
    if record is not None:  # the main process
        records = append_record(args.output, record)
        print(json.dumps(record, indent=2))
        print(report(records))
    return 0


if __name__ == "__main__":
    sys.exit(main())
