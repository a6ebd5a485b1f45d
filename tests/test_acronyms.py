"""Acronyms read from the other answer (medreward.medical.acronyms) and their use by the judge."""

from __future__ import annotations

import pytest

from medreward.medical.acronyms import acronym_candidates, spell_out, spelled_run
from medreward.medical.matching import AnswerMatcher

MATCHER = AnswerMatcher()


@pytest.mark.parametrize(
    ("acronym", "words"),
    [
        ("PLIC", "Posterior limb of the internal capsule"),  # stop words give no letter
        ("EGD", "esophagogastroduodenoscopy"),  # one word gives several letters
        ("DEXA", "Dual-energy X-ray absorptiometry"),  # a hyphenated compound is one word
        ("T2DM", "Type 2 diabetes mellitus"),  # digits are characters like letters
        ("Hib", "Haemophilus influenzae type b"),
        ("NPDR", "Non-proliferative diabetic retinopathy"),
        ("PCV13", "Pneumococcal conjugate vaccine 13"),  # a number is written whole
    ],
)
def test_an_acronym_spells_its_words(acronym: str, words: str) -> None:
    assert spelled_run(acronym, words) == (0, len(words))


@pytest.mark.parametrize(
    ("acronym", "words"),
    [
        ("CT", "Chest X-ray"),  # two letters of one word are no acronym of it
        ("PE", "Aortic stenosis"),
        ("MS", "Myasthenia gravis"),  # a word must give its initial
    ],
)
def test_letters_that_do_not_start_the_words_spell_nothing(acronym: str, words: str) -> None:
    assert spelled_run(acronym, words) is None


def test_the_rest_of_the_other_answer_must_be_said_too() -> None:
    # TTP spells "thrombocytopenic purpura", but "immune" is said nowhere beside it.
    assert spell_out("TTP", "Immune thrombocytopenic purpura") == "TTP"
    assert spell_out("RUQ ultrasound", "Right upper quadrant ultrasound") == "Right upper quadrant ultrasound"
    assert spell_out("PE", "Pulmonary edema", known=frozenset({"pe"})) == "PE"


def test_candidates_are_capitals_or_a_lone_short_token() -> None:
    assert [m.group(0) for m in acronym_candidates("HFrEF with AF")] == ["HFrEF", "AF"]
    assert [m.group(1) for m in acronym_candidates("ogd.")] == ["ogd"]
    assert acronym_candidates("pulmonary embolism") == ()


@pytest.mark.parametrize(
    ("reference", "answer"),
    [
        ("Middle meningeal artery", "MMA"),
        ("Relapsing-remitting multiple sclerosis", "RRMS"),
        ("HHV-8", "Human herpesvirus 8"),
        ("Posterior limb of the internal capsule", "PLIC"),
    ],
)
def test_the_judge_reads_an_acronym_in_the_words_of_the_other_answer(reference: str, answer: str) -> None:
    # Spelled out, the two answers are the same text (exact) or the same terms (equivalent).
    assert MATCHER.compare(answer, MATCHER.analyze(reference)).verdict in ("exact", "equivalent")
    assert MATCHER.compare(reference, MATCHER.analyze(answer)).verdict in ("exact", "equivalent")


@pytest.mark.parametrize(
    ("reference", "answer"),
    [
        ("Immune thrombocytopenic purpura", "TTP"),
        ("Type 1 diabetes mellitus", "T2DM"),
        ("HHV-8", "HHV-6"),
        ("Pulmonary edema", "PE"),  # a two-letter acronym the lexicon knows keeps its senses
    ],
)
def test_an_acronym_of_another_answer_stays_a_mismatch(reference: str, answer: str) -> None:
    assert MATCHER.compare(answer, MATCHER.analyze(reference)).verdict == "mismatch"


@pytest.mark.parametrize(
    ("acronym", "words"),
    [
        ("TOE", "Transthoracic echocardiogram"),  # the O of "thoracic" starts no part of the word
        ("ETEC", "Enterohemorrhagic Escherichia coli"),  # nor the T of "entero"
    ],
)
def test_a_letter_inside_a_stem_spells_nothing(acronym: str, words: str) -> None:
    assert spelled_run(acronym, words) is None


def test_a_paragraphs_acronym_is_read_in_the_words_of_the_solution() -> None:
    # A Response uses an acronym it never defines; the solution spells it out.
    paragraph = (
        "At his age and with chronic lymphocytic leukaemia, he needs protection against pneumococcal "
        "disease. Give PCV13 (Prevnar 13) first, then the polysaccharide vaccine a year later. The "
        "annual influenza vaccine is given as well."
    )
    analysed = MATCHER.analyze(paragraph)
    spelled = MATCHER.compare("Pneumococcal conjugate vaccine 13", analysed)
    assert spelled.verdict == "partial"
    assert spelled.similarity > MATCHER.compare("Meningococcal conjugate vaccine", analysed).similarity
