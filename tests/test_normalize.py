"""The normalization steps on their own: plurals, and that the lexicon agrees with them."""

from __future__ import annotations

import pytest

from medreward.medical import AnswerMatcher
from medreward.medical.normalize import IRREGULAR_PLURALS, normalize_terms, uninflect


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
