"""``medreward score``: reading, batching, workers, output, summary, report and input errors."""

from __future__ import annotations

import gzip
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from medreward import check_answer, match_format_approximately, match_format_exactly
from medreward.tools.cli import main
from medreward.tools.scoring import (
    InputError,
    clean_score,
    read_rows,
    score_rows,
    score_rows_with_verdicts,
    summarize,
)

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
            # Written through clean_score: float noise is dropped, nothing else changes.
            assert out_row[name] == clean_score(expected[name][i]), (i, name)
            value = expected[name][i]
            assert value is None or math.isclose(out_row[name], value, rel_tol=1e-12), (i, name)
    # Rows without a reference: check_answer is null, the format rewards still score.
    assert all(r["check_answer"] is None and r["match_format_exactly"] == 3.0 for r in scored[4::5])


def test_summary_table_is_printed(input_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(input_file)]) == 0
    out = capsys.readouterr().out
    for word in (*REWARDS, "mean", "std", "min", "max", "zeros", "40 rows"):
        assert word in out


def test_summary_counts_check_answer_verdicts(input_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(input_file)]) == 0
    out = capsys.readouterr().out
    rows = _rows()
    verdicts = score_rows_with_verdicts(rows).verdicts["check_answer"]
    # Per 5 rows: exact, mismatch (opposite term), missing (no tags), equivalent, no reference.
    assert verdicts[:5] == ["exact", "mismatch", "missing", "equivalent", None]
    check_line = next(line for line in out.splitlines() if line.startswith("check_answer "))
    assert "%" not in check_line  # no share of zeros: check_answer never scores 0
    assert "check_answer verdicts" in out
    header = next(line for line in out.splitlines() if "exact" in line and "mismatch" in line)
    assert header.split() == ["exact", "equivalent", "partial", "mismatch", "missing"]
    assert "8 (25.0%)" in out and "0 (0.0%)" in out  # 8 of 32 judged rows per verdict; no partial
    summary = summarize(*_scores_and_verdicts(rows))
    assert summary["check_answer"].verdicts == {
        "exact": 8,
        "equivalent": 8,
        "partial": 0,
        "mismatch": 8,
        "missing": 8,
    }
    assert summary["match_format_exactly"].verdicts is None


def _scores_and_verdicts(rows: list[dict[str, Any]]) -> tuple[Any, Any]:
    scored = score_rows_with_verdicts(rows, batch_size=7)
    return scored.scores, scored.verdicts


def test_scores_print_without_float_noise(tmp_path: Path) -> None:
    """A partial score such as 0.5 + 1.5 * 0.5 = 1.25 or sums like 0.1 + 0.2 never show binary noise."""
    assert clean_score(0.1 + 0.2) == 0.3 and clean_score(1.0000000000000004) == 1.0
    assert clean_score(2 / 3) == 0.666666666667  # 12 significant digits kept in the written data
    rows = [{"completion": formatted("r", "abnormally small head"), "answer": "microcephaly"}] * 3
    path = _write_jsonl(tmp_path / "in.jsonl", rows)
    result = subprocess.run(
        [sys.executable, "-m", "medreward.tools.cli", "score", str(path), "--output", "-"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        for name in REWARDS:
            value = json.loads(line)[name]
            assert len(repr(value).lstrip("-").replace(".", "").lstrip("0")) <= 12, value
    table = result.stderr
    assert not any(len(token) > 8 and token[0] in "+-" for token in table.split()), table


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


def test_report_panels() -> None:
    """Integer counts, a lone value in a readable bar, log lengths, means marked, verdicts counted."""
    import matplotlib.pyplot as plt

    from medreward.tools.report import draw_report

    rows = _rows(40)
    scored = score_rows_with_verdicts(rows)
    lengths = [100 + i for i in range(40)]
    lengths[0] = 2_000_000  # one runaway completion
    scores = {**scored.scores, "constant": [2.0] * 40}
    figure = draw_report(scores, lengths, verdicts=scored.verdicts)
    try:
        axes = {ax.get_title().split(" (")[0]: ax for ax in figure.axes if ax.get_visible()}
        assert set(axes) == {
            *REWARDS,
            "constant",
            "check_answer verdicts",
            "check_answer vs completion length",
        }
        for name in (*REWARDS, "constant", "check_answer verdicts"):
            ax = axes[name]
            ticks = ax.get_xticks() if name.endswith("verdicts") else ax.get_yticks()
            assert all(float(tick).is_integer() for tick in ticks), (name, ticks)
        # One distinct value: a narrow bar in a wider axis, labelled, not one block filling the panel.
        constant = axes["constant"]
        (bar,) = constant.patches
        low, high = constant.get_xlim()
        assert bar.get_width() <= 0.25 * (high - low)
        assert any("every score is 2" in text.get_text() for text in constant.texts)
        # Means are marked with a labelled line.
        exact = axes["match_format_exactly"]
        assert any(line.get_label().startswith("mean ") for line in exact.get_lines())
        # Lengths on a log axis: the 2 MB completion does not squash the others.
        assert axes["check_answer vs completion length"].get_xscale() == "log"
        # The verdict panel: one bar per verdict, best first, with the counts.
        verdict_ax = axes["check_answer verdicts"]
        assert [t.get_text() for t in verdict_ax.get_yticklabels()] == [
            "exact",
            "equivalent",
            "partial",
            "mismatch",
            "missing",
        ]
        assert [p.get_width() for p in verdict_ax.patches] == [8, 8, 0, 8, 8]
    finally:
        plt.close(figure)


def test_real_command_writes_rows_to_stdout(input_file: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "medreward.tools.cli", "score", str(input_file), "--output", "-"],
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


def test_every_bad_line_is_reported(tmp_path: Path) -> None:
    bad_lines = [3, 5, 8]
    lines = [GOOD] * 10
    for number in bad_lines:
        lines[number - 1] = "{oops"
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "medreward.tools.cli", "score", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "3 bad lines" in result.stderr
    for number in bad_lines:
        assert f"line {number}: invalid JSON" in result.stderr


def test_many_bad_lines_are_reported_up_to_a_limit(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(f"{GOOD}\n[{i}]\n" for i in range(30)), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_rows(path)
    message = str(raised.value)
    assert "30 bad lines (of 60 rows)" in message
    reported = [line for line in message.splitlines() if "expected a JSON object" in line]
    assert len(reported) == 20 and reported[0].strip().startswith("line 2:") and "line 40:" in reported[-1]
    assert message.splitlines()[-1].strip() == "... and 10 more"


def test_standard_input_and_gzip(tmp_path: Path) -> None:
    rows = _rows(10)
    plain = _write_jsonl(tmp_path / "in.jsonl", rows)
    compressed = tmp_path / "in.jsonl.gz"
    compressed.write_bytes(gzip.compress(plain.read_bytes()))
    expected = score_rows(rows)

    def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        result = subprocess.run(
            [sys.executable, "-m", "medreward.tools.cli", "score", *args], input=stdin, capture_output=True
        )
        assert result.returncode == 0, result.stderr
        return result

    for source, stdin in (("-", plain.read_bytes()), ("-", compressed.read_bytes()), (str(compressed), None)):
        out = tmp_path / "out.jsonl.gz"
        result = run(source, "--output", str(out), stdin=stdin)
        assert out.read_bytes().startswith(b"\x1f\x8b")  # written compressed, as its name says
        written = [json.loads(line) for line in gzip.decompress(out.read_bytes()).splitlines()]
        assert [r["check_answer"] for r in written] == [clean_score(s) for s in expected["check_answer"]]
        assert b"10 rows" in result.stdout
    assert b"<stdin>: 10 rows" in run("-", stdin=plain.read_bytes()).stdout


def test_corrupt_gzip_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(b"\x1f\x8b not really gzip")
    assert_message = "not a readable gzip file"
    with pytest.raises(InputError, match=assert_message):
        read_rows(path)


def test_version() -> None:
    import tomllib

    version = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"][
        "version"
    ]
    result = subprocess.run(
        [sys.executable, "-m", "medreward.tools.cli", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.strip() == f"medreward {version}"


def test_missing_file_in_a_real_process(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(f"{GOOD}\n{{oops\n", encoding="utf-8")
    for path, message in ((tmp_path / "absent.jsonl", "no such file"), (bad, "line 2: invalid JSON")):
        result = subprocess.run(
            [sys.executable, "-m", "medreward.tools.cli", "score", str(path)], capture_output=True, text=True
        )
        assert result.returncode == 2
        assert message in result.stderr and "Traceback" not in result.stderr
