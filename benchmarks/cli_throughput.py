"""End-to-end throughput of ``medreward score``: rows/second for a JSONL file, by worker count.

The file is written the way ``reward_throughput.py`` builds its batches (``random.Random(0)``): rows
of about 1,000 characters in the seed format, the reasoning cut from the shared data's
``Complex_CoT``, the solution the row's answer or a wrong option, and the long ``Response`` as the
reference (or ``medreward.samples.load_samples()`` when the shared data is absent). The command is
timed as a user runs it, in a fresh process (interpreter start, reading and checking the file,
scoring every default reward, writing the scored rows), once per worker count and repeat; the table
shows the median. The scored files of every worker count are checked to be byte-identical.

Run from the repository root::

    python benchmarks/cli_throughput.py [--rows 8000] [--workers 1 2] [--output PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from reward_throughput import DEFAULT_DATA, build_batches, load_sources

import medreward

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "cli_throughput.json"


def write_input(path: Path, data: Path, rows: int) -> str:
    """Write ``rows`` rows to ``path``; return the name of their source."""
    sources, source_name = load_sources(data)
    per_batch = len(build_batches(sources, 1)[0].completions)
    written = 0
    with path.open("w", encoding="utf-8") as handle:
        for batch in build_batches(sources, -(-rows // per_batch)):
            for prompt, completion, answer in zip(batch.prompts, batch.completions, batch.answer):
                if written == rows:
                    break
                row = {"prompt": prompt, "completion": completion, "answer": answer}
                handle.write(json.dumps(row) + "\n")
                written += 1
    return source_name


def run_score(path: Path, output: Path, workers: int) -> float:
    """Seconds one ``medreward score`` run takes, as a user runs it."""
    command = [sys.executable, "-m", "medreward.tools.cli", "score", str(path), "--output", str(output)]
    started = time.perf_counter()
    done = subprocess.run([*command, "--workers", str(workers)], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"medreward score failed ({done.returncode}): {done.stderr}")
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help=f"JSONL rows (default: {DEFAULT_DATA})"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the JSON results")
    parser.add_argument("--rows", type=int, default=8000, help="rows in the scored file (default 8000)")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=None, help="worker counts (default: 1 and the CPU count)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per worker count (median reported)")
    args = parser.parse_args(argv)
    cpus = os.cpu_count() or 1
    worker_counts: list[int] = args.workers or sorted({1, cpus})

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.jsonl"
        source_name = write_input(path, args.data, args.rows)
        size = path.stat().st_size
        load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
        runs: dict[int, list[float]] = {w: [] for w in worker_counts}
        for _ in range(args.repeats):  # interleaved, so that drifting load affects every count alike
            for workers in worker_counts:
                runs[workers].append(run_score(path, Path(tmp) / f"out-{workers}.jsonl", workers))
        load_after = os.getloadavg() if hasattr(os, "getloadavg") else None
        outputs = {(Path(tmp) / f"out-{w}.jsonl").read_bytes() for w in worker_counts}
        identical = len(outputs) == 1

    results = [
        {
            "workers": w,
            "rows_per_second": args.rows / statistics.median(runs[w]),
            "median_seconds": statistics.median(runs[w]),
            "runs_seconds": runs[w],
        }
        for w in worker_counts
    ]
    print(f"medreward {medreward.__version__}, Python {platform.python_version()}, {cpus} CPUs")
    print(f"source {source_name}: {args.rows} rows, {size / 1e6:.1f} MB; median of {args.repeats} runs\n")
    print(f"{'workers':>7}  {'rows/s':>8}  {'seconds':>8}")
    for r in results:
        print(f"{r['workers']:>7}  {r['rows_per_second']:>8,.0f}  {r['median_seconds']:>8.2f}")
    print(f"\nscored files identical across worker counts: {identical}")

    output = {
        "benchmark": "cli_throughput",
        "medreward_version": medreward.__version__,
        "python_version": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": cpus,
        "load_average_before_after": [load_before, load_after],
        "source": source_name,
        "rows": args.rows,
        "file_bytes": size,
        "command": "medreward score INPUT.jsonl --output OUT.jsonl --workers N (fresh process, end to end)",
        "method": {"repeats": args.repeats, "statistic": "median"},
        "results": results,
        "identical_across_workers": identical,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(output, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
