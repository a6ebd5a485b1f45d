"""Concept linkers: the default lexicon linker, custom linkers plugged into the matcher, and the
optional scispacy linker's absence (tests/test_scispacy_linker.py tests it where it is installed)."""

from __future__ import annotations

import importlib
import importlib.util
import pickle
import subprocess
import sys

import pytest
from pydantic import ValidationError

from medreward import CheckAnswer, CheckAnswerConfig
from medreward.medical import AnswerMatcher
from medreward.medical.linking import ConceptLinker, LexiconLinker
from medreward.medical.normalize import fold_text, normalize_terms
from tests.conftest import formatted


def link(linker: ConceptLinker, text: str) -> frozenset[str]:
    return linker.link(text, fold_text(text), tuple(normalize_terms(text)))


class DictLinker:
    """A linker from a fixed table of folded texts to concept ids (module level: picklable)."""

    def __init__(self, table: dict[str, set[str]]) -> None:
        self.table = {fold_text(k): frozenset(v) for k, v in table.items()}

    def link(self, text: str, folded: str, terms: tuple[str, ...]) -> frozenset[str]:
        return self.table.get(folded, frozenset())


class NoLinker:
    def link(self, text: str, folded: str, terms: tuple[str, ...]) -> frozenset[str]:
        return frozenset()


def verdict(matcher: AnswerMatcher, solution: str, reference: str) -> str:
    return matcher.compare(solution, matcher.analyze(reference)).verdict


def test_lexicon_linker_links_synonyms_to_one_cui() -> None:
    linker = LexiconLinker()
    # Two answers name one concept when their sets share an id (a form can have ids from several sources).
    assert link(linker, "Heart attack") & link(linker, "Myocardial infarction") == {"UMLS:C0027051"}
    assert link(linker, "Diabetes insipidus") != link(linker, "Diabetes mellitus")
    assert link(linker, "zzz qqq") == frozenset()
    assert link(linker, "") == frozenset()


def test_lexicon_linker_is_a_stateless_picklable_concept_linker() -> None:
    linker = LexiconLinker()
    assert isinstance(linker, ConceptLinker)
    assert pickle.loads(pickle.dumps(linker)) == linker
    assert hash(LexiconLinker()) == hash(linker)
    assert repr(linker) == "LexiconLinker()"
    assert AnswerMatcher().linker == linker


def test_a_custom_linker_makes_unknown_synonyms_equivalent() -> None:
    custom = AnswerMatcher(linker=DictLinker({"Zebra fever": {"X:1"}, "Stripe syndrome": {"X:1"}}))
    assert verdict(AnswerMatcher(), "Zebra fever", "Stripe syndrome") == "mismatch"
    assert verdict(custom, "Zebra fever", "Stripe syndrome") == "equivalent"
    assert verdict(custom, "Stripe syndrome", "Zebra fever") == "equivalent"


def test_a_custom_linker_concepts_drive_the_different_concepts_guard() -> None:
    # Terms that overlap, but the linker says they are different concepts of one vocabulary: the
    # guard wins over the overlap. The same normalized terms stay equivalent whatever a linker says.
    table = {"Zebra stripe fever": {"X:1"}, "Zebra spot fever": {"X:2"}, "Fever of zebra spots": {"X:3"}}
    matcher = AnswerMatcher(linker=DictLinker(table))
    match = matcher.compare("Zebra stripe fever", matcher.analyze("Zebra spot fever"))
    plain = AnswerMatcher().compare("Zebra stripe fever", AnswerMatcher().analyze("Zebra spot fever"))
    assert plain.guard is None and plain.similarity > 0
    assert match.verdict == "mismatch"
    assert match.guard == "different concepts: X:1 / X:2"
    assert verdict(matcher, "Fever of zebra spots", "Zebra spot fever") == "equivalent"


def test_without_concepts_synonyms_are_no_longer_equivalent() -> None:
    assert verdict(AnswerMatcher(), "Heart attack", "Myocardial infarction") == "equivalent"
    assert verdict(AnswerMatcher(linker=NoLinker()), "Heart attack", "Myocardial infarction") == "mismatch"
    # Term-level judging does not depend on the linker.
    assert verdict(AnswerMatcher(linker=NoLinker()), "Crohn's disease", "Crohn disease") == "exact"


def test_check_answer_uses_the_configured_linker_and_stays_picklable() -> None:
    linker = DictLinker({"Zebra fever": {"X:1"}, "Stripe syndrome": {"X:1"}})
    reward = CheckAnswer(CheckAnswerConfig(matcher=AnswerMatcher(linker=linker)))
    completions = [formatted(solution="Zebra fever"), formatted(solution="Heart attack")]
    # The configured linker knows neither "Heart attack" nor "Myocardial infarction": a mismatch.
    scored = reward(completions=completions, answer=["Stripe syndrome", "Myocardial infarction"])
    assert scored[0] == 3.0 and scored[1] is not None and scored[1] < 0.0
    clone = pickle.loads(pickle.dumps(reward))
    assert clone(completions=completions, answer=["Stripe syndrome", "Myocardial infarction"]) == scored


@pytest.mark.parametrize("bad", [object(), "umls", lambda text: frozenset(), None])
def test_a_non_linker_is_rejected_by_validation(bad: object) -> None:
    with pytest.raises(ValidationError, match="linker"):
        AnswerMatcher(linker=bad)


def test_importing_medreward_never_imports_spacy_or_scispacy() -> None:
    code = (
        "import sys, medreward, medreward.medical, medreward.answer, medreward.medical.linking\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'spacy', 'scispacy', 'nmslib'})\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.skipif(importlib.util.find_spec("scispacy") is not None, reason="scispacy is installed")
def test_the_scispacy_linker_without_scispacy_names_the_extra() -> None:
    with pytest.raises(ImportError, match=r"pip install 'medreward\[scispacy\]'"):
        importlib.import_module("medreward.medical.scispacy_linker")
