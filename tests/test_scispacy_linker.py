"""The scispacy-backed concept linker, offline, over a small knowledge base built at test time.

Needs the extra (``pip install 'medreward[scispacy]'``; ``make test-scispacy``): skipped without it.
"""

from __future__ import annotations

import json
import pickle
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("scispacy")

from scispacy.candidate_generation import CandidateGenerator, LinkerPaths
from scispacy.linking_utils import KnowledgeBase

from medreward import CheckAnswer, CheckAnswerConfig
from medreward.medical import AnswerMatcher
from medreward.medical.linking import ConceptLinker
from medreward.medical.normalize import fold_text, normalize_terms
from medreward.medical.scispacy_linker import ScispacyLinker, build_tfidf_ann_index
from tests.conftest import formatted

# (id, canonical name, aliases): real CUIs where there is one, a made-up concept the bundled lexicon
# cannot know.
CONCEPTS = [
    ("C0027051", "Myocardial infarction", ["Heart attack", "Myocardial infarct", "Cardiac infarction", "MI"]),
    ("C0020538", "Hypertension", ["High blood pressure", "Arterial hypertension", "HTN"]),
    ("C0020649", "Hypotension", ["Low blood pressure"]),
    ("C0011848", "Diabetes insipidus", []),
    ("C0011849", "Diabetes mellitus", ["DM"]),
    ("C0034065", "Pulmonary embolism", ["Lung embolism", "PE"]),
    ("C0149871", "Deep vein thrombosis", ["Deep venous thrombosis", "DVT"]),
    ("C0038454", "Cerebrovascular accident", ["Stroke", "CVA", "Brain attack"]),
    ("C0004096", "Asthma", ["Bronchial asthma"]),
    ("C0024117", "Chronic obstructive pulmonary disease", ["COPD", "Chronic obstructive lung disease"]),
    ("C0037047", "Syndrome of inappropriate antidiuretic hormone secretion", ["SIADH"]),
    ("C0042847", "Vitamin B12 deficiency", ["Cobalamin deficiency"]),
    ("X0000001", "Zebra fever", ["Stripe syndrome"]),
]


@pytest.fixture(scope="module")
def kb_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("kb")
    kb = root / "kb.jsonl"
    with kb.open("w", encoding="utf-8") as f:
        for cid, name, aliases in CONCEPTS:
            record = {"concept_id": cid, "canonical_name": name, "aliases": aliases, "types": ["T047"]}
            f.write(json.dumps(record) + "\n")
    return kb, build_tfidf_ann_index(kb, root / "index")


@pytest.fixture(scope="module")
def linker(kb_files: tuple[Path, Path]) -> ScispacyLinker:
    kb, index = kb_files
    return ScispacyLinker(kb, index_dir=index)


def link(linker: ConceptLinker, text: str) -> frozenset[str]:
    return linker.link(text, fold_text(text), tuple(normalize_terms(text)))


def test_the_index_is_in_scispacys_own_format(kb_files: tuple[Path, Path]) -> None:
    kb_path, index = kb_files
    aliases, vectorizer, ann_index = LinkerPaths.from_directory(index).load()
    generator = CandidateGenerator(ann_index, vectorizer, aliases, KnowledgeBase(str(kb_path)))
    (candidates,) = generator(["Heart attack"], 5)
    assert max(candidates, key=lambda c: max(c.similarities)).concept_id == "C0027051"


def test_it_is_a_concept_linker_and_loads_lazily(kb_files: tuple[Path, Path]) -> None:
    kb, index = kb_files
    fresh = ScispacyLinker(kb, index_dir=index)
    assert isinstance(fresh, ConceptLinker)
    assert not fresh.loaded
    assert link(fresh, "Heart attack") == {"KB:C0027051"}
    assert fresh.loaded


@pytest.mark.parametrize(
    ("synonym", "name", "cid"),
    [
        ("Heart attack", "Myocardial infarction", "C0027051"),
        ("high blood pressure", "Hypertension", "C0020538"),
        ("Stroke", "Cerebrovascular accident", "C0038454"),
        ("Deep venous thrombosis", "Deep vein thrombosis", "C0149871"),
        ("Cobalamin deficiency", "Vitamin B12 deficiency", "C0042847"),
        ("Chronic obstructive lung disease", "COPD", "C0024117"),
        ("Stripe syndrome", "Zebra fever", "X0000001"),
    ],
)
def test_synonyms_link_to_the_same_concept(linker: ScispacyLinker, synonym: str, name: str, cid: str) -> None:
    assert link(linker, synonym) == link(linker, name) == {f"KB:{cid}"}


def test_different_concepts_link_to_different_ids(linker: ScispacyLinker) -> None:
    names = [name for _, name, _ in CONCEPTS]
    linked = [link(linker, name) for name in names]
    assert all(len(ids) == 1 for ids in linked)
    assert len(set().union(*linked)) == len(names)
    assert link(linker, "Diabetes insipidus") == {"KB:C0011848"}
    assert link(linker, "Diabetes mellitus") == {"KB:C0011849"}
    assert link(linker, "Hypotension") != link(linker, "Hypertension")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "zzz qqq",
        "Diabetes",  # vague: closest to two concepts, below the threshold for both
        "Acute myocardial infarction",  # "acute" is in no alias: too few known 3-grams to link
        "Myocardial infarction " * 20,  # over max_chars: a paragraph is not one mention
    ],
)
def test_texts_it_cannot_link_give_no_concept(linker: ScispacyLinker, text: str) -> None:
    assert link(linker, text) == frozenset()


def test_an_abbreviation_defined_in_the_text_is_resolved(linker: ScispacyLinker) -> None:
    assert linker.mention("Diabetes insipidus (DI)") == "Diabetes insipidus"
    assert link(linker, "Diabetes insipidus (DI)") == {"KB:C0011848"}
    assert linker.mention("Zebra fever (ZF), recurrent ZF") == "Zebra fever, recurrent Zebra fever"
    assert link(linker, "Zebra fever (ZF)") == {"KB:X0000001"}
    # The abbreviation alone is linked through the knowledge base's own alias, where it has one.
    assert link(linker, "SIADH") == link(linker, "Syndrome of inappropriate antidiuretic hormone secretion")
    assert linker.mention("Heart attack") == "Heart attack"


def test_the_threshold_and_the_id_prefix_are_configurable(kb_files: tuple[Path, Path]) -> None:
    kb, index = kb_files
    assert link(ScispacyLinker(kb, index_dir=index, id_prefix="UMLS"), "Heart attack") == {"UMLS:C0027051"}
    assert link(ScispacyLinker(kb, index_dir=index, id_prefix=""), "Heart attack") == {"C0027051"}
    # "Heart attacks": most 3-grams known, similarity a little under 1.
    strict = ScispacyLinker(kb, index_dir=index, threshold=0.99, min_coverage=0.5)
    loose = ScispacyLinker(kb, index_dir=index, threshold=0.5, min_coverage=0.5)
    assert link(strict, "Heart attacks") == frozenset()
    assert link(loose, "Heart attacks") == {"KB:C0027051"}


def test_pickling_round_trips_without_the_loaded_pipeline(kb_files: tuple[Path, Path]) -> None:
    kb, index = kb_files
    original = ScispacyLinker(kb, index_dir=index, threshold=0.9)
    assert link(original, "Heart attack") == {"KB:C0027051"}
    data = pickle.dumps(original)
    assert len(data) < 2000  # configuration only: no pipeline, no index
    clone = pickle.loads(data)
    assert clone == original and hash(clone) == hash(original) and repr(clone) == repr(original)
    assert not clone.loaded
    assert link(clone, "Heart attack") == {"KB:C0027051"}
    assert link(clone, "Diabetes insipidus (DI)") == {"KB:C0011848"}


def test_concurrent_first_calls_load_once_and_agree(kb_files: tuple[Path, Path]) -> None:
    kb, index = kb_files
    texts = [name for _, name, _ in CONCEPTS] + [a for _, _, aliases in CONCEPTS for a in aliases]
    expected = [link(ScispacyLinker(kb, index_dir=index), t) for t in texts]
    shared = ScispacyLinker(kb, index_dir=index)
    loads = 0
    original_load = shared._load
    guard = threading.Lock()

    def counting_load() -> None:
        nonlocal loads
        with guard:
            loads += 1
        original_load()

    shared._load = counting_load  # type: ignore[method-assign]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda t: link(shared, t), texts * 4))
    assert results == expected * 4
    assert loads == 1


def test_answer_matcher_with_the_scispacy_linker(linker: ScispacyLinker) -> None:
    matcher = AnswerMatcher(linker=linker)

    def verdict(solution: str, reference: str, m: AnswerMatcher = matcher) -> str:
        return m.compare(solution, m.analyze(reference)).verdict

    assert verdict("Heart attack", "Myocardial infarction") == "equivalent"
    mismatch = matcher.compare("Diabetes insipidus", matcher.analyze("Diabetes mellitus"))
    assert mismatch.verdict == "mismatch"
    assert mismatch.guard == "different concepts: KB:C0011848 / KB:C0011849"
    # Synonyms that need no linker: an organ's adjective is its noun; MeSH names cobalamin deficiency.
    for solution, reference in [
        ("Chronic obstructive lung disease", "Chronic obstructive pulmonary disease"),
        ("Cobalamin deficiency", "Vitamin B12 deficiency"),
    ]:
        assert verdict(solution, reference, AnswerMatcher()) == verdict(solution, reference) == "equivalent"
    # Synonyms the bundled lexicon does not link as one concept, which this knowledge base does.
    for solution, reference, bundled in [
        ("Brain attack", "Cerebrovascular accident", "mismatch"),
        ("Stripe syndrome", "Zebra fever", "mismatch"),
    ]:
        assert verdict(solution, reference, AnswerMatcher()) == bundled
        assert verdict(solution, reference) == "equivalent"
    # The matcher's own guards still apply.
    assert verdict("Low blood pressure", "High blood pressure") == "mismatch"
    assert verdict("Acute myocardial infarction", "Myocardial infarction") == "partial"


def test_check_answer_with_the_scispacy_linker_pickles(linker: ScispacyLinker) -> None:
    reward = CheckAnswer(CheckAnswerConfig(matcher=AnswerMatcher(linker=linker)))
    completions = [formatted(solution="Heart attack"), formatted(solution="Diabetes insipidus")]
    answers = ["Myocardial infarction", "Diabetes mellitus"]
    assert reward(completions=completions, answer=answers) == [3.0, -0.5]
    clone = pickle.loads(pickle.dumps(reward))
    assert clone(completions=completions, answer=answers) == [3.0, -0.5]


def test_configuration_errors_are_reported_at_construction(
    kb_files: tuple[Path, Path], tmp_path: Path
) -> None:
    kb, index = kb_files
    with pytest.raises(ValueError, match="needs index_dir"):
        ScispacyLinker(kb)
    with pytest.raises(ValueError, match="existing JSON Lines file"):
        ScispacyLinker(tmp_path / "absent.jsonl", index_dir=index)
    with pytest.raises(ValueError, match=r"lacks nmslib_index\.bin"):
        ScispacyLinker(kb, index_dir=tmp_path)
    with pytest.raises(ValueError, match="threshold"):
        ScispacyLinker(kb, index_dir=index, threshold=0.0)
    with pytest.raises(ValueError, match="min_coverage"):
        ScispacyLinker(kb, index_dir=index, min_coverage=1.5)
    # A named scispacy knowledge base is accepted without files; nothing loads until the first link.
    umls = ScispacyLinker("umls")
    assert umls.id_prefix == "UMLS" and not umls.loaded
