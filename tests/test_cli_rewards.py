"""``medreward score --rewards FILE``: scoring with a reward set file instead of the default rewards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medreward import load_rewards
from medreward.tools.cli import main
from medreward.tools.scoring import score_rows

from .conftest import formatted

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rewards.toml"
QWEN3 = "Low K+ on the ECG.</think>\n<SOLUTION>Hypokalemia</SOLUTION>"
ROWS = [
    {"prompt": "q", "completion": QWEN3, "answer": "Hypokalemia"},
    {"prompt": "q", "completion": formatted(solution="Hypokalemia"), "answer": "Hypokalemia"},
    {"prompt": "q", "completion": "the answer is " * 30, "answer": None},
]


def test_score_rows_with_a_reward_set() -> None:
    scores = score_rows(ROWS, rewards=EXAMPLE)
    funcs, _ = load_rewards(EXAMPLE)
    assert list(scores) == [f.__name__ for f in funcs]
    for f in funcs:
        expected = f(
            prompts=[r["prompt"] for r in ROWS],
            completions=[r["completion"] for r in ROWS],
            answer=[r["answer"] for r in ROWS],
        )
        assert scores[f.__name__] == expected
    assert scores["match_format_exactly"] == [3.0, 0.0, 0.0]  # the file's tags are Qwen3's, prefilled
    assert scores["check_answer"] == [3.0, 3.0, None]  # the same <SOLUTION> tags


def test_cli_rewards_file(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["score", str(data), "--rewards", str(EXAMPLE), "--output", str(out), "--workers", "2"]) == 0
    scored = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row["overlong_penalty"] for row in scored] == [0.0, 0.0, 0.0]
    assert scored[2]["repetition_penalty"] < -0.9


def test_cli_bad_rewards_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text(json.dumps(ROWS[0]) + "\n", encoding="utf-8")
    bad = tmp_path / "rewards.json"
    bad.write_text(
        json.dumps({"rewards": [{"type": "check_answer", "scores": {"mismach": 1}}]}), encoding="utf-8"
    )
    assert main(["score", str(data), "--rewards", str(bad)]) == 2
    assert "rewards[0].scores.mismach" in capsys.readouterr().err
