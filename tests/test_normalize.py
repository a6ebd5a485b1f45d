"""The normalization steps on their own: plurals, and that the lexicon agrees with them."""

from __future__ import annotations

import pytest

from medreward.medical import AnswerMatcher
from medreward.medical.analysis import analyze_text
from medreward.medical.normalize import (
    IRREGULAR_PLURALS,
    SAME_MEANING,
    fold_text,
    fold_unicode,
    normalize_terms,
    uninflect,
)


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("deficiencies", "deficiency"),
        ("cells", "cell"),
        ("branches", "branch"),
        ("diabetes", "diabetes"),
        ("psoriasis", "psoriasis"),
        ("virus", "virus"),
        ("metastases", "metastasis"),
        ("stenoses", "stenosis"),
        ("emboli", "embolus"),
        ("headaches", "headache"),
        ("teeth", "tooth"),
        # a bacterium's Latin plural
        ("cocci", "coccus"),
        ("streptococci", "streptococcus"),
        ("coccobacilli", "coccobacillus"),
    ],
)
def test_uninflect(plural: str, singular: str) -> None:
    assert uninflect(plural) == singular


def test_irregular_singulars_are_their_own_singular() -> None:
    # A table entry whose singular the suffix rules would change again would make normalization
    # depend on how often it runs.
    for singular in IRREGULAR_PLURALS.values():
        assert uninflect(singular) == singular, singular


def test_irregular_plurals_compare_equal_to_their_singular() -> None:
    assert normalize_terms("Metastases to the liver") == normalize_terms("liver metastasis")
    matcher = AnswerMatcher()
    assert (
        matcher.compare("Metastases to the liver", matcher.analyze("Liver metastasis")).verdict
        == "equivalent"
    )


@pytest.mark.parametrize(
    ("typographic", "plain"),
    [
        ("Crohn\u2019s disease \u2014 terminal ileum", "Crohn's disease - terminal ileum"),
        ("\u201cclassic\u201d triad\u2026", '"classic" triad...'),
        ("Sj\u00f6gren\u2019s syndrome", "Sjogren's syndrome"),
        ("type\u00a02 diabetes, HbA1c \u2212 7%", "type 2 diabetes, HbA1c - 7%"),
    ],
)
def test_typographic_punctuation_folds_like_its_ascii_form(typographic: str, plain: str) -> None:
    assert fold_unicode(typographic) == plain.lower()
    assert fold_text(typographic) == fold_text(plain)
    assert normalize_terms(typographic) == normalize_terms(plain)


@pytest.mark.parametrize(("one", "other"), [
    ("Raised intracranial pressure", "Increased intracranial pressure"),
    ("Elevated liver enzymes", "Increased liver enzymes"),
    ("Reduced ejection fraction", "Decreased ejection fraction"),
    ("No treatment needed", "No treatment is required"),
])  # fmt: skip
def test_words_of_the_same_meaning_normalize_alike(one: str, other: str) -> None:
    assert normalize_terms(one) == normalize_terms(other)
    matcher = AnswerMatcher()
    assert matcher.compare(one, matcher.analyze(other)).verdict == "equivalent"


@pytest.mark.parametrize(("solution", "reference"), [
    ("Raised intracranial pressure", "Decreased intracranial pressure"),
    ("Elevated ALT", "Reduced ALT"),
    ("Lowered cardiac output", "Increased cardiac output"),
])  # fmt: skip
def test_a_same_meaning_word_keeps_its_opposite(solution: str, reference: str) -> None:
    matcher = AnswerMatcher()
    match = matcher.compare(solution, matcher.analyze(reference))
    assert match.verdict == "mismatch"
    assert match.guard is not None and match.guard.startswith("opposite")


def test_same_meaning_words_map_to_words_the_pipeline_keeps() -> None:
    # Each target is its own normal form: running the pipeline twice changes nothing.
    for target in SAME_MEANING.values():
        assert normalize_terms(target) == (target,)


@pytest.mark.parametrize(("adjective", "noun"), [
    ("Renal failure", "Kidney failure"),
    ("Hepatic abscess", "Liver abscess"),
    ("Gastric ulcer", "Stomach ulcer"),
    ("Oesophageal carcinoma", "Carcinoma of the esophagus"),
    ("Radial head fracture", "Fracture of the head of the radius"),
])  # fmt: skip
def test_an_organ_adjective_is_its_noun(adjective: str, noun: str) -> None:
    assert normalize_terms(adjective) == normalize_terms(noun)


def test_same_meaning_words_map_to_words_that_normalize_to_themselves() -> None:
    # One pass maps each token: a target that itself maps on ("peroneal" -> "fibular" -> "fibula")
    # would leave two spellings of one word apart.
    from medreward.medical.normalize import SAME_MEANING

    moved = {word: target for word, target in SAME_MEANING.items() if normalize_terms(target) != (target,)}
    assert moved == {}


def test_every_same_meaning_phrase_holds_a_hint_the_fast_path_scans_for() -> None:
    from medreward.medical.normalize import _PHRASE_HINTS, SAME_MEANING_PHRASES, to_same_meaning_phrases

    for phrase, word in SAME_MEANING_PHRASES.items():
        assert any(hint in phrase for hint in _PHRASE_HINTS), phrase
        assert to_same_meaning_phrases(f"the {phrase} here") == f"the {word} here"


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Two doses", {"2"}),
        ("Tenth thoracic vertebra", {"10"}),
        ("Chromosome 7", {"7"}),
        ("Asthma", set()),
        # hundreds, and the "and" inside a number that splits no clause
        ("One hundred to one hundred and twenty a minute", {"100", "120"}),
        ("A hundred and five", {"105"}),
    ],
)
def test_number_words_are_numbers(text: str, numbers: set[str]) -> None:
    assert analyze_text(text).numbers == numbers


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("A ratio of 1:06", "A ratio of 1:6"),
        ("GCS 08", "GCS 8"),
        ("1,500 ml", "1500 ml"),
        ("A platelet count of 12,500,000", "A platelet count of 12500000"),
    ],
)
def test_leading_zeros_and_thousands_commas_are_one_number(one: str, other: str) -> None:
    assert fold_text(one) == fold_text(other)
    matcher = AnswerMatcher()
    assert matcher.compare(one, matcher.analyze(other)).verdict in ("exact", "equivalent")


@pytest.mark.parametrize(("number", "other"), [("0.05", "0.5"), ("2.05", "2.5"), ("1,05", "1,5000")])
def test_a_decimals_zeros_and_a_comma_before_fewer_digits_stay(number: str, other: str) -> None:
    assert fold_text(number) != fold_text(other)


def test_a_reversed_ratio_is_the_other_proportion() -> None:
    # "6:1" holds the numbers of "1:6" (one set of terms) in the other order.
    matcher = AnswerMatcher()
    analysed = matcher.analyze("1:06")
    assert matcher.compare("1:6", analysed).verdict == "exact"
    match = matcher.compare("6:01", analysed)
    assert match.verdict == "mismatch" and match.guard == "ratio: 6:1 / 1:6"
