"""``medreward score``: reading, batching, workers, output, summary, report and input errors."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from medreward import check_answer, match_format_approximately, match_format_exactly
from medreward.cli import main
from medreward.scoring import InputError, read_rows, score_rows, summarize

from .conftest import as_message, formatted

REWARDS = ("match_format_exactly", "match_format_approximately", "check_answer")


def _rows(n: int = 40) -> list[dict[str, Any]]:
    """Rows of every kind: right, wrong, unformatted, message lists, and rows without a reference."""
    kinds = [
        (formatted("Low potassium.", "Hypokalemia"), "Hypokalemia"),
        (formatted("Low potassium.", "Hyperkalemia"), "Hypokalemia"),
        ("The answer is Crohn disease.", "Crohn's disease"),
        (as_message(formatted("Iron studies.", "Iron deficiency anemia")), "Iron-deficiency anaemia"),
        (formatted("Unknown.", "Sarcoidosis"), None),
    ]
    return [
        {
            "prompt": f"question {i}",
            "completion": kinds[i % len(kinds)][0],
            "answer": kinds[i % len(kinds)][1],
        }
        for i in range(n)
    ]


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def input_file(tmp_path: Path) -> Path:
    return _write_jsonl(tmp_path / "in.jsonl", _rows())


def test_scores_match_calling_the_rewards_directly(input_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["score", str(input_file), "--output", str(out)]) == 0
    rows, scored = _rows(), _read_jsonl(out)
    assert len(scored) == len(rows)
    completions = [r["completion"] for r in rows]
    answers = [r["answer"] for r in rows]
    expected = {
        "match_format_exactly": match_format_exactly(completions=completions),
        "match_format_approximately": match_format_approximately(completions=completions),
        "check_answer": check_answer(completions=completions, answer=answers),
    }
    for i, (row, out_row) in enumerate(zip(rows, scored)):
        assert {k: out_row[k] for k in row} == row  # every input field is written back unchanged
        for name in REWARDS:
            assert out_row[name] == expected[name][i], (i, name)
    # Rows without a reference: check_answer is null, the format rewards still score.
    assert all(r["check_answer"] is None and r["match_format_exactly"] == 3.0 for r in scored[4::5])


def test_summary_table_is_printed(input_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(input_file)]) == 0
    out = capsys.readouterr().out
    for word in (*REWARDS, "mean", "std", "min", "max", "zeros", "40 rows"):
        assert word in out


def test_workers_give_identical_results(input_file: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert main(["score", str(input_file), "--output", str(one), "--batch-size", "7"]) == 0
    assert main(["score", str(input_file), "--output", str(two), "--batch-size", "7", "--workers", "2"]) == 0
    assert one.read_bytes() == two.read_bytes()


def test_rewards_are_called_in_batches_in_order() -> None:
    rows = _rows(600)
    seen: list[int] = []
    batched = score_rows(rows, batch_size=256, progress=seen.append)
    assert seen == [256, 256, 88]
    assert batched == score_rows(rows, batch_size=600)


def test_answer_column(tmp_path: Path) -> None:
    rows = [{"completion": r["completion"], "gold": r["answer"]} for r in _rows(10)]
    path, out = _write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl"
    assert main(["score", str(path), "--answer-column", "gold", "--output", str(out)]) == 0
    assert [r["check_answer"] for r in _read_jsonl(out)] == check_answer(
        completions=[r["completion"] for r in rows], answer=[r["gold"] for r in rows]
    )


def test_summary_statistics() -> None:
    s = summarize({"r": [1.0, 0.0, None, 3.0, 0.0]})["r"]
    assert (s.scored, s.missing, s.min, s.max, s.zero_share) == (4, 1, 0.0, 3.0, 0.5)
    assert s.mean == 1.0 and math.isclose(s.std, math.sqrt(1.5))
    assert summarize({"r": [None]})["r"].scored == 0


def test_report_is_a_png(input_file: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.png"
    assert main(["score", str(input_file), "--report", str(report)]) == 0
    assert report.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_real_command_writes_rows_to_stdout(input_file: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "medreward.cli", "score", str(input_file), "--output", "-"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 40 and all(name in rows[0] for name in REWARDS)
    assert "check_answer" in result.stderr  # the summary goes to stderr when rows go to stdout


# --------------------------------------------------------------------------------------------------
# Malformed input: exit status 2, a message naming the line, never a traceback.
# --------------------------------------------------------------------------------------------------

GOOD = json.dumps({"completion": "x", "answer": "y"})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (f"{GOOD}\n{GOOD}\n{{not json\n", "line 3: invalid JSON"),
        (f"{GOOD}\n\n{json.dumps({'answer': 'y'})}\n", "line 3: no 'completion' column"),
        (f"{GOOD}\n{json.dumps({'completion': 'x'})}\n", "line 2: no reference column 'answer'"),
        (f"{json.dumps({'completion': 5, 'answer': 'y'})}\n", "line 1: 'completion' must be a string"),
        (
            f"{json.dumps({'completion': 'x', 'answer': {'a': 1}})}\n",
            "line 1: the reference 'answer' must be",
        ),
        ("[1, 2]\n", "line 1: expected a JSON object"),
        ("\n  \n", "no rows"),
    ],
)
def test_malformed_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    assert main(["score", str(path), "--output", str(tmp_path / "out.jsonl")]) == 2
    err = capsys.readouterr().err
    assert message in err and str(path) in err and "Traceback" not in err
    assert not (tmp_path / "out.jsonl").exists()  # nothing is written for a malformed file


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(GOOD.encode() + b'\n{"completion": "\xff", "answer": "y"}\n')
    with pytest.raises(InputError, match="line 2: not UTF-8"):
        read_rows(path)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--workers", "0"], "--workers must be at least 1"),
        (["--output", "/nonexistent-dir/out.jsonl"], "does not exist"),
        (["--report", "/nonexistent-dir/r.png"], "does not exist"),
    ],
)
def test_bad_arguments(
    input_file: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert main(["score", str(input_file), *extra]) == 2
    assert message in capsys.readouterr().err


def test_missing_file_in_a_real_process(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(f"{GOOD}\n{{oops\n", encoding="utf-8")
    for path, message in ((tmp_path / "absent.jsonl", "no such file"), (bad, "line 2: invalid JSON")):
        result = subprocess.run(
            [sys.executable, "-m", "medreward.cli", "score", str(path)], capture_output=True, text=True
        )
        assert result.returncode == 2
        assert message in result.stderr and "Traceback" not in result.stderr
