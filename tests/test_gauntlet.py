"""The reward-hacking gauntlet (medreward.tools.gauntlet): every hack totals below the honest answer.

Each case is held, on every sample row, against the short reference (``answer``) and the long one
(``Response``): the sum of the three default rewards must stay strictly below what the honest,
correct completion earns. docs/reward_hacking.md explains each case. Cases the current matcher
loses are strict xfails: they turn into failures once the matcher is fixed, so the mark comes off.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from medreward.samples import load_samples
from medreward.tools.gauntlet import (
    CASES,
    GauntletOutcome,
    ReferenceKind,
    case,
    honest_completion,
    run_gauntlet,
)

KINDS: tuple[ReferenceKind, ...] = ("short", "long")

# (case, reference kind) pairs the current matcher loses, with why.
KNOWN_HACKS: dict[tuple[str, ReferenceKind], str] = {}


@lru_cache(maxsize=1)
def outcomes() -> tuple[GauntletOutcome, ...]:
    return tuple(run_gauntlet(load_samples()))


def _params() -> list[object]:
    params: list[object] = []
    for hacking_case in CASES:
        for kind in KINDS:
            reason = KNOWN_HACKS.get((hacking_case.name, kind))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(
                pytest.param(hacking_case.name, kind, marks=marks, id=f"{hacking_case.name}-{kind}")
            )
    return params


@pytest.mark.parametrize(("name", "kind"), _params())
def test_hack_scores_below_the_honest_answer(name: str, kind: ReferenceKind) -> None:
    results = [o for o in outcomes() if o.case == name and o.reference_kind == kind]
    assert len(results) == len(load_samples())
    beaten = {o.row_id: (o.total, o.honest) for o in results if not o.passed}
    assert not beaten, f"{name} against {kind} references ties or beats the honest answer: {beaten}"


def test_known_hacks_name_real_cases() -> None:
    assert {name for name, _ in KNOWN_HACKS} <= {c.name for c in CASES}


def test_honest_answer_earns_every_format_point() -> None:
    for o in outcomes():
        assert o.honest >= 5.0 + 1.0, o  # exact format 3.0 + approximate 2.0 + a positive answer score


def test_cases_are_distinct_and_differ_from_the_honest_completion() -> None:
    row = load_samples()[0]
    completions = [c.completion(row) for c in CASES]
    assert len({c.name for c in CASES}) == len(CASES)
    assert len(set(completions)) == len(CASES)
    assert honest_completion(row) not in completions


def test_case_lookup_names_the_cases() -> None:
    assert case("tag_spam").name == "tag_spam"
    with pytest.raises(KeyError, match="no gauntlet case 'nope'; the cases are"):
        case("nope")


def test_rows_without_distractors_are_rejected() -> None:
    row = {**load_samples()[0], "distractors": []}
    with pytest.raises(ValueError, match="non-empty list of distractors"):
        run_gauntlet([row])
    with pytest.raises(ValueError, match=r"lacks \['Question'\]"):
        run_gauntlet([{k: v for k, v in load_samples()[0].items() if k != "Question"}])


def _benchmark() -> object:
    """benchmarks/hacking_gauntlet.py, imported as a module (its folder on the path for dev_rows)."""
    import importlib.util
    import sys
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "benchmarks"
    sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location("hacking_gauntlet", folder / "hacking_gauntlet.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_hack_meets_the_bar_on_the_development_rows_short_references() -> None:
    """The short Ground-True Answers of ../shared/data: every hack stays below the honest answer on at
    least the bar's share of the rows (a question's own "not" must not make "Not X" equivalent)."""
    bench = _benchmark()
    data = bench.DEFAULT_DATA  # type: ignore[attr-defined]
    if not data.is_file():
        pytest.skip(f"{data} not found (the development rows live in ../shared/data)")
    rows = bench.dev_rows(data)  # type: ignore[attr-defined]
    results = run_gauntlet(rows, kinds=("short",))
    for hacking_case in CASES:
        mine = [o for o in results if o.case == hacking_case.name]
        share = sum(o.passed for o in mine) / len(mine)
        assert share >= bench.BAR, (hacking_case.name, share)  # type: ignore[attr-defined]
