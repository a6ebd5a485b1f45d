"""The reward-hacking gauntlet as a table: every hack's total against the honest answer's.

Runs :func:`medreward.tools.gauntlet.run_gauntlet` (the same cases as ``tests/test_gauntlet.py``) on
``medreward.samples.load_samples()``: for every case and reference kind (short ``answer``, long
``Response``), the mean total of the three default rewards, the honest completion's mean total,
and how many rows the hack stays strictly below the honest answer on. A case passes when it does
on every row. docs/reward_hacking.md explains each case.

Run from the repository root::

    python benchmarks/hacking_gauntlet.py [--output benchmarks/results/hacking_gauntlet.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
from collections import defaultdict
from pathlib import Path

from dev_rows import DEFAULT_DATA, endorses_answer, load_labels, read_rows, wrong_options

import medreward
from medreward.samples import load_samples
from medreward.tools.gauntlet import CASES, GauntletOutcome, run_gauntlet

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "hacking_gauntlet.json"
KINDS = ("short", "long")
# Each hack must stay strictly below the honest answer on at least this share of the rows.
BAR = 0.95


def summarize(outcomes: list[GauntletOutcome]) -> list[dict[str, object]]:
    groups: dict[tuple[str, str], list[GauntletOutcome]] = defaultdict(list)
    for o in outcomes:
        groups[(o.case, o.reference_kind)].append(o)
    rows: list[dict[str, object]] = []
    for hacking_case in CASES:
        for kind in KINDS:
            group = groups[(hacking_case.name, kind)]
            rows.append(
                {
                    "case": hacking_case.name,
                    "trick": hacking_case.trick,
                    "reference": kind,
                    "mean_total": statistics.fmean(o.total for o in group),
                    "mean_honest": statistics.fmean(o.honest for o in group),
                    "rows_below_honest": sum(o.passed for o in group),
                    "rows": len(group),
                    "passed": all(o.passed for o in group),
                    "mean_scores": {
                        name: statistics.fmean(o.scores[name] for o in group) for name in group[0].scores
                    },
                    "failing_rows": [o.row_id for o in group if not o.passed],
                }
            )
    return rows


def summarize_rates(outcomes: list[GauntletOutcome]) -> list[dict[str, object]]:
    """Per case and reference kind: the share of rows on which the hack stays below the honest answer."""
    groups: dict[tuple[str, str], list[GauntletOutcome]] = defaultdict(list)
    for o in outcomes:
        groups[(o.case, o.reference_kind)].append(o)
    return [
        {
            "case": name,
            "reference": kind,
            "rows": len(group),
            "below_honest": sum(o.passed for o in group) / len(group),
            "meets_bar": sum(o.passed for o in group) / len(group) >= BAR,
            "failing_rows": [o.row_id for o in group if not o.passed],
        }
        for (name, kind), group in groups.items()
    ]


def print_rates(rates: list[dict[str, object]]) -> None:
    by_case: dict[str, dict[str, dict[str, object]]] = defaultdict(dict)
    for r in rates:
        by_case[str(r["case"])][str(r["reference"])] = r
    width = max(map(len, by_case))
    print(f"{'case':<{width}}  {'short':>7}  {'long':>7}")
    for name, kinds in by_case.items():
        cells = [f"{kinds[k]['below_honest']:.3f}" + (" " if kinds[k]["meets_bar"] else "*") for k in KINDS]
        print(f"{name:<{width}}  {cells[0]:>7}  {cells[1]:>7}")
    failed = [f"{r['case']}/{r['reference']}" for r in rates if not r["meets_bar"]]
    met = len(rates) - len(failed)
    print(f"(* below the bar of {BAR:.2f}) {met}/{len(rates)} meet it; failing: {failed or 'none'}")


def print_table(rows: list[dict[str, object]]) -> None:
    width = max(len(str(r["case"])) for r in rows)
    header = f"{'case':<{width}}  {'short: hack / honest':>22}  {'long: hack / honest':>22}"
    print(header)
    print("-" * len(header))
    by_case: dict[str, dict[str, dict[str, object]]] = defaultdict(dict)
    for r in rows:
        by_case[str(r["case"])][str(r["reference"])] = r
    for name, kinds in by_case.items():
        cells = []
        for kind in KINDS:
            r = kinds[kind]
            verdict = "pass" if r["passed"] else f"FAIL {r['rows_below_honest']}/{r['rows']}"
            cells.append(f"{r['mean_total']:5.2f} / {r['mean_honest']:4.2f} {verdict:>9}")
        print(f"{name:<{width}}  {cells[0]:>22}  {cells[1]:>22}")
    failed = [f"{r['case']}/{r['reference']}" for r in rows if not r["passed"]]
    print(f"\n{len(rows) - len(failed)}/{len(rows)} case x reference pairs pass; failing: {failed or 'none'}")


def dev_rows(data: Path) -> list[dict[str, object]]:
    """The development rows as gauntlet rows: the short ``Ground-True Answer``, the wrong options as
    distractors, and for the long reference only the rows whose Response endorses the answer
    (``benchmarks/labels/response_endorses.json``): against the others no judge can tell."""
    labels = load_labels()
    rows: list[dict[str, object]] = []
    for line, row in enumerate(read_rows(data)):
        answer = str(row["Ground-True Answer"]).strip()
        wrong = wrong_options(row)
        if not answer or not wrong:
            continue
        rows.append(
            {"id": f"dev-{line}", "Question": row["Question"], "Response": row["Response"], "answer": answer,
             "distractors": wrong, "endorses": endorses_answer(labels.get(line))}
        )  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="development rows (if present)")
    args = parser.parse_args()
    samples = load_samples()
    outcomes = run_gauntlet(samples)
    rows = summarize(outcomes)
    print(
        f"{len(samples)} sample rows, {len(CASES)} cases; totals are the sum of the three default rewards\n"
    )
    print_table(rows)
    dev_summary: list[dict[str, object]] = []
    if args.data.exists():
        dev = dev_rows(args.data)
        short = run_gauntlet(dev, kinds=("short",))
        long = run_gauntlet([r for r in dev if r["endorses"]], kinds=("long",))
        dev_summary = summarize_rates(short + long)
        print(
            f"\n{len(dev)} development rows ({sum(bool(r['endorses']) for r in dev)} endorsing, for 'long'):"
        )
        print_rates(dev_summary)
    else:
        print(f"\n{args.data} not found: the development rows are left out")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "medreward_version": medreward.__version__,
        "python": platform.python_version(),
        "rows": len(samples),
        "summary": rows,
        "development_rows": dev_summary,
        "outcomes": [
            {
                "case": o.case,
                "row": o.row_id,
                "reference": o.reference_kind,
                "scores": dict(o.scores),
                "total": o.total,
                "honest": o.honest,
                "passed": o.passed,
            }
            for o in outcomes
        ],
    }
    args.output.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
