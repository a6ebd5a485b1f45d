"""Time and memory of every reward on pathological inputs: is the cost linear, with no blow-up?

Inputs come from :func:`medreward.tools.gauntlet.pathological_inputs` (the same ones that
``tests/test_reliability.py`` checks for defined scores): megabytes of prose with and without tags,
100k repetitions of each tag, unclosed tags, repeated blocks, a megabyte solution block against a
short and a long reference, a megabyte reference, one huge token, punctuation, digit and whitespace
runs, and a message of many text parts. Each is scored by ``match_format_exactly``,
``match_format_approximately``, ``check_answer`` and their sum ``combined(...)``, called as TRL
calls them, at every ``--sizes`` (MB of the variable part).

Method: the lexicon is loaded first; every (input, reward) measurement runs in a forked child (so
that a blow-up is cut off at ``--limit`` seconds and reported as a timeout instead of hanging the
run); the child times ``--repeats`` calls with ``time.perf_counter`` and keeps the best, then
measures peak Python allocation of one more call with ``tracemalloc``. ``ms/MB`` divides by the
input's size in MB (completion text plus reference); the target is < 50 ms per MB. Comparing the
``ms/MB`` of one input across sizes shows whether its cost is linear.

Run from the repository root::

    python benchmarks/pathological_inputs.py [--sizes 1 4] [--limit 30] [--output PATH]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import time
import tracemalloc
from pathlib import Path
from typing import Any

import medreward
from medreward import check_answer, combined, default_rewards
from medreward.completions import completion_text
from medreward.tools.gauntlet import pathological_inputs

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "pathological_inputs.json"
REWARDS = [*default_rewards(), combined(*default_rewards(), name="total")]
TARGET_MS_PER_MB = 50.0


def _measure(connection: Any, reward_index: int, completion: Any, answer: str, repeats: int) -> None:
    reward = REWARDS[reward_index]
    best = float("inf")
    scores: list[float | None] = []
    for _ in range(repeats):
        start = time.perf_counter()
        scores = reward(completions=[completion], answer=[answer])
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    reward(completions=[completion], answer=[answer])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    connection.send({"seconds": best, "peak_bytes": peak, "scores": scores})


def measure(reward_index: int, completion: Any, answer: str, repeats: int, limit: float) -> dict[str, Any]:
    """One reward on one input, in a forked child cut off after ``limit`` seconds."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_measure, args=(sender, reward_index, completion, answer, repeats))
    child.start()
    sender.close()
    try:
        if receiver.poll(limit):
            result: dict[str, Any] = receiver.recv()
            return result
        return {"seconds": None, "peak_bytes": None, "scores": None, "timeout_s": limit}
    finally:
        child.kill()
        child.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1.0, 4.0], help="MB of the variable part")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--limit", type=float, default=30.0, help="seconds before a measurement is cut off")
    parser.add_argument("--only", nargs="*", help="input kinds to run (default: all)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()

    check_answer(completions=["warm"], answer=["up"])  # load the lexicon once, before forking
    names = [r.__name__ for r in REWARDS]
    header = f"{'input':<32} {'MB':>6} " + " ".join(f"{n[:20]:>22}" for n in names) + f" {'peak MB':>8}"
    print(f"ms per call (ms/MB); target < {TARGET_MS_PER_MB:.0f} ms/MB; cut off after {args.limit:.0f} s\n")
    print(header)
    print("-" * len(header))
    results: list[dict[str, Any]] = []
    for size_mb in args.sizes:
        for kind, (completion, answer) in pathological_inputs(int(size_mb * 1_000_000)).items():
            if args.only and kind not in args.only:
                continue
            megabytes = (len(completion_text(completion).encode("utf-8", "replace")) + len(answer)) / 1e6
            cells, peak = [], 0
            for index, name in enumerate(names):
                m = measure(index, completion, answer, args.repeats, args.limit)
                seconds = m["seconds"]
                ms_per_mb = None if seconds is None else seconds * 1000 / megabytes
                results.append(
                    {
                        "input": kind,
                        "nominal_mb": size_mb,
                        "mb": megabytes,
                        "reward": name,
                        "ms": None if seconds is None else seconds * 1000,
                        "ms_per_mb": ms_per_mb,
                        "within_target": ms_per_mb is not None and ms_per_mb < TARGET_MS_PER_MB,
                        "peak_alloc_mb": None if m["peak_bytes"] is None else m["peak_bytes"] / 1e6,
                        "scores": m["scores"],
                        "timeout_s": m.get("timeout_s"),
                    }
                )
                peak = max(peak, m["peak_bytes"] or 0)
                if seconds is None:
                    cells.append(f">{args.limit:.0f} s TIMEOUT")
                else:
                    flag = "" if ms_per_mb is not None and ms_per_mb < TARGET_MS_PER_MB else "!"
                    cells.append(f"{seconds * 1000:.1f} ({ms_per_mb:.0f}){flag}")
            print(
                f"{kind:<32} {megabytes:6.2f} " + " ".join(f"{c:>22}" for c in cells) + f" {peak / 1e6:8.1f}"
            )
    over = sorted({(r["input"], r["reward"]) for r in results if not r["within_target"]})
    print(f"\n! = over the target. {len(over)} (input, reward) pairs over it or cut off:")
    for kind, name in over:
        print(f"  {kind} / {name}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "medreward_version": medreward.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "target_ms_per_mb": TARGET_MS_PER_MB,
        "limit_s": args.limit,
        "repeats": args.repeats,
        "results": results,
    }
    args.output.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
