"""``medreward explain``: every step behind one completion's scores."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from medreward import AnswerMatcher, check_answer, match_format_exactly
from medreward.tools.cli import main
from medreward.tools.explain import explain

from .conftest import as_message, formatted


def test_opposite_guard_is_reported() -> None:
    e = explain(formatted("Low potassium.", "Hypokalemia"), "Hyperkalemia")
    assert (e.reasoning, e.solution) == ("Low potassium.", "Hypokalemia")
    assert e.verdict == "mismatch" and e.guard is not None and "opposite" in e.guard
    assert "decreased" in e.solution_terms and "increased" in e.reference_terms
    assert e.is_exact_format and e.tag_counts == {"<start_reasoning>": 1, "<end_reasoning>": 1,
                                                   "<SOLUTION>": 1, "</SOLUTION>": 1}  # fmt: skip


def test_scores_are_the_rewards_scores() -> None:
    completion = formatted("Iron studies.", "Iron deficiency anemia")
    e = explain(completion, "Iron-deficiency anaemia")
    assert (
        e.scores["check_answer"]
        == check_answer(completions=[completion], answer=["Iron-deficiency anaemia"])[0]
    )
    assert e.scores["match_format_exactly"] == match_format_exactly(completions=[completion])[0]
    assert e.total == sum(v or 0.0 for v in e.scores.values())
    assert set(e.matched_terms) <= set(e.solution_terms)


def test_negation_is_reported() -> None:
    e = explain(formatted("r", "Not vitamin B12 deficiency"), "Vitamin B12 deficiency")
    assert e.solution_negations == ("not",) and e.reference_negations == ()
    assert e.verdict == "mismatch" and e.guard is not None and "negation" in e.guard


def test_missing_solution_and_empty_reference() -> None:
    e = explain("The answer is hypokalemia.", "Hypokalemia")
    assert e.solution is None and e.verdict == "missing" and not e.is_exact_format
    e = explain(as_message(formatted("r", "Hypokalemia")), "  ")
    assert e.solution == "Hypokalemia" and e.verdict is None and e.scores["check_answer"] is None


def _fake_compare(concepts: Any) -> Any:
    def compare(self: AnswerMatcher, solution: str | None, reference: Any) -> Any:
        fields = {
            "verdict": "mismatch",
            "similarity": 0.0,
            "solution_terms": ("x",),
            "matched_terms": (),
            "strength": 0.0,
        }
        if concepts is not None:
            fields["concepts"] = concepts
        return SimpleNamespace(**fields, guard="test guard")

    return compare


def test_only_the_public_match_fields_are_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AnswerMatcher, "compare", _fake_compare(None))
    e = explain(formatted("r", "x"), "y")
    assert (e.verdict, e.guard, e.concepts, e.solution_terms) == ("mismatch", "test guard", None, ("x",))


def test_concepts_are_shown_when_the_matcher_reports_them(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(AnswerMatcher, "compare", _fake_compare(("C0000001",)))
    assert main(["explain", "--completion", formatted("r", "x"), "--reference", "y"]) == 0
    out = capsys.readouterr().out
    assert "concepts" in out and "C0000001" in out and "test guard" in out


def test_cli_shows_every_section(capsys: pytest.CaptureFixture[str]) -> None:
    completion = formatted("Potassium [K+] is low.", "Hypokalemia")
    assert main(["explain", "--completion", completion, "--reference", "Hyperkalemia"]) == 0
    out = capsys.readouterr().out
    for text in ("reasoning", "Potassium [K+] is low.", "solution", "normalized terms", "potassium",
                 "verdict", "mismatch", "guard", "opposite", "check_answer", "total"):  # fmt: skip
        assert text in out, text


def test_cli_json_from_files(tmp_path: Path) -> None:
    completion, reference = tmp_path / "completion.txt", tmp_path / "reference.txt"
    completion.write_text(formatted("r", "Crohn disease"), encoding="utf-8")
    reference.write_text("Crohn's disease", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "medreward.tools.cli",
            "explain",
            "--json",
            "--completion-file",
            str(completion),
            "--reference-file",
            str(reference),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["solution"] == "Crohn disease" and data["verdict"] in ("exact", "equivalent")
    assert data["scores"]["check_answer"] == 3.0 and data["total"] == 8.0


def test_cli_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "absent.txt"
    assert main(["explain", "--completion-file", str(missing), "--reference", "y"]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "Traceback" not in err


def test_the_question_is_read_as_check_answer_reads_it(capsys: pytest.CaptureFixture[str]) -> None:
    reference = (
        "Among the risks of estrogen therapy, gallbladder carcinoma does not have an increased risk. "
        "Estrogen therapy increases the risk of breast and endometrial cancer."
    )
    question = "Which condition does not have an increased risk with estrogen therapy?"
    completion = formatted("r", "Gallbladder carcinoma")
    asked = explain(completion, reference, question)
    plain = explain(completion, reference)
    assert asked.exception_question is True and plain.exception_question is False
    assert asked.verdict == "partial" and plain.verdict == "mismatch"
    assert (
        asked.scores["check_answer"]
        == check_answer(prompts=[question], completions=[completion], answer=[reference])[0]
    )
    assert (
        main(["explain", "--completion", completion, "--reference", reference, "--question", question]) == 0
    )
    assert "asks for the exception" in capsys.readouterr().out


def test_the_decision_names_the_rule_or_the_threshold() -> None:
    guarded = explain(formatted("r", "Hypokalemia"), "Hyperkalemia")
    assert guarded.decision is not None and guarded.decision.startswith("guard fired (opposite")
    partial = explain(formatted("r", "Acute pancreatitis"), "Pancreatitis")
    assert partial.verdict == "partial"
    assert partial.decision == f"similarity {partial.similarity:.3f} >= min_similarity 0.70: partial"
    same = explain(formatted("r", "Heart attack"), "Myocardial infarction")
    assert same.decision is not None and same.decision.endswith(": equivalent")
    # Concepts in words, the id beside the name.
    assert "Myocardial infarction (UMLS:C0027051)" in same.reference_concept_names
    assert explain(formatted("r", "Sarcoidosis"), "Gout").decision == (
        "similarity 0.000 < min_similarity 0.70: mismatch"
    )
