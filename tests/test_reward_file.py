"""load_rewards: reward sets from TOML, JSON and YAML files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from medreward import (
    REWARD_TYPES,
    CheckAnswer,
    MatchFormatExactly,
    OverlongPenalty,
    RepetitionPenalty,
    load_rewards,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rewards.toml"

SET: dict[str, Any] = {
    "tags": {"reasoning_start": "<think>", "reasoning_end": "</think>"},
    "rewards": [
        {"type": "match_format_exactly", "weight": 0.5, "match": 2.0},
        {"type": "check_answer", "name": "answer", "answer_column": "ref", "scores": {"mismatch": -0.25}},
        {"name": "repetition_penalty", "ngram_size": 2, "weight": 0},
    ],
}

TOML = """
[tags]
reasoning_start = "<think>"
reasoning_end = "</think>"

[[rewards]]
type = "match_format_exactly"
weight = 0.5
match = 2.0

[[rewards]]
type = "check_answer"
name = "answer"
answer_column = "ref"
scores = { mismatch = -0.25 }

[[rewards]]
name = "repetition_penalty"
ngram_size = 2
weight = 0
"""

YAML = """
tags: {reasoning_start: "<think>", reasoning_end: "</think>"}
rewards:
  - {type: match_format_exactly, weight: 0.5, match: 2.0}
  - type: check_answer
    name: answer
    answer_column: ref
    scores: {mismatch: -0.25}
  - {name: repetition_penalty, ngram_size: 2, weight: 0}
"""


def check_set(funcs: list[Any], weights: list[float]) -> None:
    assert [f.__name__ for f in funcs] == ["match_format_exactly", "answer", "repetition_penalty"]
    assert weights == [0.5, 1.0, 0.0]
    exact, answer, repetition = funcs
    assert isinstance(exact, MatchFormatExactly) and isinstance(answer, CheckAnswer)
    assert isinstance(repetition, RepetitionPenalty) and repetition.ngram_size == 2
    completions = ["<think>r</think><SOLUTION>Asthma</SOLUTION>", "<think>r</think><SOLUTION>Gout</SOLUTION>"]
    assert exact(completions=completions) == [2.0, 2.0]
    assert answer(completions=completions, ref=["asthma", "asthma"]) == [3.0, -0.25]


def test_mapping() -> None:
    check_set(*load_rewards(SET))


@pytest.mark.parametrize(
    ("suffix", "text"), [(".toml", TOML), (".json", json.dumps(SET)), (".yaml", YAML), (".yml", YAML)]
)
def test_files(tmp_path: Path, suffix: str, text: str) -> None:
    path = tmp_path / f"rewards{suffix}"
    path.write_text(text, encoding="utf-8")
    check_set(*load_rewards(path))
    check_set(*load_rewards(str(path)))


def test_example_file() -> None:
    funcs, weights = load_rewards(EXAMPLE)
    assert [f.__name__ for f in funcs] == [
        "match_format_exactly",
        "match_format_approximately",
        "check_answer",
        "overlong_penalty",
        "repetition_penalty",
    ]
    assert weights == [0.5, 0.5, 1.0, 1.0, 0.5]
    overlong = funcs[3]
    assert isinstance(overlong, OverlongPenalty) and (overlong.max_completion_length, overlong.buffer) == (
        256,
        64,
    )
    # Qwen3: the prompt opens <think>, the completion does not write it.
    qwen3 = "Low K+ on the ECG.</think>\n<SOLUTION>Hypokalemia</SOLUTION>"
    assert [f(completions=[qwen3], answer=["hypokalemia"])[0] for f in funcs[:3]] == [3.0, 2.0, 3.0]


def test_every_type_is_loadable() -> None:
    required = {"overlong_penalty": {"max_completion_length": 10, "buffer": 2}}
    funcs, _ = load_rewards({"rewards": [{"type": t, **required.get(t, {})} for t in REWARD_TYPES]})
    assert [f.__name__ for f in funcs] == list(REWARD_TYPES)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rewards": [{"type": "check_answer", "scores": {"mismach": 1}}]}, r"rewards\[0\]\.scores\.mismach"),
        (
            {"rewards": [{"type": "check_answer", "scores": {"exact": "high"}}]},
            r"rewards\[0\]\.scores\.exact",
        ),
        ({"rewards": [{"type": "match_format_exactly", "match": -1}]}, r"rewards\[0\]: .*above mismatch"),
        ({"rewards": [{"type": "chek_answer"}]}, r"rewards\[0\]\.type: unknown reward type 'chek_answer'"),
        ({"rewards": [{"name": "total"}]}, r"rewards\[0\]\.name: unknown reward type 'total'"),
        ({"rewards": [{"type": "check_answer", "weight": "2"}]}, r"rewards\[0\]\.weight: .*finite"),
        ({"rewards": [{"type": "check_answer", "weight": float("nan")}]}, r"rewards\[0\]\.weight"),
        (
            {"rewards": [{"type": "overlong_penalty", "buffer": 3}]},
            r"rewards\[0\]\.max_completion_length: .*missing",
        ),
        (
            {"rewards": [{"type": "overlong_penalty", "max_completion_length": 9, "bufer": 3}]},
            r"rewards\[0\]\.bufer: unknown key",
        ),
        (
            {"rewards": [{"type": "overlong_penalty", "max_completion_length": 9, "buffer": "3"}]},
            r"rewards\[0\]: buffer must be a positive integer",
        ),
        ({"rewards": [{"type": "repetition_penalty", "tags": {}}]}, r"rewards\[0\]\.tags: .*reads no tags"),
        (
            {"tags": {"reasoning_strat": "<t>"}, "rewards": [{"type": "check_answer"}]},
            r"tags\.reasoning_strat",
        ),
        (
            {"rewards": [{"type": "check_answer", "tags": {"solution_start": ""}}]},
            r"rewards\[0\]\.tags: .*non-empty",
        ),
        (
            {"rewards": [{"type": "check_answer"}, {"type": "check_answer"}]},
            r"rewards\[1\]\.name: .*rewards\[0\]",
        ),
        ({"rewards": []}, "non-empty 'rewards' list"),
        ({"reward": [{"type": "check_answer"}]}, "reward: unknown key"),
        ({"rewards": ["check_answer"]}, r"rewards\[0\]: each reward is a table"),
    ],
)
def test_bad_sets_name_the_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_rewards(data)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no reward set file"):
        load_rewards(tmp_path / "missing.toml")
    bad = tmp_path / "rewards.ini"
    bad.write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\.toml, \.json, \.yaml or \.yml"):
        load_rewards(bad)
    broken = tmp_path / "rewards.toml"
    broken.write_text("[[rewards]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot be read as TOML"):
        load_rewards(broken)
    broken_json = tmp_path / "rewards.json"
    broken_json.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot be read as JSON"):
        load_rewards(broken_json)
    typo = tmp_path / "typo.json"
    typo.write_text(
        json.dumps({"rewards": [{"type": "check_answer", "answer_colum": "x"}]}), encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"typo\.json: rewards\[0\]\.answer_colum"):
        load_rewards(typo)


def test_yaml_without_pyyaml_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rewards.yaml"
    path.write_text(YAML, encoding="utf-8")
    monkeypatch.setitem(sys.modules, "yaml", None)  # import yaml now raises ImportError
    with pytest.raises(ValueError, match=r"needs PyYAML \(pip install pyyaml\)"):
        load_rewards(path)
