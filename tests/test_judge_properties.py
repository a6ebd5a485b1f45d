"""The judge's ordering contract as properties (docs/matching.md, "The ordering contract").

Answers are drawn from medreward's own sample data and a list written here; every property is checked
on each draw: invariance (case, punctuation, Roman numerals, number words, dotted abbreviations, also
against a synonym in other words),
symmetry of equivalence between short answers, and monotonicity (a wrong candidate added, the
question's words added or the answer repeated never raises a score; a negation or refusal never
scores above a plain wrong answer; affirming what a negated reference denies is the floor).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from medreward import AnswerScores, check_answer
from medreward.samples import load_samples
from tests.conftest import formatted

SAMPLES = load_samples()
# Short answers written for these properties: terms, phrases, numbers, abbreviations, eponyms.
ANSWERS = (
    "Hypokalemia", "Acute pancreatitis", "Type 2 diabetes mellitus", "Grade 3 astrocytoma",
    "Pulmonary embolism", "Left circumflex artery", "Factor 8 deficiency", "Crohn's disease",
    "Streptococcus pneumoniae", "Deep vein thrombosis", "Vitamin B12 deficiency", "Graves disease",
    "Tension pneumothorax", "Cranial nerve 7 palsy", "Iron deficiency anemia", "Aortic stenosis",
    "Hodgkin lymphoma", "Minimal change disease", "Metformin", "Lumbar puncture",
    *(str(row["answer"]) for row in SAMPLES),
)  # fmt: skip
WRONG = ("Sarcoidosis", "Hyperthyroidism", "Appendicitis", "Migraine", "Gout", "Warfarin")
QUESTIONS = tuple(str(row["Question"]) for row in SAMPLES)

answers = st.sampled_from(ANSWERS)
wrongs = st.sampled_from(WRONG)
questions = st.sampled_from(QUESTIONS)


def score(solution: str, reference: str, question: str | None = None) -> float:
    prompts = None if question is None else [question]
    result = check_answer(prompts=prompts, completions=[formatted("r", solution)], answer=[reference])[0]
    assert result is not None
    return result


ROMAN = {"1": "I", "2": "II", "3": "III", "7": "VII", "8": "VIII"}
WORDS = {"1": "one", "2": "two", "3": "three", "7": "seven", "8": "eight"}


def _variants(answer: str) -> list[str]:
    """Surface variants of ``answer`` that a clinician reads as the same answer."""
    out = [answer.lower(), answer.upper(), answer.title(), f"{answer}.", f" {answer} ", f'"{answer}"']
    words = answer.split()
    for i, word in enumerate(words):
        if word in ROMAN and i > 0:
            out.append(" ".join([*words[:i], ROMAN[word], *words[i + 1 :]]))
            out.append(" ".join([*words[:i], WORDS[word], *words[i + 1 :]]))
    return out


@settings(max_examples=60, deadline=None)
@given(answers, st.data())
def test_a_surface_variant_scores_as_the_answer(answer: str, data: st.DataObject) -> None:
    variant = data.draw(st.sampled_from(_variants(answer)))
    top = AnswerScores().exact
    assert score(variant, answer) == top
    assert score(answer, variant) == top


# An answer and a synonym the judge knows, in other words: a surface variant of the answer scores
# against the synonym as the answer does (a full stop after a designator, dots in an acronym, spacing).
SYNONYMS = (
    ("Haemophilia A", "Hemophilia A"),
    ("NEC", "Necrotizing enterocolitis"),
    ("STEMI", "ST-elevation myocardial infarction"),
    ("Chickenpox", "Varicella"),
    ("Renal failure", "Kidney failure"),
    ("Heart attack", "Myocardial infarction"),
    ("Hepatitis B", "Hepatitis B virus infection"),
)


def _spellings(answer: str) -> list[str]:
    out = _variants(answer)
    if answer.isupper():
        out.append(".".join(answer) + ".")
    if answer == "Chickenpox":
        out += ["chicken pox", "Chicken-pox"]
    return out


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(SYNONYMS), st.data())
def test_a_surface_variant_scores_as_the_answer_against_a_synonym(
    pair: tuple[str, str], data: st.DataObject
) -> None:
    answer, synonym = pair
    variant = data.draw(st.sampled_from(_spellings(answer)))
    assert score(variant, synonym) == score(answer, synonym) > 0


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["COPD", "DVT", "ARDS", "SLE", "GERD"]), st.data())
def test_an_abbreviation_in_any_case_or_with_dots_scores_as_itself(
    abbreviation: str, data: st.DataObject
) -> None:
    written = data.draw(st.sampled_from([abbreviation.lower(), ".".join(abbreviation) + "."]))
    assert score(written, abbreviation) == score(abbreviation, abbreviation)


@settings(max_examples=60, deadline=None)
@given(answers, answers)
def test_equivalence_between_short_answers_is_symmetric(a: str, b: str) -> None:
    top = AnswerScores().exact
    assert (score(a, b) == top) == (score(b, a) == top)


@settings(max_examples=60, deadline=None)
@given(answers, wrongs)
def test_adding_a_wrong_candidate_never_raises_a_score(answer: str, wrong: str) -> None:
    alone = score(answer, answer)
    assert score(f"{answer} or {wrong}", answer) < alone
    assert score(f"{wrong} or {answer}", answer) < alone
    assert score(f"{answer}, {wrong}", answer) <= alone


@settings(max_examples=60, deadline=None)
@given(answers, questions, st.integers(2, 6))
def test_question_words_and_repeats_never_raise_a_score(answer: str, question: str, times: int) -> None:
    alone = score(answer, answer, question)
    keywords = " ".join(w for w in question.split() if len(w) > 6)[:120]
    assert score(f"{answer} {keywords}", answer, question) <= alone
    assert score(" ".join([answer] * times), answer, question) <= alone


@settings(max_examples=60, deadline=None)
@given(
    answers,
    wrongs,
    st.sampled_from(["Not {}", "{} is incorrect", "Anything but {}", "Cannot be {}", "No {}"]),
)
def test_a_refusal_never_scores_above_a_plain_wrong_answer(answer: str, wrong: str, template: str) -> None:
    assert score(template.format(answer), answer) <= score(wrong, answer)
    assert score(template.format(answer), answer) == AnswerScores().mismatch


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(SAMPLES))
def test_the_question_restated_never_beats_the_honest_answer_against_the_response(
    row: dict[str, object],
) -> None:
    question = str(row["Question"])
    last = question.rstrip().rstrip("?").split(". ")[-1]
    honest = score(str(row["answer"]), str(row["Response"]), question)
    assert score(last, str(row["Response"]), question) < max(honest, AnswerScores().mismatch + 1e-9)


# Negated statements written here: a subject, and a predicate a reference denies of it.
SUBJECTS = ("Metformin", "Heparin", "Glycopyrronium", "The lesion", "This rash", "Digoxin")
PREDICATES = (
    ("cross", "the placenta"), ("cause", "hypoglycaemia"), ("enhance", "with contrast"),
    ("respond", "to steroids"), ("blanch", "on pressure"), ("require", "dose adjustment"),
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(SUBJECTS), st.sampled_from(PREDICATES), st.sampled_from(["It", "This"]))
def test_affirming_what_a_reference_denies_is_the_floor(
    subject: str, predicate: tuple[str, str], pronoun: str
) -> None:
    # Whether the subject is named or left to a pronoun, the affirmed predicate contradicts.
    verb, rest = predicate
    reference = f"{subject} does not {verb} {rest}."
    for affirmed in (f"{pronoun} {verb}s {rest}", f"{subject} {verb}s {rest}"):
        assert score(affirmed, reference) == AnswerScores().mismatch
    assert score(f"{subject} does not {verb} {rest}", reference) > AnswerScores().mismatch


# Answers that open with a bound prefix, written closed; the property hyphenates the prefix.
PREFIXED = (
    ("Pre", "renal acute kidney injury"), ("Post", "partum haemorrhage"), ("Peri", "orbital cellulitis"),
    ("Intra", "abdominal abscess"), ("Sub", "acute thyroiditis"), ("Hyper", "resonant percussion note"),
    ("Retro", "peritoneal fibrosis"), ("Supra", "ventricular tachycardia"), ("Hypo", "albuminaemia"),
    ("Extra", "pyramidal side effects"), ("Post", "herpetic neuralgia"), ("Pre", "eclampsia"),
)  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(PREFIXED), st.booleans())
def test_a_hyphen_after_a_bound_prefix_changes_no_score(parts: tuple[str, str], in_a_sentence: bool) -> None:
    prefix, rest = parts
    closed, hyphenated = prefix + rest, f"{prefix}-{rest}"
    reference = f"The most likely diagnosis is {closed.lower()}." if in_a_sentence else closed
    assert score(hyphenated, reference) == score(closed, reference) > 0
    assert score(closed, hyphenated) == score(hyphenated, hyphenated) == AnswerScores().exact


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(SAMPLES), st.integers(1, 5))
def test_question_words_never_raise_the_honest_answer_against_the_response(
    row: dict[str, object], count: int
) -> None:
    question = str(row["Question"])
    keywords = sorted({w.strip(".,?;:").lower() for w in question.split() if len(w) > 6}, key=len)[-count:]
    answer, response = str(row["answer"]), str(row["Response"])
    assert score(f"{answer} {' '.join(keywords)}", response, question) <= score(answer, response, question)
