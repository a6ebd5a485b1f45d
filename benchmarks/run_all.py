"""Run every CPU benchmark, then write ``benchmarks/results/summary.md`` from their JSON results.

One command for all of them, in order: the judging suite (``judging_suite.py``), answer-judging
accuracy on the development rows (``answer_judging.py``), the hacking gauntlet
(``hacking_gauntlet.py``), reward throughput (``reward_throughput.py``) and ``medreward score``
throughput (``cli_throughput.py``). Each writes its JSON to ``benchmarks/results/``; the summary
is a set of markdown tables built only from those files (the README and the documentation site
include it). The GPU benchmark
(``gpu_training_step.py``) needs a CUDA machine and is not run here, but its committed results are
summarized too.

Run from the repository root::

    python benchmarks/run_all.py              # about 2 minutes on 2 cores
    python benchmarks/run_all.py --quick      # shorter measurements, for a smoke test
    python benchmarks/run_all.py --summary-only   # rebuild summary.md from the existing JSON
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SUMMARY = RESULTS / "summary.md"

# (script, its arguments in --quick mode)
BENCHMARKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("judging_suite.py", ()),
    ("answer_judging.py", ()),
    ("hacking_gauntlet.py", ()),
    ("long_reference_probes.py", ()),
    ("reward_throughput.py", ("--min-seconds", "0.2", "--repeats", "3")),
    ("cli_throughput.py", ("--rows", "2000", "--repeats", "1")),
)


def _load(name: str) -> Any:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    """A markdown table; ``align`` has one letter per column, ``l`` or ``r`` (default: l, then r)."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]
    return [f"| {' | '.join(line)} |" for line in (header, rule, *rows)]


def _judging(data: dict[str, Any]) -> list[str]:
    counts = data["row_counts"]
    pairs = data["category_pairs"]  # a count (older results: the list of pairs)
    pair_count = pairs if isinstance(pairs, int) else len(pairs)
    lines = [
        "### Answer judging",
        "",
        f"`benchmarks/answer_judging.py`: {counts['rows_used']} development rows "
        f"({counts['rows_response_states_answer']} whose `Response` states the answer verbatim), "
        f"{pair_count} hand-labelled pairs. Ranking: share of rows where the right "
        "completion scores strictly above every wrong one (ties fail).",
        "",
    ]
    columns = (
        ("long_response", "vs long `Response`"),
        ("long_response_states_answer", "vs `Response` stating the answer"),
        ("long_response_endorses_answer", "vs `Response` endorsing the answer (labels)"),
        ("long_response_endorsed_option", "option the `Response` endorses first (labels)"),
        ("short_ground_truth", "vs short answer"),
    )
    header = ["judge", *(title for _, title in columns), "hand-labelled pairs"]
    rows = []
    for judge, ranking in data["ranking"].items():
        category = data["categories"].get(judge, {})
        rows.append(
            [
                f"`{judge}`",
                *(f"{ranking[key]['accuracy']:.1%}" for key, _ in columns),
                f"{category['overall']:.1%}" if "overall" in category else "-",
            ]
        )
    return [*lines, *_table(header, rows)]


def _suite(data: dict[str, Any]) -> list[str]:
    results = data["results"]
    judges = [k for k in results["test"]["ALL"] if k != "groups"]
    rows = [
        [kind, str(results["tune"].get(kind, {}).get("groups", 0)), str(row["groups"]),
         *(f"{results['tune'].get(kind, {}).get(j, float('nan')):.3f} / {row[j]:.3f}" for j in judges)]
        for kind, row in results["test"].items()
    ]  # fmt: skip
    return [
        "### Judging suite",
        "",
        f"`benchmarks/judging_suite.py`: {data['groups']} groups (one reference, answers a clinician "
        "accepts, near misses a clinician rejects); a group is won when every accepted answer scores "
        "strictly above every rejected one. Share of groups won, tune half / test half (the test half "
        "is only read to report).",
        "",
        *_table(["kind", "tune", "test", *judges], rows),
        *_paid(data.get("check_answer_rejected_above_zero")),
    ]


def _paid(paid: dict[str, dict[str, int]] | None) -> list[str]:
    """The rejected answers check_answer pays, per half (results from before the count: nothing)."""
    if not paid:
        return []
    halves = ", ".join(f"{c['above_zero']} of {c['rejected']} ({split} half)" for split, c in paid.items())
    return [
        "",
        f"Rejected answers that `check_answer` scores above 0 (a near miss a policy is paid for): {halves}.",
    ]


def _gauntlet(data: dict[str, Any]) -> list[str]:
    rates = data.get("development_rows") or []
    if not rates:
        return [
            "### Hacking gauntlet",
            "",
            "No development-row results: run `benchmarks/hacking_gauntlet.py`.",
        ]
    by_case: dict[str, dict[str, Any]] = {}
    for r in rates:
        by_case.setdefault(r["case"], {})[r["reference"]] = r
    rows = [
        [case, *(f"{kinds[k]['below_honest']:.3f}" if k in kinds else "-" for k in ("short", "long"))]
        for case, kinds in by_case.items()
    ]
    met = sum(r["meets_bar"] for r in rates)
    return [
        "### Hacking gauntlet",
        "",
        "`benchmarks/hacking_gauntlet.py` on the development rows: the share of rows on which each hack's "
        "total of the three default rewards stays strictly below the honest answer's (short: the "
        "Ground-True Answer, every row; long: the Response, rows whose Response endorses the answer). "
        f"Bar 0.95: {met} of {len(rates)} case x reference pairs meet it.",
        "",
        *_table(["hack", "short", "long"], rows),
    ]


def _throughput(data: dict[str, Any]) -> list[str]:
    batch = data["batch"]
    lines = [
        "### Reward throughput",
        "",
        f"`benchmarks/reward_throughput.py`: GRPO-shaped batches of {batch['completions']} completions "
        f"of about {batch['completion_chars']['median']:.0f} characters against the long `Response`, "
        f"one core ({data['cpu']}), median of {data['method']['repeats']} runs.",
        "",
    ]
    rows = [
        [
            r["reward"],
            r["implementation"],
            f"{r['completions_per_second']:,.0f}",
            f"{r['min']:,.0f} - {r['max']:,.0f}",
        ]
        for r in data["throughput"]
    ]
    lines += _table(["reward", "implementation", "completions/s", "range"], rows, "llrr")
    rss = data["peak_rss_kib"]["after_first_check_answer"]["vm_hwm"] / 1024
    lines += [
        "",
        f"`import medreward`: {data['import_seconds']['median'] * 1e3:.0f} ms (median of fresh "
        f"interpreters); peak RSS after the first `check_answer` call: {rss:.1f} MiB.",
    ]
    return lines


def _cli(data: dict[str, Any]) -> list[str]:
    lines = [
        "### `medreward score` throughput",
        "",
        f"`benchmarks/cli_throughput.py`: `{data['command']}`, {data['rows']:,} rows "
        f"({data['file_bytes'] / 1e6:.1f} MB) on {data['cpu_count']} CPUs, median of "
        f"{data['method']['repeats']} runs; scored files identical across worker counts: "
        f"{'yes' if data['identical_across_workers'] else 'NO'}.",
        "",
    ]
    rows = [
        [str(r["workers"]), f"{r['rows_per_second']:,.0f}", f"{r['median_seconds']:.2f}"]
        for r in data["results"]
    ]
    return lines + _table(["workers", "rows/s", "seconds"], rows)


def _gpu(data: list[dict[str, Any]]) -> list[str]:
    lines = [
        "### GPU training step (not rerun by `run_all.py`)",
        "",
        "`benchmarks/gpu_training_step.py` on a CUDA machine: the recipe's GRPO step "
        f"({data[0]['batch_shape']}).",
        "",
    ]
    rows = [
        [
            r["backend"],
            r["shape"] + (" (4-bit)" if r.get("load_in_4bit") else ""),
            r["device"],
            f"{r['first_step_seconds']:.1f}",
            f"{r['median_later_step_seconds']:.1f}",
            f"{r['peak_allocated_gib']:.2f}",
        ]
        for r in data
    ]
    header = ["backend", "model", "device", "first step (s)", "later steps (s)", "peak GiB"]
    return lines + _table(header, rows, "lllrrr")


def write_summary(path: Path = SUMMARY) -> str:
    """Build the markdown summary from the JSON results present; write it to ``path``."""
    sections = [
        ("judging_suite", _suite),
        ("answer_judging", _judging),
        ("hacking_gauntlet", _gauntlet),
        ("reward_throughput", _throughput),
        ("cli_throughput", _cli),
        ("gpu_training_step", _gpu),
    ]
    versions = set()
    parts: list[str] = []
    for name, render in sections:
        data = _load(name)
        if data is None:
            parts.append(f"### `{name}.py`\n\nNo results yet: run `python benchmarks/{name}.py`.")
            continue
        if isinstance(data, dict) and "medreward_version" in data:
            python = data.get("python_version") or data.get("python")
            versions.add(f"medreward {data['medreward_version']}, Python {python}")
        parts.append("\n".join(render(data)))
    head = (
        "<!-- Generated by benchmarks/run_all.py from benchmarks/results/*.json: do not edit. -->\n\n"
        f"Measured with {'; '.join(sorted(versions))}. Timings depend on the machine and its load: "
        "compare rows of one table, not numbers across machines.\n\n"
    )
    text = head + "\n\n".join(parts) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="shorter measurements (a smoke test)")
    parser.add_argument("--summary-only", action="store_true", help="only rebuild summary.md from the JSON")
    parser.add_argument("--data", type=Path, help="the development rows, passed on to every benchmark")
    args = parser.parse_args(argv)
    failed = []
    if not args.summary_only:
        for script, quick_args in BENCHMARKS:
            command = [sys.executable, str(HERE / script), *(quick_args if args.quick else ())]
            if args.data is not None:
                command += ["--data", str(args.data)]
            print(f"\n=== {script} ===", flush=True)
            started = time.perf_counter()
            code = subprocess.run(command, check=False).returncode
            print(f"=== {script}: exit {code}, {time.perf_counter() - started:.0f} s ===", flush=True)
            if code != 0:
                failed.append(script)
    write_summary()
    print(f"\nwrote {SUMMARY}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
