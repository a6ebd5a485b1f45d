"""Step time and peak GPU memory of the reference recipe, Unsloth path against plain TRL + PEFT.

Runs examples/train_gemma_grpo.py itself (same loading code, same GRPOConfig) on a random model:

* ``--shape gemma-1b``: Gemma-3-1B's exact architecture (vocab 262,144, hidden 1,152, 26 layers,
  4 heads, 1 KV head, head_dim 256, sliding window 512, 5 local : 1 global layers), random weights
  saved in fp16; its sampled completions never stop early, so every step generates the full
  256 tokens: the worst case for memory and time;
* ``--shape tiny``: the example's tiny model, to check that a path trains at all.

Each run is one process (``--backend`` picks the path). It records the wall time of every optimizer
step (the first one includes warm-up and is reported apart) and ``torch.cuda.max_memory_allocated``
/ ``max_memory_reserved``, and appends a JSON record to ``--output``:

    python benchmarks/gpu_training_step.py --backend unsloth --shape gemma-1b --steps 3
    python benchmarks/gpu_training_step.py --backend trl --shape gemma-1b --steps 3
    python benchmarks/gpu_training_step.py --report benchmarks/results/gpu_training_step.json
"""

from __future__ import annotations

import argparse
import importlib.util
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

ROOT = Path(__file__).resolve().parents[1]
GIB = 2**30


def load_example() -> Any:
    """``examples/train_gemma_grpo.py`` as a module (the example is a script, not a package); the
    multi-GPU benchmark loads it through here too."""
    path = ROOT / "examples" / "train_gemma_grpo.py"
    spec = importlib.util.spec_from_file_location("train_gemma_grpo", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _versions() -> dict[str, str | None]:
    names = ("torch", "transformers", "trl", "peft", "accelerate", "unsloth", "unsloth_zoo", "bitsandbytes")
    installed = {d.metadata["Name"].lower().replace("-", "_"): d.version for d in metadata.distributions()}
    return {"python": platform.python_version(), **{name: installed.get(name) for name in names}}


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.backend == "unsloth":
        os.environ.setdefault("UNSLOTH_COMPILE_DISABLE", "1")
        import unsloth  # noqa: F401  (before transformers)
    import torch
    from transformers import TrainerCallback

    from medreward.training.recipe import GEMMA3_1B_ARCHITECTURE
    from medreward.training.tiny import build_tiny_gemma

    if not torch.cuda.is_available():
        raise SystemExit("this benchmark measures GPU step time and memory: no CUDA GPU here")

    class StepTimer(TrainerCallback):  # type: ignore[misc]
        def __init__(self) -> None:
            self.times: list[float] = []
            self._start = 0.0

        def on_step_begin(self, *_: Any, **__: Any) -> None:
            torch.cuda.synchronize()
            self._start = time.perf_counter()

        def on_step_end(self, *_: Any, **__: Any) -> None:
            torch.cuda.synchronize()
            self.times.append(time.perf_counter() - self._start)

    work = Path(tempfile.mkdtemp(prefix="medreward-gpu-"))
    shape = GEMMA3_1B_ARCHITECTURE if args.shape == "gemma-1b" else {}
    model_dir = build_tiny_gemma(work / "model", seed=0, dtype="float16", **shape)
    timer = StepTimer()
    argv = [
        "--backend", args.backend, "--model", str(model_dir), "--dataset", "samples",
        "--max-steps", str(args.steps), "--output-dir", str(work / "out"),
        "--load-in-4bit" if args.load_in_4bit else "--no-load-in-4bit", "--precision", args.precision,
    ]  # fmt: skip
    torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    code = load_example().main(argv, callbacks=[timer])
    total = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"the example exited with {code}")
    later = timer.times[1:] or timer.times
    return {
        "backend": args.backend,
        "shape": args.shape,
        "load_in_4bit": args.load_in_4bit,
        "device": torch.cuda.get_device_name(0),
        "steps": args.steps,
        "batch_shape": "recipe: per-device batch 6, gradient accumulation 4, 6 generations, 256 new tokens",
        "precision": args.precision,
        "step_seconds": [round(t, 3) for t in timer.times],
        "first_step_seconds": round(timer.times[0], 3),
        "median_later_step_seconds": round(statistics.median(later), 3),
        "peak_allocated_gib": round(torch.cuda.max_memory_allocated() / GIB, 3),
        "peak_reserved_gib": round(torch.cuda.max_memory_reserved() / GIB, 3),
        "wall_seconds_including_load": round(total, 1),
        "versions": _versions(),
        "command": "python benchmarks/gpu_training_step.py " + " ".join(sys.argv[1:]),
    }


def report(path: Path) -> None:
    records = json.loads(path.read_text())
    header = "backend  shape     4bit   first s  median s  peak alloc GiB  reserved"
    print(header)
    print("-" * len(header))
    for r in records:
        print(
            f"{r['backend']:8} {r['shape']:9} {r['load_in_4bit']!s:5} {r['first_step_seconds']:8.2f} "
            f"{r['median_later_step_seconds']:9.2f} {r['peak_allocated_gib']:15.2f} "
            f"{r['peak_reserved_gib']:9.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["unsloth", "trl"], default="unsloth")
    parser.add_argument("--shape", choices=["gemma-1b", "tiny"], default="gemma-1b")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--load-in-4bit", action=argparse.BooleanOptionalAction, default=False)
    parser.add_argument("--precision", choices=["fp16", "bf16"], default="fp16", help="fp16: as on a T4")
    default_output = ROOT / "benchmarks" / "results" / "gpu_training_step.json"
    parser.add_argument("--output", type=Path, default=default_output)
    parser.add_argument("--report", type=Path, help="print the table of an existing results file and exit")
    args = parser.parse_args()
    if args.report:
        report(args.report)
        return
    record = run(args)
    records = json.loads(args.output.read_text()) if args.output.exists() else []
    records.append(record)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(records, indent=2) + "\n")
    print(json.dumps(record, indent=2))
    report(args.output)


if __name__ == "__main__":
    main()
