"""benchmarks/run_all.py: the summary is built from the committed JSON results alone."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _run_all() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_all", BENCHMARKS / "run_all.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_all"] = module
    spec.loader.exec_module(module)
    return module


def test_summary_has_a_table_per_benchmark(tmp_path: Path) -> None:
    text = _run_all().write_summary(tmp_path / "summary.md")
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == text
    for heading in ("### Answer judging", "### Reward throughput", "score` throughput", "### GPU training"):
        assert heading in text
    assert "| `check_answer` |" in text and "| match_format_exactly | medreward |" in text


def test_the_paid_near_misses_are_summarized_per_half() -> None:
    lines = _run_all()._paid(
        {"tune": {"rejected": 10, "above_zero": 2}, "test": {"rejected": 8, "above_zero": 1}}
    )
    assert lines[-1].endswith("2 of 10 (tune half), 1 of 8 (test half).")
    assert _run_all()._paid(None) == []  # results written before the count
