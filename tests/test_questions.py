"""Exception questions ("which is NOT ..."): recognising them, and judging their long answers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medreward import CheckAnswer, CheckAnswerConfig, check_answer
from medreward.completions import prompt_text
from medreward.medical import AnswerMatcher
from medreward.medical.questions import is_exception_question
from medreward.prompts import SYSTEM_PROMPT
from tests.conftest import formatted


@pytest.mark.parametrize(
    "question",
    [
        "Which condition is not a cause of central nervous system manifestations in chronic renal failure?",
        "In a 7-year-old child with rheumatic heart disease presenting with pallor, fever, and a palpable "
        "spleen, which investigation is not necessary to arrive at a diagnosis?",
        "In which circumstance does the measurement of protein bound iodine not accurately reflect the "
        "secretory function of the thyroid?",
        "What is one precaution that is not recommended to minimise ureteric damage?",
        "Identify a biologic agent approved for psoriasis that does not function as an anti-TNF-alpha agent.",
        "A 50-year-old woman has jaundice. Given the findings, identify one condition that is not a risk "
        "factor for the likely disease.",
        "All of the following are causes of acute pancreatitis except:",
        "Which drug doesn't cause gingival hyperplasia?",
        "Which of these is the least likely diagnosis?",
    ],
)
def test_exception_questions_are_recognised(question: str) -> None:
    assert is_exception_question(question)


@pytest.mark.parametrize(
    "question",
    [
        "What is the most likely diagnosis?",
        # A negation in the case description, or in a relative clause after a noun.
        "In a 65-year-old man who is up to date with examinations and does not smoke, what vaccine is "
        "most appropriate?",
        "What is the diagnosis in a patient who is not vaccinated?",
        # A negation in a condition of the question.
        "What is the next step if the fever does not resolve?",
        "Which antibiotic, if not contraindicated, is preferred?",
        "Which antibiotic should be given for at least 6 weeks?",
        # "except" in the case description, not in the question.
        "Serum values are normal except for alkaline phosphatase. What is the most likely diagnosis?",
        "The patient does not respond to fluids. What is the next step?",
        "",
    ],
)
def test_other_questions_are_not_exception_questions(question: str) -> None:
    assert not is_exception_question(question)


def test_a_prompt_rendered_with_a_chat_template_is_read_at_its_question() -> None:
    question = "Which condition is not associated with estrogen therapy?"
    rendered = f"<bos><start_of_turn>user\n{SYSTEM_PROMPT}\n\n{question}<end_of_turn>\n<start_of_turn>model\n"
    assert is_exception_question(rendered)
    assert not is_exception_question(rendered.replace(" not", ""))


def test_prompt_text_is_the_last_user_turn() -> None:
    messages = [
        {"role": "system", "content": "Which is not read?"},
        {"role": "user", "content": "First question"},
        {"role": "assistant", "content": "An answer"},
        {
            "role": "user",
            "content": [{"type": "text", "text": "Which drug is "}, {"type": "text", "text": "safe?"}],
        },
    ]
    assert prompt_text(messages) == "Which drug is safe?"
    assert prompt_text("plain question") == "plain question"
    assert prompt_text(None) == prompt_text(42) == prompt_text([{"role": "system", "content": "x"}]) == ""


@given(st.text(max_size=300))
def test_any_text_gives_a_verdict(text: str) -> None:
    assert isinstance(is_exception_question(text), bool)


# --------------------------------------------------------------------------------------------------
# Judging the long answer to an exception question
# --------------------------------------------------------------------------------------------------

ESTROGEN_QUESTION = (
    "Among the possible risks associated with estrogen therapy in women, which condition does not have "
    "an increased risk of development?"
)
ESTROGEN_RESPONSE = (
    "Among the possible risks associated with estrogen therapy in women, gallbladder carcinoma does not "
    "have an increased risk of development. While estrogen therapy is known to increase the risk of "
    "certain conditions, such as breast and endometrial cancer, it does not appear to specifically "
    "elevate the risk of gallbladder carcinoma."
)
OPTIONS = ("Carcinoma of the gall bladder", "Breast cancer", "Endometrial cancer", "Hepatocellular carcinoma")


def _scores(prompts: list[object] | None, reward: CheckAnswer = check_answer) -> list[float | None]:
    completions = [formatted(solution=o) for o in OPTIONS]
    return reward(prompts=prompts, completions=completions, answer=[ESTROGEN_RESPONSE] * len(OPTIONS))


def _ranks_first(scores: list[float | None]) -> bool:
    right, *wrong = scores
    return right is not None and all(w is not None and right > w for w in wrong)


def test_the_negated_option_answers_an_exception_question() -> None:
    assert _ranks_first(_scores([ESTROGEN_QUESTION] * len(OPTIONS)))
    conversational = [
        [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": ESTROGEN_QUESTION}]
    ]
    assert _ranks_first(_scores(conversational * len(OPTIONS)))


def test_without_the_question_the_negation_excludes() -> None:
    # The same paragraph, read as the answer to a positive question, sets the negated option aside.
    assert not _ranks_first(_scores(None))
    assert not _ranks_first(_scores(["What is a risk of estrogen therapy?"] * len(OPTIONS)))
    ignoring = CheckAnswer(CheckAnswerConfig(read_question=False))
    assert not _ranks_first(_scores([ESTROGEN_QUESTION] * len(OPTIONS), ignoring))


def test_contrasts_still_exclude_in_an_exception_question() -> None:
    matcher = AnswerMatcher()
    reference = matcher.analyze(
        "The drug that does not cause gingival hyperplasia is valproate, rather than phenytoin, which "
        "commonly does. Nifedipine and cyclosporine also cause it.",
        "Which drug does not cause gingival hyperplasia?",
    )
    assert reference.exception_question
    valproate = matcher.compare("Valproate", reference)
    phenytoin = matcher.compare("Phenytoin", reference)
    assert valproate.verdict == "partial"
    assert phenytoin.verdict == "mismatch"


def test_short_references_ignore_the_question() -> None:
    matcher = AnswerMatcher()
    reference = matcher.analyze("Gallbladder carcinoma", ESTROGEN_QUESTION)
    assert not reference.exception_question
    assert matcher.compare("Carcinoma of the gall bladder", reference).verdict == "equivalent"
