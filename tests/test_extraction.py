"""Answer extraction from long responses: extract_answer and ``medreward extract``."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from medreward import ExtractedAnswer, extract_answer


class TestExtractAnswer:
    def test_an_explicit_diagnosis_is_extracted_without_its_evidence(self) -> None:
        response = (
            "The picture is typical. The most likely diagnosis is infective endocarditis, "
            "given the new murmur and fever."
        )
        found = extract_answer(response)
        assert found == ExtractedAnswer("infective endocarditis", 0.9, found.span if found else (0, 0))
        assert found is not None and response[found.span[0] : found.span[1]] == found.text

    def test_an_answer_before_most_likely_is_extracted(self) -> None:
        found = extract_answer("Acute pancreatitis is the most likely explanation for these findings.")
        assert found is not None and found.text == "Acute pancreatitis"

    def test_a_restated_question_names_its_answer(self) -> None:
        question = "Which antimalarial drug is classified as a slow acting erythrocytic schizonticide?"
        response = "Pyrimethamine is classified as a slow-acting erythrocytic schizonticide for malaria."
        found = extract_answer(response, question)
        assert found is not None and found.text == "Pyrimethamine"
        # Without the question there is nothing to tell the answer from the restatement.
        assert extract_answer(response) is None

    def test_a_response_that_commits_to_nothing_abstains(self) -> None:
        assert extract_answer("Several conditions could explain this picture; more tests are needed.") is None
        assert extract_answer("") is None

    def test_a_hedge_halves_the_confidence_and_so_abstains(self) -> None:
        committed = extract_answer("The most likely diagnosis is asthma.")
        hedged = extract_answer("The most likely diagnosis is asthma or COPD.", min_confidence=0.0)
        assert committed is not None and hedged is not None
        assert hedged.confidence == committed.confidence / 2
        assert extract_answer("The most likely diagnosis is asthma or COPD.") is None

    def test_an_answer_made_of_the_question_words_is_passed_over(self) -> None:
        question = "What is the most likely diagnosis in this patient with chest pain?"
        assert extract_answer("The most likely diagnosis is chest pain.", question) is None

    # The paragraphs below are written for these tests, in the forms long medical answers take.

    def test_the_restated_ask_is_stripped_and_the_answer_after_the_verb_kept(self) -> None:
        question = "Which nerve is most likely injured in a fracture of the surgical neck of the humerus?"
        response = (
            "The nerve most likely injured in a fracture of the surgical neck of the humerus is the "
            "axillary nerve, which winds around the bone just below the joint."
        )
        found = extract_answer(response, question)
        # The ask's own noun stays where it closes the answer.
        assert found is not None and found.text == "axillary nerve" and found.confidence >= 0.9

    def test_the_answer_before_the_restated_ask_is_its_subject(self) -> None:
        question = "Which enzyme is deficient in classic galactosemia?"
        response = (
            "In classic galactosemia, galactose-1-phosphate uridyltransferase is deficient, so "
            "galactose-1-phosphate builds up in the liver and the lens."
        )
        found = extract_answer(response, question)
        assert found is not None and found.text == "galactose-1-phosphate uridyltransferase"

    def test_justification_and_articles_are_trimmed(self) -> None:
        found = extract_answer(
            "The best next step is an urgent CT scan of the head because he takes warfarin."
        )
        assert found is not None and found.text == "urgent CT scan of the head"

    def test_a_quoted_answer_loses_its_quotes(self) -> None:
        question = "What is the angle between the arm and the forearm in extension called?"
        response = 'The angle between the arm and the forearm in extension is called the "carrying angle".'
        found = extract_answer(response, question)
        assert found is not None and found.text == "carrying angle"

    def test_an_appraised_subject_is_the_answer(self) -> None:
        response = (
            "For an elderly patient with a long operation ahead, sevoflurane is often an excellent choice "
            "for maintenance, as it allows a quick recovery."
        )
        found = extract_answer(response)
        assert found is not None and found.text == "sevoflurane"

    def test_a_description_of_the_ask_is_not_its_answer(self) -> None:
        question = "Which muscle is paralysed when the scapula is winged?"
        response = "A winged scapula is characterized by a medial border that lifts off the chest wall."
        assert extract_answer(response, question) is None

    def test_two_answers_of_equal_weight_abstain(self) -> None:
        response = (
            "The most likely cause is a viral infection. On the other hand, the most probable "
            "explanation is a drug reaction."
        )
        assert extract_answer(response) is None
        # Two statements of one answer support each other.
        agreeing = "The most likely cause is a viral infection. The final diagnosis is viral infection."
        found = extract_answer(agreeing)
        assert found is not None and found.text == "viral infection"

    def test_a_list_of_answers_abstains_unless_one_is_stated_outright(self) -> None:
        question = "Which laboratory changes would be expected in this woman with ovarian failure?"
        listed = (
            "The laboratory changes expected in her case would include:\n"
            "1. Raised FSH, reflecting the loss of negative feedback.\n"
            "2. Low estradiol, consistent with ovarian failure.\n"
            "These are indicative of primary ovarian insufficiency."
        )
        assert extract_answer(listed, question) is None
        stated = listed + "\nThe most likely diagnosis is primary ovarian insufficiency."
        found = extract_answer(stated, question)
        assert found is not None and found.text == "primary ovarian insufficiency"

    def test_a_verb_in_a_subordinate_clause_is_not_the_pivot(self) -> None:
        question = "Which cancer does not have an increased risk with combined oral contraceptives?"
        response = (
            "While combined oral contraceptives are known to raise the risk of some cancers, ovarian cancer "
            "does not have an increased risk with combined oral contraceptives; its risk falls."
        )
        found = extract_answer(response, question)
        assert found is not None and found.text == "ovarian cancer"

    def test_an_inferred_answer_alone_abstains_by_default(self) -> None:
        response = "The rash and the joint pain are consistent with systemic lupus erythematosus."
        assert extract_answer(response) is None
        found = extract_answer(response, min_confidence=0.0)
        assert found is not None and found.text == "systemic lupus erythematosus"
        assert found.confidence < 0.7

    def test_higher_confidence_for_a_stated_answer_than_a_partial_restatement(self) -> None:
        stated = extract_answer("The most likely diagnosis is gout, given the needle-shaped crystals.")
        question = "Which crystal deposition disease best explains the acute monoarthritis of the big toe?"
        partial = extract_answer("In the big toe, gout is typical, with needle-shaped crystals.", question)
        assert stated is not None and stated.text == "gout" and stated.confidence == 0.9
        assert partial is None or partial.confidence < stated.confidence

    @settings(max_examples=200, deadline=None)
    @given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400), st.none() | st.text(max_size=100))
    def test_any_text_gives_an_answer_at_its_span_or_abstains(
        self, response: str, question: str | None
    ) -> None:
        found = extract_answer(response, question)
        if found is not None:
            start, end = found.span
            assert response[start:end] == found.text and found.text.strip()
            assert 0.0 < found.confidence <= 1.0


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "medreward.tools.cli", "extract", *args],
        capture_output=True,
        text=True,
        input=stdin,
        check=False,
        timeout=120,
    )


ROWS = [
    {
        "Question": "What is the diagnosis?",
        "Response": "The most likely diagnosis is gout, given the crystals.",
    },
    {"Question": "What next?", "Response": "Several options exist and each has merits."},
]


class TestExtractCommand:
    def test_rows_gain_the_short_answer_and_a_summary_is_printed(self, tmp_path: Path) -> None:
        source = tmp_path / "rows.jsonl.gz"
        source.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in ROWS).encode()))
        output = tmp_path / "out.jsonl"
        result = _run(str(source), "--output", str(output))
        assert result.returncode == 0, result.stderr
        rows = [json.loads(line) for line in output.read_text().splitlines()]
        assert [r["answer_short"] for r in rows] == ["gout", None]
        assert rows[0]["answer_confidence"] == 0.9 and rows[1]["answer_confidence"] is None
        assert rows[0]["Response"] == ROWS[0]["Response"]
        assert "from 1 of 2 responses (50%)" in result.stdout
        assert "0.8-1.0" in result.stdout

    def test_standard_input_to_standard_output(self) -> None:
        text = "".join(json.dumps(r) + "\n" for r in ROWS)
        result = _run("-", "--output", "-", stdin=text)
        assert result.returncode == 0, result.stderr
        assert [json.loads(line)["answer_short"] for line in result.stdout.splitlines()] == ["gout", None]
        assert "from 1 of 2 responses" in result.stderr

    def test_bad_rows_are_all_reported_with_status_2(self, tmp_path: Path) -> None:
        source = tmp_path / "rows.jsonl"
        source.write_text('{"Response": 3}\nnot json\n{"Response": "x"}\n')
        result = _run(str(source), "--output", str(tmp_path / "out.jsonl"))
        assert result.returncode == 2
        assert "line 1" in result.stderr and "line 2" in result.stderr
        assert not (tmp_path / "out.jsonl").exists()

    def test_another_response_column(self, tmp_path: Path) -> None:
        source = tmp_path / "rows.jsonl"
        source.write_text(json.dumps({"long": "The answer is tetanus."}) + "\n")
        output = tmp_path / "out.jsonl"
        result = _run(str(source), "--output", str(output), "--response-column", "long")
        assert result.returncode == 0, result.stderr
        assert json.loads(output.read_text())["answer_short"] == "tetanus"
