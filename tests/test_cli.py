from __future__ import annotations

import json
import subprocess
import sys

import pytest

from medreward.tools.cli import main
from medreward.tools.demo import COMPLETION_KINDS, demo_table


def test_demo_prints_every_reward_for_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for name in ("match_format_exactly", "match_format_approximately", "check_answer", "total"):
        assert name in out
    for kind in COMPLETION_KINDS:
        assert kind in out


def test_demo_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--json"]) == 0
    assert json.loads(capsys.readouterr().out).keys() == COMPLETION_KINDS.keys()


def test_honest_answer_outscores_every_other_kind() -> None:
    table = demo_table()
    for kind, row in table.items():
        if kind != "right":
            assert row["total"] < table["right"]["total"], kind
            assert row["check_answer"] < table["right"]["check_answer"], kind
            assert row["check_answer_long_ref"] <= table["right"]["check_answer_long_ref"], kind


def test_import_does_not_pull_in_training_stack() -> None:
    code = (
        "import sys, medreward, medreward.tools.cli, medreward.tools.demo; "
        "print(sorted(m for m in ('torch', 'transformers', 'trl', 'datasets', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_console_script_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "medreward.tools.cli", "demo"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "right" in result.stdout


def test_json_outputs_carry_no_float_noise() -> None:
    from medreward.tools.scoring import clean_score

    result = subprocess.run(
        [sys.executable, "-m", "medreward.tools.cli", "demo", "--json"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    table = demo_table()
    assert printed == {k: {n: clean_score(v) for n, v in row.items()} for k, row in table.items()}
    for row in printed.values():
        for value in row.values():
            assert len(repr(abs(value)).replace(".", "").lstrip("0").rstrip("0")) <= 12, value
