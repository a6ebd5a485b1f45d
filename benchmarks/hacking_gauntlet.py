"""The reward-hacking gauntlet as a table: every hack's total against the honest answer's.

Runs :func:`medreward.gauntlet.run_gauntlet` (the same cases as ``tests/test_gauntlet.py``) on
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

import medreward
from medreward.gauntlet import CASES, GauntletOutcome, run_gauntlet
from medreward.samples import load_samples

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "hacking_gauntlet.json"
KINDS = ("short", "long")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    samples = load_samples()
    outcomes = run_gauntlet(samples)
    rows = summarize(outcomes)
    print(
        f"{len(samples)} sample rows, {len(CASES)} cases; totals are the sum of the three default rewards\n"
    )
    print_table(rows)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "medreward_version": medreward.__version__,
        "python": platform.python_version(),
        "rows": len(samples),
        "summary": rows,
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
