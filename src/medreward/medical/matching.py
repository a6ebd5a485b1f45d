"""Judging whether a solution says what a reference says, on normalized medical terms and concepts.

:class:`AnswerMatcher` compares a model's solution with a reference answer and returns an
:class:`AnswerMatch`: a verdict (``exact``, ``equivalent``, ``partial``, ``mismatch``, ``missing``),
a similarity in [0, 1], the terms and concepts involved and the guard that fired, if any. It knows
nothing of TRL or of score values: :mod:`medreward.answer` turns verdicts into rewards.

How it decides (docs/matching.md has the full rules and their reasons):

1. Both texts are analysed once: unambiguous abbreviations written as such ("MI", "DKA") are
   expanded, the text is folded and reduced to sorted content terms (US spelling, no stop words,
   no plurals), split into clauses ("X and Y", "X with Y"), and looked up in the bundled concept
   lexicon (HPO, ICD-10-CM, drugs: :mod:`medreward.medical.lexicon`).
2. Guards force ``mismatch``: a negated or hedged solution; a term whose opposite the reference
   uses (hyper/hypo, left/right, increased/decreased, acute/chronic, non-Hodgkin/Hodgkin, ...); a
   number the reference lacks (type 1 vs type 2, 5 mg vs 50 mg); the same terms rearranged across
   clauses ("aortic regurgitation with mitral stenosis" vs "mitral regurgitation with aortic
   stenosis"); two different lexicon concepts ("diabetes insipidus" vs "diabetes mellitus").
3. Short references (a term or phrase): ``exact`` when the folded texts agree, ``equivalent`` when
   the content terms or the concepts agree, else the F1 of the term sets, ``partial`` from
   ``min_similarity`` (0.7) up: listing candidates (low precision) and a less specific answer
   (low recall) both fall short.
4. Long references (a paragraph): the reference's conclusion (the sentences that state the
   answer: "the most likely diagnosis is ...", or its last sentence) is found, terms the reference
   only mentions to exclude ("X is less likely", "rather than X") are set apart, and the solution
   is scored by how much of it the conclusion supports; restating the paragraph does not pay.

This module owns the matcher: its config (every weight and threshold, validated; the support of a
paragraph in :class:`~medreward.medical.passages.SupportWeights`), its guards (:meth:`AnswerMatcher._guard`)
and the verdict cascade (:meth:`AnswerMatcher._compare`). What it composes lives below it:
:mod:`~medreward.medical.evidence` (the analysis types), :mod:`~medreward.medical.abbreviations`,
:mod:`~medreward.medical.spacing`, :mod:`~medreward.medical.analysis` (:func:`analyze_text`),
:mod:`~medreward.medical.alignment`, :mod:`~medreward.medical.hierarchy` and
:mod:`~medreward.medical.passages`; docs/matching.md, "Where things go", says which a change touches.

>>> matcher = AnswerMatcher()
>>> matcher.compare("Deficiency of vitamin B12", matcher.analyze("Vitamin B12 deficiency")).verdict
'equivalent'
>>> matcher.compare("Heart attack", matcher.analyze("Myocardial infarction")).verdict
'equivalent'
>>> matcher.compare("Hypothyroidism", matcher.analyze("Hyperthyroidism")).guard
'opposite: hypothyroidism / hyperthyroidism (Hypothyroidism / Hyperthyroidism)'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from itertools import pairwise
from math import fsum

from pydantic import BaseModel, ConfigDict, Field, model_validator
from rapidfuzz import process
from rapidfuzz.distance import OSA, Prefix

from medreward.medical.abbreviations import (
    _expand_abbreviations,
    _may_abbreviate,
    _senses,
    _undot,
    has_ambiguous_abbreviation,
)
from medreward.medical.acronyms import acronym_candidates, spell_genus, spell_out
from medreward.medical.alignment import (
    _MIN_CONCEPT_WORD,
    _MIN_STATE_STEM,
    _aligned,
    _base_word,
    _derived_from,
    _eponym_parts,
    _infestation_match,
    _names_a_concept,
    _phrase_concepts,
    _stems,
    _term_concepts,
    _two_words,
    named_phrases,
    paragraph_phrases,
)
from medreward.medical.analysis import _POLARITY_WORDS, analyze_text, answer_span
from medreward.medical.cues import (
    DENYING_PREFIXES,
    EPONYM_HEADS,
    FAMILIES_OF,
    OPPOSITE_PREFIXES,
    OUT_OF,
    SALT_WORDS,
    SPLIT_DENYING_PREFIXES,
)
from medreward.medical.evidence import (
    _DIGIT,
    AnswerMatch,
    ReferenceAnalysis,
    TextAnalysis,
    Verdict,
    _fuzzy_pool,
    _is_number,
    _numbers,
    _opposite_variants,
)
from medreward.medical.hierarchy import (
    _ancestors,
    _child_of,
    _genus_lineage,
    _infection_of,
    _lineage,
    _named_lineage,
    _named_parent,
    _related,
    _siblings,
    _sources,
    _vocabularies,
)
from medreward.medical.lexicon import load_lexicon
from medreward.medical.linking import ConceptLinker, LexiconLinker
from medreward.medical.normalize import (
    NEGATION_CUES,
    REFUSAL_CUES,
    SAME_MEANING,
    fold_text,
    normalize_folded,
    normalize_terms,
    term_tokens,
)
from medreward.medical.passages import SupportWeights, _clause_support, _passages, _support
from medreward.medical.quantities import bound_comparisons, canonical_quantities, ratios
from medreward.medical.questions import is_exception_question
from medreward.medical.spacing import _MAX_ALIGNED_TOKENS, _respace

__all__ = [
    "OPPOSITE_PREFIXES",
    "AnswerMatch",
    "AnswerMatcher",
    "ReferenceAnalysis",
    "TextAnalysis",
    "Verdict",
]

# Negation cues that, in an answer, name a finding rather than deny one ("negative pressure
# ventilation", "Gram-negative bacilli"): against a long reference that uses them too, they are
# terms like any other.
_NOT_A_DENIAL = frozenset({"negative"})


# How verdicts rank, for choosing the better of two readings (similarity breaks ties within one).
# The shortest misspelt word that may be two edits from the reference's ("cholecystits"); a word the
# lexicon's names use is never read as a misspelling ("arteritis" is not "arthritis").
_MIN_TWO_EDIT_WORD = 9
_MAX_TYPO_EDITS = 2

_RANK: dict[str, float] = {"exact": 4.0, "equivalent": 4.0, "partial": 2.0, "mismatch": 1.0, "missing": 0.0}


# Texts quoted in guard messages are cut to this many characters.
_QUOTED_CHARS = 60


def _quoted(text: str) -> str:
    """``text`` as a guard message quotes it: one line, at most :data:`_QUOTED_CHARS` characters."""
    text = " ".join(text.split())
    return text if len(text) <= _QUOTED_CHARS else text[: _QUOTED_CHARS - 3] + "..."


# A context concept that names nothing: marks a reference analysed in a solution's context.
_NO_CONCEPT = frozenset({""})


def _without_salts(solution: TextAnalysis, reference: TextAnalysis, linker: ConceptLinker) -> TextAnalysis:
    """``solution`` read without the salt words of :data:`SALT_WORDS` ("pethidine hydrochloride" as
    "pethidine"), when something is left."""
    tokens = solution.folded.split()
    kept = [w for w in tokens if w not in SALT_WORDS]
    # An answer, not a text: read again without its sentences' punctuation, a paragraph would be cut
    # down to the span a sentence of it answers with.
    if not kept or len(kept) == len(tokens) or len(tokens) > _MAX_ALIGNED_TOKENS:
        return solution
    again = analyze_text(" ".join(kept), linker, reference.term_set, reference.concepts, expand=False)
    return replace(
        again,
        text=solution.text,
        folded=solution.folded,  # the drug without its salt is equivalent, not exact
        hedged=solution.hedged,
        negation_tokens=solution.negation_tokens,
    )


def _passage_qualifier(
    solution: TextAnalysis, found: list[str | None], reference: ReferenceAnalysis
) -> str | None:
    """Against a paragraph: a qualifier of the solution that the paragraph never says, where the
    asserted passage that holds most of the solution's other terms says another member of its family
    or its opposite ("FEV1/FVC greater than 0.7" where the passage says "FEV1/FVC ratio below 0.7";
    "Anterior MI" where it says "inferior wall myocardial infarction"; "Left coronary artery" where it
    says "right coronary artery"), as the guard's reason, else ``None``. Each clause of a compound
    solution finds its own passage. Where else the paragraph says the qualifier does not matter: a
    vignette's "right side of the body" does not make "Right PICA" what the conclusion says."""
    hit_of = {term: hit for term, hit in zip(solution.terms, found) if hit is not None}
    for clause in solution.clauses or (solution.terms,):
        clash = _clause_qualifier(clause, hit_of, solution.term_set, reference)
        if clash is not None:
            return clash
    return None


def _clause_qualifier(
    clause: tuple[str, ...], hit_of: dict[str, str], said: frozenset[str], reference: ReferenceAnalysis
) -> str | None:
    """:func:`_passage_qualifier` for one clause of the solution ("decreased estradiol" of
    "Decreased estradiol and increased LH"), whose ``hit_of`` terms find their passage; ``said``:
    every term of the solution."""
    qualifiers = [t for t in sorted(clause) if t in FAMILIES_OF or _opposite_variants(t)]
    if not qualifiers:
        return None
    hits = frozenset(hit_of[t] for t in clause if t in hit_of)
    if len(hits) < 2:
        return None
    best = max(
        (p for p in reference.passages if not p.excluded),
        key=lambda p: len(p.terms & hits),
        default=None,
    )
    if best is None or len(best.terms & hits) < 2:
        return None
    for term in qualifiers:
        if term in best.terms:
            continue
        other = _family_member(term, best.terms, said)
        if other is not None:
            return f"qualifier: {term} / {other} (in the passage that says the rest)"
        opposite = _opposite_in(term, best.terms)
        if opposite is not None:
            return f"opposite: {term} / {opposite} (in the passage that says the rest)"
    return None


def _family_member(term: str, terms: frozenset[str], said: frozenset[str]) -> str | None:
    """Another member of a qualifier family of ``term`` (:data:`FAMILIES_OF`: sides, positions,
    grades, ...) that ``terms`` hold and ``said`` does not, else ``None``.

    >>> _family_member("anterior", frozenset({"inferior", "wall"}), frozenset({"anterior"}))
    'inferior'
    """
    for family in FAMILIES_OF.get(term, ()):
        other = sorted((family & terms) - said)
        if other:
            return other[0]
    return None


def _opposite_in(term: str, terms: frozenset[str], whole_words: bool = True) -> str | None:
    """The opposite of ``term`` (:data:`OPPOSITE_PREFIXES`; with ``whole_words``, "left"/"right"
    too) that ``terms`` hold, else ``None``."""
    return next((v for v in _opposite_variants(term, whole_words) if v in terms), None)


# The most words a concept put in the place of another may have, on either side.
_MAX_SUBSTITUTED_TERMS = 3
# How far up a vocabulary's hierarchy two concepts put in each other's place must meet: alternatives
# of one kind (two penicillins, two vessels), not two words that happen to name concepts.
_SIBLING_DEPTH = 2


def _substitution(
    solution: TextAnalysis, reference: TextAnalysis, found: list[str | None], depth: int
) -> str | None:
    """Another concept in the place of one of the reference's, the rest of the two answers alike
    ("Amoxicillin is not active against enterococci" for "Ceftriaxone is not active against
    enterococci"): the words of each answer that the other lacks, alone or with a word both say,
    name two concepts of one vocabulary that are alternatives of one kind, their ancestors meeting
    within :data:`_SIBLING_DEPTH` levels, neither above the other. The reason, else ``None``."""
    hits = {hit for hit in found if hit is not None}
    extra = (
        frozenset(t for t, hit in zip(solution.terms, found) if hit is None and t not in reference.context)
        - _POLARITY_WORDS
    )
    missing = reference.term_set - hits - _POLARITY_WORDS
    if (
        not hits - _POLARITY_WORDS
        or not 0 < len(extra) <= _MAX_SUBSTITUTED_TERMS
        or not 0 < len(missing) <= _MAX_SUBSTITUTED_TERMS
    ):
        return None
    lexicon = load_lexicon()
    ours = lexicon.concepts_for_terms(sorted(extra))
    theirs = lexicon.concepts_for_terms(sorted(missing))
    if not (ours and theirs):
        # The words that differ may qualify a word both answers say: "placental abruption" in the
        # place of "placenta praevia" (abruption and praevia name nothing alone).
        for shared in sorted(hits - _POLARITY_WORDS):
            ours = lexicon.concepts_for_terms(sorted(extra | {shared}))
            theirs = lexicon.concepts_for_terms(sorted(missing | {shared}))
            if ours and theirs:
                break
    if (
        not ours
        or not theirs
        or not ours.isdisjoint(theirs)
        or not _vocabularies(ours) & _vocabularies(theirs)
        or _lineage(ours, theirs, depth) is not None
        or not _siblings(ours, theirs, _SIBLING_DEPTH)
    ):
        return None
    one = lexicon.preferred_name(min(ours)) or min(ours)
    other = lexicon.preferred_name(min(theirs)) or min(theirs)
    return f"different concepts: {one} in the place of {other}"


def _named_substitution(
    solution: TextAnalysis,
    found: list[str | None],
    reference: ReferenceAnalysis,
    linker: ConceptLinker,
    depth: int,
) -> str | None:
    """Against a paragraph: another concept in the place of one it names where it states its answer
    ("Hashimoto's thyroiditis" where it concludes "subacute thyroiditis"), as :func:`_substitution`
    judges it against that phrase. Only where every word of the solution that the paragraph says
    lies in the one phrase, and the paragraph names none of the solution's concepts. The reason,
    else ``None``."""
    hits = frozenset(hit for hit in found if hit is not None) - _POLARITY_WORDS
    named = reference.named_phrases
    if not hits or not solution.concepts or not solution.concepts.isdisjoint(named):
        return None
    for words in dict.fromkeys(named.values()):  # each phrase once, the strongest passage's first
        terms = frozenset(normalize_folded(list(words)))
        if hits <= terms:
            phrase = analyze_text(" ".join(words), linker)
            in_phrase = [hit if hit in phrase.term_set else None for hit in found]
            return _substitution(solution, phrase, in_phrase, depth)
    return None


def _reversed_ratio(solution: TextAnalysis, reference: TextAnalysis) -> str | None:
    """A ratio of the solution that the reference states the other way round ("6:1" for "1:6"; the
    terms of the two are one set), as the guard's reason, else ``None``."""
    if ":" not in solution.text:
        return None
    stated = ratios(reference.text)
    for pair in sorted(ratios(solution.text)):
        if pair not in stated and pair[::-1] in stated:
            return f"ratio: {pair[0]}:{pair[1]} / {pair[1]}:{pair[0]}"
    return None


# How far up a vocabulary's hierarchy a concept named in the place of the reference's must meet it
# (:func:`_named_in_place`): alternatives of one kind (two bacteria, two optic neuropathies), deeper
# than :data:`_SIBLING_DEPTH`, since the two must also fill one slot of one clause.
_SLOT_SIBLING_DEPTH = 5
_MESH = "MESH:"


def _named_in_place(
    solution: TextAnalysis,
    reference: ReferenceAnalysis,
    found: list[str | None],
    linker: ConceptLinker,
    depth: int,
) -> str | None:
    """Against a short reference: a concept the solution names in the place of one the reference
    names, the rest of the solution the reference's words ("Staphylococcus aureus endocarditis is
    typically culture-negative" for "Coxiella burnetii endocarditis is typically blood
    culture-negative"; "A cortical stroke causes facial weakness ..." for "Bell's palsy causes facial
    weakness ..."). Where :func:`_substitution` compares every word that differs, this compares
    named phrases: every word of the solution that the reference lacks lies in named phrases that
    make one run of one clause, and so do the reference's named phrases that share no word with the
    solution (what it says besides, "blood", does not count); the two sets of concepts are disjoint,
    neither is within ``depth`` levels of the other, and one of each meets within
    :data:`_SLOT_SIBLING_DEPTH` levels below an ancestor that is a kind. The reason, else ``None``.
    """
    ref = reference.answer
    hits = frozenset(hit for hit in found if hit is not None) - _POLARITY_WORDS
    extra = (
        frozenset(t for t, hit in zip(solution.terms, found) if hit is None and t not in ref.context)
        - _POLARITY_WORDS
    )
    if not hits or not extra:
        return None
    ours, before = _one_slot(solution, linker, lambda terms: bool(terms) and terms <= extra, extra)
    if not ours:
        return None
    said = solution.term_set | hits
    theirs, ref_before = _one_slot(ref, linker, lambda terms: bool(terms) and said.isdisjoint(terms), None)
    hit_of = {t: hit for t, hit in zip(solution.terms, found) if hit is not None}
    if (
        not theirs
        or not ours.isdisjoint(theirs)
        # in the place of: after the same words of the two answers
        or frozenset(hit_of[t] for t in before if t in hit_of) - _POLARITY_WORDS != ref_before & hits
        or _lineage(ours, theirs, depth) is not None
    ):
        return None
    lexicon = load_lexicon()
    for one in sorted(ours):
        above = _ancestors(one, _SLOT_SIBLING_DEPTH)
        for other in sorted(theirs):
            shared = above & _ancestors(other, _SLOT_SIBLING_DEPTH)
            # an ontology's one root ("All", "disease") makes no two concepts alternatives of one
            # kind; MeSH's trees start at kinds ("Bacteria", "Viruses")
            if any(a.startswith(_MESH) or lexicon.parents(a) for a in sorted(shared)):
                return (
                    f"different concepts: {lexicon.preferred_name(one) or one} in the place of "
                    f"{lexicon.preferred_name(other) or other}"
                )
    return None


def _one_slot(
    answer: TextAnalysis,
    linker: ConceptLinker,
    keep: Callable[[frozenset[str]], bool],
    cover: frozenset[str] | None,
) -> tuple[frozenset[str], frozenset[str]]:
    """The concepts of the named phrases of ``answer`` that ``keep`` accepts (by their terms), when
    they make one run of words of one clause (only function words between them) and, with
    ``cover``, hold every term of it, and the terms before that run; else nothing."""
    tokens = answer.folded.split()
    spans = [
        (start, end, ids)
        for start, end, ids in _phrase_concepts(tokens, linker)
        if keep(frozenset(normalize_folded(tokens[start:end])))
    ]
    if not spans:
        return frozenset(), frozenset()
    spans.sort()
    for (_, end, _), (start, _, _) in pairwise(spans):
        if normalize_folded(tokens[end:start]):
            return frozenset(), frozenset()
    held = frozenset(normalize_folded([t for s, e, _ in spans for t in tokens[s:e]]))
    if (cover is not None and not cover <= held) or not any(held <= frozenset(c) for c in answer.clauses):
        return frozenset(), frozenset()
    return frozenset().union(*(ids for _, _, ids in spans)), frozenset(
        normalize_folded(tokens[: spans[0][0]])
    )


# What SAME_MEANING reads "withhold", "discontinue", "cease" and "stop" in every form as.
_WITHHELD = "stop"


def _withheld(one: TextAnalysis, other: TextAnalysis) -> bool:
    """Whether ``one`` withholds a treatment ("Withhold thrombolysis", "Stop metformin") that
    ``other`` says not to give ("Thrombolysis should not be given", "Do not give metformin": a
    denial, the instruction to give being a stop word), nothing else differing: the same
    instruction. One clause each; ``one`` has no negation cue and ``other`` an odd count of them.

    >>> from medreward.medical.analysis import analyze_text
    >>> _withheld(analyze_text("Withhold thrombolysis"), analyze_text("Thrombolysis should not be given"))
    True
    >>> _withheld(analyze_text("Start thrombolysis"), analyze_text("Thrombolysis should not be given"))
    False
    """
    return (
        _WITHHELD in one.term_set
        and not one.negation_tokens
        and _WITHHELD not in other.term_set
        and len(other.negation_tokens) % 2 == 1
        and len(one.clauses) <= 1
        and len(other.clauses) <= 1
        and one.term_set - {_WITHHELD} == other.term_set - _POLARITY_WORDS != frozenset()
    )


def _words(terms: frozenset[str]) -> str:
    """Terms for a guard's reason, in one order."""
    return " ".join(sorted(terms))


def _denied_by_prefix(term: str, hit: str) -> bool:
    """Whether ``term`` is ``hit`` with a prefix that denies it (:data:`DENYING_PREFIXES`).

    >>> _denied_by_prefix("undisplaced", "displaced"), _denied_by_prefix("adherent", "adherence")
    (True, False)
    """
    return term != hit and term.endswith(hit) and term[: len(term) - len(hit)] in DENYING_PREFIXES


# The shortest word a denying prefix may deny ("un-stable"; not "a-cute").
_MIN_DENIED_STEM = 5


def _denied_stem(word: str, words: frozenset[str]) -> str | None:
    """The word of ``words`` that ``word`` denies with a prefix (:data:`SPLIT_DENYING_PREFIXES`:
    "undisplaced" -> "displaced", "irreducible" -> "reducible"), else ``None``.

    >>> _denied_stem("unreactive", frozenset({"reactive"})), _denied_stem("acute", frozenset({"cute"}))
    ('reactive', None)
    """
    for prefix in SPLIT_DENYING_PREFIXES:
        stem = word[len(prefix) :]
        if word.startswith(prefix) and len(stem) >= _MIN_DENIED_STEM and stem in words:
            return stem
    return None


def _deny_written(text: str, word: str, stem: str) -> str:
    """``text`` with ``word`` (a folded token) written as its ``stem`` denied by "non"."""
    return re.sub(rf"\b{re.escape(word)}\b", f"non {stem}", text, flags=re.IGNORECASE)


def _contests(term: str, numbers: frozenset[str]) -> bool:
    """Whether a number ``term`` a reference lacks says another number than the reference's
    ``numbers``: a chromosome band unless the reference names its chromosome or a band nested with
    it ("7q31" for "chromosome 7"); a name that ends in digits ("b12", "spo2") only against another
    of the same letters ("b6" for "b12", "t3" for "t4"); a designating letter only against a letter
    ("Hemophilia B" for "Hemophilia A"); any other number against a number with digits ("8" of
    "Factor VIII deficiency" numbers nothing of "Hemophilia A"). "SpO2 88-92%" names the measure
    "Oxygen saturation 88-92%" states in words; "Vitamin B6" is another vitamin than "Vitamin B12".
    """
    band = _BAND.fullmatch(term)
    if band is not None:
        # a chromosome band: another number unless the reference names its chromosome or a band
        # that holds it or that it holds ("22q11" / "22q11.2")
        return not any(n == band.group(1) or n.startswith(term) or term.startswith(n) for n in numbers)
    named = _NAME_WITH_DIGITS.fullmatch(term)
    if named is not None:
        return any(
            _NAME_WITH_DIGITS.fullmatch(n) and n.rstrip("0123456789") == named.group(1) for n in numbers
        )
    if len(term) == 1 and term.isupper():
        return any(len(n) == 1 and n.isupper() for n in numbers)
    return any(_DIGIT.search(n) for n in numbers)


def _other_in_every_sense(text: str, reference: frozenset[str], depth: int) -> bool:
    """Whether ``text`` is one abbreviation of several senses ("CVS": cyclic vomiting syndrome,
    cardiovascular system, chorionic villus sampling), each of which names a lexicon concept that is
    none of ``reference``'s and no relation of theirs (up to ``depth`` levels): a wrong answer
    however it is read, though no one reading can be trusted."""
    token = text.strip(" .!?\"'")
    if not token.isalnum() or not token.isupper():
        return False
    lexicon = load_lexicon()
    senses = _senses(lexicon.expand_abbreviation(token, case_sensitive=True))
    if len(senses) < 2:
        return False
    for sense in senses:
        concepts = lexicon.concepts(sense)
        if not concepts or concepts & reference or _lineage(concepts, reference, depth) is not None:
            return False
    return True


def _another_eponym(judged: list[tuple[str, str | None]], hits: set[str], reference: TextAnalysis) -> bool:
    """Whether the words two short answers share are only heads of
    :data:`~medreward.medical.cues.EPONYM_HEADS` ("sign", "triad") and each answer has a word the
    other lacks: "Cullen sign" for "Battle sign", "Virchow triad" for "Beck triad". ``judged``: the
    solution's terms with the reference term each matches; ``hits``: the reference terms matched."""
    shared = hits - _POLARITY_WORDS
    return (
        bool(shared)
        and shared <= EPONYM_HEADS
        and any(hit is None for _, hit in judged)
        and bool(reference.term_set - hits - _POLARITY_WORDS)
    )


def _mostly_lexicon_words(terms: frozenset[str]) -> bool:
    """Whether at least half of ``terms``, and at least one, are words of the lexicon's names: an
    answer made of words no concept name uses ("Corothyreine", "Diphenylisoquinoline": what a GRPO
    policy wrote once an unread answer outscored a wrong named concept) reads as no paraphrase.
    """
    used = sum(map(load_lexicon().uses, terms))
    return used > 0 and 2 * used >= len(terms)


# A chromosome band: its chromosome, its arm and the band ("7q31", "22q11.2", "xq28").
_BAND = re.compile(r"([1-9]|1[0-9]|2[0-2]|x|y)[pq]\d+(?:\.\d+)?")


# A name that ends in digits: its letters name what the digits number ("spo2", "b12", "t4"); a
# number with a letter after it ("2a", "7q31") or a unit ("cmh2o") is not one.
_NAME_WITH_DIGITS = re.compile(r"([a-z]+)\d+")


class AnswerMatcher(BaseModel):
    """Compares solutions with references on normalized terms and concepts, with guards."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    linker: ConceptLinker = Field(
        default_factory=LexiconLinker,
        description="finds the concepts an answer names; the bundled lexicon unless replaced",
    )
    long_reference_terms: int = Field(
        12,
        ge=1,
        description="a reference with more content terms than this (or of several sentences) is a paragraph",
    )
    fuzzy_term_similarity: float = Field(
        0.88,
        gt=0.0,
        le=1.0,
        description="normalized similarity (edits as a speller counts them, a swap of neighbours "
        "one) at which two terms match; a word the lexicon does not use is also matched one edit "
        "away, two when it is long",
    )
    min_similarity: float = Field(
        0.7, ge=0.0, le=1.0, description="similarity below which an answer is a mismatch, not a partial match"
    )
    min_support: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="against long references, the support below which an answer is a mismatch",
    )
    max_solution_chars: int = Field(
        4000,
        ge=1,
        description="a longer solution block is not an answer: mismatch without analysis (bounded time)",
    )
    max_reference_chars: int = Field(
        20_000,
        ge=1,
        description="only this many leading characters of a reference are analysed (bounded time)",
    )
    max_solution_terms: int = Field(
        24, ge=1, description="against long references, longer solutions are discounted proportionally"
    )
    related_similarity: float = Field(
        0.85,
        ge=0.0,
        le=1.0,
        description="the similarity of a short answer whose whole phrase the lexicon relates to the "
        "other's concept (broader, narrower or classified under it: 'high cholesterol' / "
        "hypercholesterolemia); below min_similarity it earns nothing",
    )

    question_weight: float = Field(
        0.25,
        ge=0.0,
        le=1.0,
        description="the share of its weight that a word of the question keeps as evidence: restating "
        "the question is not answering it",
    )
    long_question_weight: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="question_weight against a paragraph: a paragraph restates the question in its "
        "conclusion, so a word of the question found there is no evidence at all (a policy trained "
        "against Responses learned to restate the question when it kept a quarter)",
    )
    narrower_similarity: float = Field(
        0.9,
        ge=0.0,
        le=1.0,
        description="the similarity of a more specific answer: all the reference's terms and a qualifier "
        "or two ('acute osteomyelitis' for 'osteomyelitis')",
    )
    indirect_discount: float = Field(
        0.03,
        ge=0.0,
        le=0.1,
        description="how much less a more or a less specific answer scores when the hierarchy relates it "
        "to the reference through a level between them, or by the genus its words name, than a direct "
        "child or parent ('Small-vessel vasculitis' under 'Vasculitis' above 'Thrombophlebitis' two "
        "levels down)",
    )
    broader_similarity: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="the similarity of a less specific answer: only terms of the reference, which carry "
        "most of its weight ('aortic stenosis' for 'severe calcific aortic stenosis')",
    )
    hedge_factor: float = Field(
        0.75,
        ge=0.0,
        le=1.0,
        description="the share of its similarity that a hedged answer keeps ('possibly X', 'X?'): "
        "named, not committed to, so always below the committed answer",
    )

    named_concept_strength: float = Field(
        0.01,
        ge=0.0,
        le=1.0,
        description="the least strength of a mismatch whose committed answer names a lexicon concept (of "
        "the mismatch score's range): a wrong but specific answer ranks above boilerplate, hedges and "
        "restated questions, below an answer nothing reads (a concept the reference does not name is "
        "evidence against the answer; an unread paraphrase has none) and below any near miss",
    )
    unread_strength: float = Field(
        0.02,
        ge=0.0,
        le=1.0,
        description="the least strength of a mismatch that nothing speaks for or against: a committed "
        "answer, at least half words of the lexicon's names (one word no name uses keeps "
        "unknown_words_strength instead), that names no lexicon concept, matches nothing and "
        "trips no guard. It may be a paraphrase the vocabularies miss, or an answer a paragraph reference "
        "implies without naming, so it ranks above a contradicted answer, boilerplate or a restated "
        "question (the floor), and above a wrong named concept (named_concept_strength), which is evidence "
        "against the answer where this is none",
    )
    unknown_words_strength: float = Field(
        0.005,
        ge=0.0,
        le=1.0,
        description="unread_strength for an answer of one word that no name of the lexicon uses: "
        "perhaps a name the vocabularies lack ('Picornavirus'), "
        "perhaps a made-up one ('Corothyreine', which a GRPO policy wrote once such answers outscored a "
        "wrong named concept), so above the floor and below named_concept_strength",
    )
    min_term_weight: float = Field(
        0.05,
        gt=0.0,
        le=1.0,
        description="the least evidence weight of a term (its specificity can be 0 for the commonest words)",
    )
    max_qualifiers: int = Field(
        2,
        ge=0,
        description="the most qualifiers a more specific answer adds to the reference's terms: more is a "
        "different answer, or stuffing",
    )
    min_broader_recall: float = Field(
        0.5,
        gt=0.0,
        le=1.0,
        description="the least share of the reference's weight that a less specific answer carries",
    )
    hierarchy_depth: int = Field(
        2,
        ge=1,
        description="how many levels of a vocabulary's hierarchy may separate a more or a less specific "
        "answer from the reference",
    )
    support: SupportWeights = Field(
        default_factory=SupportWeights,
        description="against long references, how much each sentence and passage weighs and how a "
        "solution's support is scored",
    )

    @model_validator(mode="after")
    def _slivers_are_ordered(self) -> AnswerMatcher:
        # The order of the slivers is the point of them: a made-up word below a wrong named
        # concept, below an answer nothing reads (docs/matching.md, the ordering contract).
        if not self.unknown_words_strength <= self.named_concept_strength <= self.unread_strength:
            raise ValueError(
                "mismatch slivers must satisfy unknown_words_strength <= named_concept_strength <= "
                f"unread_strength; got {self.unknown_words_strength}, {self.named_concept_strength}, "
                f"{self.unread_strength}"
            )
        return self

    def analyze(self, reference: str, question: str | None = None) -> ReferenceAnalysis:
        """Analyse a reference answer once; reuse the result for every completion judged against it.

        ``question``, when given, is read for what it asks: the long answer to an exception question
        ("which condition does NOT ...", :func:`~medreward.medical.questions.is_exception_question`)
        states its answer in a negation, which then does not exclude.
        """
        return self._analyze(reference, question)

    def _analyze(
        self,
        reference: str,
        question: str | None,
        context: frozenset[str] = frozenset(),
        context_concepts: frozenset[str] = frozenset(),
    ) -> ReferenceAnalysis:
        """:meth:`analyze`, with the reference's ambiguous abbreviations resolved from the question's
        terms and ``context`` (the terms of a solution) and ``context_concepts``."""
        reference = reference[: self.max_reference_chars]
        question_words = frozenset(term_tokens(question)) if question else frozenset()
        question_terms = frozenset(normalize_folded(list(question_words)))
        context = context | question_terms
        written = _expand_abbreviations(" ".join(reference.split()), context, context_concepts)
        expanded = canonical_quantities(written, keep_written=True)
        exception = question is not None and is_exception_question(question)
        passages, sentences, token_count = _passages(expanded, exception, self.support)
        term_set = frozenset().union(*[p.terms for p in passages])
        # A paragraph: many terms, or several sentences that each say something ("X. Y is
        # unlikely."), however short.
        sentences_with_terms = len({p.sentence for p in passages})
        is_long = len(term_set) > self.long_reference_terms or sentences_with_terms > 1
        related: frozenset[str] = frozenset()
        if is_long:
            # A paragraph: its terms come from its passages. It is never compared as a whole (see
            # compare), so it has no folded text or clauses to compare, and as a compound text it
            # names no single concept.
            answer = TextAnalysis(
                text=reference,
                folded="",
                terms=tuple(sorted(term_set)),
                term_set=term_set,
                clauses=(),
                concepts=frozenset(),
                token_count=token_count,
                numbers=_numbers(term_set),
                negations=term_set & NEGATION_CUES,
            )
        else:
            answer = analyze_text(reference, self.linker, context, context_concepts)
            passages, sentences = (), ()
            related = load_lexicon().related_concepts(answer.folded)

        fuzzy_pool = _fuzzy_pool(answer)
        passage_content: tuple[float, ...] = ()
        sentence_content: tuple[float, ...] = ()
        if is_long:
            # Each distinct term's weight once; summed exactly (fsum: a float sum must not depend on
            # set order, which differs between processes).
            specificity = load_lexicon().specificity
            weights = {t: max(specificity(t), self.min_term_weight) for t in term_set - question_terms}

            def content(terms: frozenset[str]) -> float:
                return fsum(map(weights.__getitem__, terms & weights.keys()))

            passage_content = tuple(content(p.terms) for p in passages)
            sentence_content = tuple(content(terms) for terms, _ in sentences)
        analysis = ReferenceAnalysis(
            answer=answer,
            is_long=is_long,
            passages=passages,
            sentences=sentences,
            fuzzy_pool=fuzzy_pool,
            exception_question=exception and is_long,
            related_concepts=related,
            question_terms=question_terms,
            question_words=question_words,
            passage_content=passage_content,
            sentence_content=sentence_content,
            named_phrases=(
                paragraph_phrases(passages, question_terms, self.linker, self.support.first_sentence)
                if is_long
                else named_phrases(answer, self.linker)
            ),
            comparisons=bound_comparisons(expanded.lower()),
        )
        if not is_long and not context_concepts and has_ambiguous_abbreviation(written):
            analysis = replace(analysis, ambiguous=True, ambiguous_question=question)
        if not is_long and answer.abbreviated:
            plain = analyze_text(reference, self.linker, expand=False)
            as_written = replace(
                analysis,
                answer=plain,
                fuzzy_pool=_fuzzy_pool(plain),
                related_concepts=frozenset(),
                named_phrases=named_phrases(plain, self.linker),
            )
            analysis = replace(analysis, as_written=as_written)
        return analysis

    def _find(self, term: str, reference: ReferenceAnalysis) -> str | None:
        """The reference term that ``term`` matches, exactly or as a spelling variant."""
        if term in reference.term_set:
            return term
        base = _base_word(term, reference.term_set)
        if base is not None:
            # The reference's word with a derivational ending: "painful" says pain, "bleeding" bleed.
            return base
        if len(term) >= _MIN_CONCEPT_WORD:
            # A word that names a lexicon concept matches the reference's word for it ("bruise" /
            # "contusion"); the reference's words are looked up once, when first needed.
            concepts = load_lexicon().concepts_of_term(term)
            if concepts:
                by_concept = _term_concepts(reference.term_set)
                for cid in concepts:
                    synonym = by_concept.get(cid)
                    if synonym is not None:
                        return synonym
        if len(term) < 5 or _is_number(term) or not reference.fuzzy_pool:
            return None
        infestation = _infestation_match(term, reference.fuzzy_pool)
        if infestation is not None:
            return infestation
        forbidden = _opposite_variants(term)
        # Edits counted as a speller counts them: a swap of two neighbours is one ("pnuemonia").
        for candidate, _, _ in process.extract(
            term,
            reference.fuzzy_pool,
            scorer=OSA.normalized_similarity,
            score_cutoff=self.fuzzy_term_similarity,
            limit=3,
        ):
            if candidate not in forbidden and not _two_words(term, str(candidate)):
                return str(candidate)
        lexicon = load_lexicon()
        known = lexicon.uses(term)
        if not known or not reference.is_long:
            # A word no name uses is a misspelling or another spelling: one edit may separate it
            # from the other answer's ("diabetis"), two for a long word ("cholecystits", read
            # "cholecystit" once its s is taken for a plural). Between two short answers either
            # side may be the unknown one ("chlorphenamine", the British name of chlorpheniramine).
            edits = _MAX_TYPO_EDITS if len(term) >= _MIN_TWO_EDIT_WORD else 1
            for candidate, _, _ in process.extract(
                term, reference.fuzzy_pool, scorer=OSA.distance, score_cutoff=edits, limit=3
            ):
                word = str(candidate)
                if (
                    candidate not in forbidden
                    and not _two_words(term, word)
                    and (not known or not lexicon.uses(word))
                ):
                    return word
        if len(term) < _MIN_STATE_STEM:
            return None
        # Another derivation of the same stem: "perforator" / "perforating", "hypertensive" /
        # "hypertension", or of the word itself: "bleed" / "bleeding". The candidates share at
        # least the stem's letters at the start.
        stems = _stems(term)
        for candidate, _, _ in process.extract(
            term, reference.fuzzy_pool, scorer=Prefix.similarity, score_cutoff=_MIN_STATE_STEM, limit=5
        ):
            word = str(candidate)
            if candidate not in forbidden and (
                stems & _stems(word) or _derived_from(term, word) or _derived_from(word, term)
            ):
                return word
        return None

    def _guard(
        self,
        solution: TextAnalysis,
        reference: ReferenceAnalysis,
        related: bool,
        found: frozenset[str] = frozenset(),
        affirmed: frozenset[str] = frozenset(),
        denied: frozenset[str] | None = None,
        denied_any: frozenset[str] = frozenset(),
    ) -> str | None:
        """Why ``solution`` contradicts the reference (negated, opposite, another number, another
        concept, rearranged), or ``None``. ``related``: the two answers are one above the other in a
        vocabulary's hierarchy, or one's terms hold all of the other's and the lexicon knows only one
        of them: evidence of one line of concepts, not of two. ``found``: the reference terms the
        solution's terms match, spelling variants and derivations included; ``affirmed``: those of
        them the solution does not deny; ``denied``: the reference terms the solution's denied terms
        match (``None`` when one of them matches none); ``denied_any``: the reference terms that any
        of them match."""
        ref = reference.answer
        if not reference.is_long:
            # A short reference states the answer, negated only if it means it: the two answers
            # must agree in polarity, the parity of their negation cues ("no Nikolsky sign" and
            # "Nikolsky sign negative" agree; "not gram-negative" denies "gram-negative"). A
            # question that asks what to avoid or exclude lets the answer use its words.
            denials = [t for t in solution.negation_tokens if t not in reference.question_words]
            ref_denials = [t for t in ref.negation_tokens if t not in reference.question_words]
            # A reference that denies something ("ventral hernia without obstruction") is
            # contradicted by a plain answer only if that answer affirms all the reference says
            # ("palpable dorsalis pedis pulse" for "absent dorsalis pedis pulse").
            refused = not REFUSAL_CUES.isdisjoint(denials) and REFUSAL_CUES.isdisjoint(ref_denials)
            # A solution's denial contradicts only what the reference says ("Endometrial
            # hyperplasia without atypia" for "Benign endometrial hyperplasia" denies nothing of it).
            touches = bool(denied_any) or not solution.denied - _POLARITY_WORDS
            if refused or (
                len(denials) % 2 != len(ref_denials) % 2
                and (
                    (denials and touches)
                    or (not denials and (ref.term_set - _POLARITY_WORDS) <= (solution.term_set | found))
                )
            ):
                cue = (denials or ref_denials)[0]
                side = "solution" if denials else "reference"
                return f"negation: {cue} ({side}: {_quoted((solution if denials else ref).text)})"
            # Polarity has a scope: what one answer denies, the other must not affirm, whatever the
            # count of cues ("It crosses the blood-brain barrier" / "... does not cross the
            # blood-brain barrier"; "No vaginal bleeding" / "painless vaginal bleeding").
            ref_denied = ref.denied - _POLARITY_WORDS
            if ref_denials and ref_denied:
                # all it denies, or the head of a denial ("Reactive pupils" / "The pupils do not
                # react to light")
                said = ref_denied if ref_denied <= affirmed else ref.denied_heads & affirmed - _POLARITY_WORDS
                if said:
                    return f"negation: the solution affirms what the reference denies ({_words(said)})"
            ref_affirmed = ref.term_set - ref.in_denial
            if denials and denied and denied <= ref_affirmed:
                return f"negation: the solution denies what the reference affirms ({_words(denied)})"
        # A comparison binds its number: "above 0.5" contradicts a reference that says "below 0.5"
        # and never "above 0.5", whatever else the reference holds above something.
        for direction, number in sorted(bound_comparisons(solution.folded)):
            opposite = "below" if direction == "above" else "above"
            bound = reference.comparisons
            if (direction, number) not in bound and (opposite, number) in bound:
                return f"comparison: {direction} {number} / {opposite} {number}"
        reversed_ratio = _reversed_ratio(solution, ref)
        if reversed_ratio is not None:
            return reversed_ratio
        # Another number contradicts a reference that states numbers (a paragraph always has its
        # say). Against a short reference without numbers, a number is one more unmatched term: it
        # may name a subtype ("Type 2 diabetes mellitus" for "Diabetes mellitus", "Hepatitis C"
        # under "Viral hepatitis") or say the answer in figures ("Heart rate below 60 beats per
        # minute" for "Bradycardia"), and the similarity grades it.
        numbered = bool(ref.numbers) or reference.is_long
        # A score written against its maximum ("GCS 8/15", "3/15"): the maximum is the scale's,
        # not a claim, where the reference states the score.
        out_of = (
            frozenset(m.group(2) for m in OUT_OF.finditer(solution.text) if m.group(1) in ref.numbers)
            if numbered and "/" in solution.text
            else frozenset()
        )
        for term in solution.terms:
            # A long reference negates the options it excludes, so any negation in the solution is
            # suspect there.
            if (
                reference.is_long
                and term in NEGATION_CUES
                and term not in reference.question_words
                and term not in _NOT_A_DENIAL
            ):
                return f"negation: {term}"
            if term in ref.term_set:
                continue
            # OPPOSITE_PREFIXES pairs work both ways: a term is the opposite of a reference term
            # exactly when that reference term is one of its own variants.
            counterpart = _opposite_in(term, ref.term_set, not reference.is_long)
            if counterpart is not None:
                return f"opposite: {term} / {counterpart} ({_quoted(solution.text)} / {_quoted(ref.text)})"
            if (
                numbered
                and _is_number(term)
                and term not in ref.numbers
                and term not in out_of
                and _contests(term, ref.numbers)
            ):
                return f"number: {term} not in reference"
            if not reference.is_long:
                # a member the reference denies is not one it says ("normal" for "not raised")
                other = _family_member(term, ref.term_set - ref.denied, solution.term_set)
                if other is not None:
                    return f"qualifier: {term} / {other}"
        if (
            not reference.is_long
            and not related
            and solution.concepts
            and ref.concepts
            and not solution.concepts & ref.concepts
            and _sources(solution.concepts) & _sources(ref.concepts)
        ):
            lexicon = load_lexicon()
            ours = lexicon.preferred_name(min(solution.concepts)) or min(solution.concepts)
            theirs = lexicon.preferred_name(min(ref.concepts)) or min(ref.concepts)
            return f"different concepts: {ours} / {theirs}"
        if (
            not reference.is_long
            and solution.term_set == ref.term_set
            and len(ref.clauses) > 1
            and solution.clauses != ref.clauses
        ):
            return "rearranged: the same terms in other clauses"
        return None

    def _weight(self, term: str, reference: ReferenceAnalysis) -> float:
        """A term's evidence weight: its specificity, a fraction of it for a word of the question
        (:attr:`question_weight`, :attr:`long_question_weight` against a paragraph)."""
        weight = max(load_lexicon().specificity(term), self.min_term_weight)
        if term not in reference.question_terms:
            return weight
        return weight * (self.long_question_weight if reference.is_long else self.question_weight)

    def compare(self, solution: str | None, reference: ReferenceAnalysis) -> AnswerMatch:
        """Judge ``solution`` (``None`` when the completion has none) against an analysed reference:
        the better of the judgement with abbreviations expanded and, where either side has one, as
        written (see :meth:`_compare`)."""
        if solution is not None and not reference.is_long and len(solution) <= self.max_solution_chars:
            solution, reference = self._prefix_denials(solution, reference)
        match = self._compare(solution, reference, expand=True)
        if solution is None or match.verdict in ("exact", "equivalent", "missing"):
            return match
        if reference.is_long:
            # An acronym the paragraph uses and the solution spells out ("PCV13" / "pneumococcal
            # conjugate vaccine 13"), where nothing else was read.
            if match.verdict != "mismatch" or match.guard or len(solution) > self.max_solution_chars:
                return match
            spelled = self._spelled_out(solution, reference, in_solution=False)
            if spelled is not None and _RANK[spelled.verdict] + spelled.similarity > (
                _RANK[match.verdict] + match.similarity
            ):
                return spelled
            return match
        if reference.ambiguous and len(solution) <= self.max_solution_chars:
            # The reference's abbreviation read in the sense the solution names ("BP" as "blood
            # pressure" for "high blood pressure"), as the solution's are read in the reference's.
            named = analyze_text(solution, self.linker)
            resolved = self._analyze(
                reference.text, reference.ambiguous_question, named.term_set, named.concepts or _NO_CONCEPT
            )
            if resolved.answer.folded != reference.answer.folded:
                other = self._compare(solution, resolved, expand=True)
                if _RANK[other.verdict] + other.similarity > _RANK[match.verdict] + match.similarity:
                    match = other
                    if match.verdict in ("exact", "equivalent"):
                        return match
        if len(solution) <= self.max_solution_chars:
            spelled = self._spelled_out(solution, reference)
            if spelled is not None and _RANK[spelled.verdict] + spelled.similarity > (
                _RANK[match.verdict] + match.similarity
            ):
                match = spelled
                if match.verdict in ("exact", "equivalent"):
                    return match
        if match.guard:
            return match
        if not (reference.as_written is not None or _may_abbreviate(solution)):
            return match
        other = self._compare(solution, reference.as_written or reference, expand=False)
        return (
            other
            if _RANK[other.verdict] + other.similarity > _RANK[match.verdict] + match.similarity
            else match
        )

    def _prefix_denials(self, solution: str, reference: ReferenceAnalysis) -> tuple[str, ReferenceAnalysis]:
        """The two answers with a word that denies the other's word by a prefix written as that word
        denied ("undisplaced" as "non displaced" against "displaced", "unreactive" as "non
        reactive" against "not reactive"): its polarity is then read as any denial's, so "Displaced
        fracture" contradicts "Undisplaced fracture" and "Fracture not displaced" agrees with it.
        Only where the other answer says the word itself; else the two unchanged."""
        ours = frozenset(term_tokens(solution))
        theirs = frozenset(reference.answer.folded.split())
        for word in sorted(ours - theirs):
            stem = _denied_stem(word, theirs)
            if stem is not None:
                solution = _deny_written(solution, word, stem)
        for word in sorted(theirs - ours):
            stem = _denied_stem(word, ours)
            if stem is not None:
                text = _deny_written(reference.text, word, stem)
                if text != reference.text:
                    reference = self._analyze(text, reference.ambiguous_question)
        return solution, reference

    def _spelled_out(
        self, solution: str, reference: ReferenceAnalysis, *, in_solution: bool = True
    ) -> AnswerMatch | None:
        """The judgement with each acronym of one answer that the other spells out read as those
        words ("MMA" / "middle meningeal artery", :func:`~medreward.medical.acronyms.spell_out`), or
        ``None`` when neither has one. Two-letter acronyms that the lexicon knows keep their senses
        ("PE" never spells "pulmonary edema"). ``in_solution=False`` reads the reference's acronyms
        only: a paragraph's runs of words are too many to search for a solution's."""
        lexicon = load_lexicon()
        solution = _undot(solution)  # "N.E.C." spells what "NEC" spells
        listed = frozenset(
            token.casefold()
            for text in (solution, reference.text)
            for m in acronym_candidates(text)
            if lexicon.expand_abbreviation(token := m.group(m.lastindex or 0))
        )
        known = frozenset(token for token in listed if len(token) <= 2)

        def names(words: str) -> bool:
            folded = fold_text(words)
            return bool(self.linker.link(words, folded, tuple(normalize_terms(folded))))

        if in_solution:
            # Against a sentence, the acronym spells words of the part that answers ("MCUG" in
            # "The test to confirm reflux is a micturating cystourethrogram"): the rest is its frame.
            span = answer_span(" ".join(reference.text.split()))[0]
            spelled = spell_out(solution, span, known, names, listed)
            if spelled == solution:
                # The other answer's words in the form the comparison reads them ("micturating" is
                # "voiding": "VCUG" spells "micturating cystourethrogram").
                same = " ".join(SAME_MEANING.get(word.casefold(), word) for word in span.split())
                if same != span:
                    spelled = spell_out(solution, same, known, names, listed)
            new_solution = spell_genus(spelled, reference.text)
        else:
            new_solution = solution
        new_reference = spell_genus(spell_out(reference.text, solution, known, names, listed), solution)
        if new_solution == solution and new_reference == reference.text:
            return None
        if new_reference != reference.text:
            reference = self._analyze(new_reference, reference.ambiguous_question)
        return self._compare(new_solution, reference, expand=True)

    def _compare(self, solution: str | None, reference: ReferenceAnalysis, expand: bool) -> AnswerMatch:
        """Judge ``solution`` (``None`` when the completion has none) against an analysed reference.

        The evidence, in order (docs/matching.md, "The ordering contract"):

        1. the same text, or the same concept of the lexicon: ``exact`` / ``equivalent``;
        2. a guard (negated, opposite, another number, another concept, rearranged): ``mismatch``
           at similarity 0, the floor;
        3. the weighted overlap of the terms (specificity weights; a word of the question weighs
           :attr:`question_weight` of itself), raised to :attr:`narrower_similarity` /
           :attr:`broader_similarity` when one answer's terms hold all of the other's (a more or a
           less specific answer); a hedged answer keeps :attr:`hedge_factor` of its similarity.

        Asymmetric where it must be: abbreviations in the solution are resolved with the
        reference's terms as context, the evidence a reference cites is neutral, and a solution
        that adds nothing to the question's own words is a mismatch.
        """
        if solution is None:
            return AnswerMatch("missing", 0.0)
        if len(solution) > self.max_solution_chars:
            return AnswerMatch(
                "mismatch", 0.0, guard=f"overlong: solution over {self.max_solution_chars} characters"
            )
        sol = analyze_text(solution, self.linker, reference.term_set, reference.answer.concepts, expand)
        if not sol.terms:
            return AnswerMatch("missing", 0.0)
        ref = reference.answer
        if (
            not sol.concepts
            and not sol.term_set.isdisjoint(SALT_WORDS)
            and ref.term_set.isdisjoint(SALT_WORDS)
        ):
            # A drug named with its salt, against a reference that names none: the drug.
            sol = _without_salts(sol, ref, self.linker)
        if reference.named_phrases and not (sol.concepts & ref.concepts) and sol.term_set != ref.term_set:
            sol = _aligned(sol, ref, reference.named_phrases, self.linker)
        sol = _respace(sol, reference.term_set)
        concepts = tuple(sorted(sol.concepts))
        if not ref.term_set:
            # A reference of stop words or punctuation only: nothing to compare but the text.
            verdict: Verdict = "exact" if sol.folded == ref.folded else "mismatch"
            return AnswerMatch(verdict, float(verdict == "exact"), sol.terms, (), None, concepts)
        # A long reference is an explanation, not an answer: restating it is not an exact match.
        # Saying the answer many times is not saying it better ("asthma asthma asthma ...").
        repeated = sol.token_count > 2 * ref.token_count + 2
        # A hedge the reference shares ("X or Y" for "X or Y") is what the reference says.
        hedged = sol.hedged and not ref.hedged
        committed = not reference.is_long and not repeated and not hedged
        if committed and sol.folded == ref.folded:
            return AnswerMatch("exact", 1.0, sol.terms, sol.terms, None, concepts)
        # The same concept wins over surface cues: an HPO synonym that starts with "Absent" names
        # the finding, not its denial.
        same_terms = (
            sol.term_set == ref.term_set
            and (len(ref.clauses) <= 1 or sol.clauses == ref.clauses)
            # a denial said twice is a set's one word: "Not cannot be X" is not "Cannot be X"
            and len(sol.negation_tokens) % 2 == len(ref.negation_tokens) % 2
            and _reversed_ratio(sol, ref) is None
        )
        if committed and (same_terms or sol.concepts & ref.concepts or _infection_of(sol, ref)):
            return AnswerMatch("equivalent", 1.0, sol.terms, sol.terms, None, concepts)

        reference_terms = reference.term_set
        found = [term if term in reference_terms else self._find(term, reference) for term in sol.terms]
        eponym_parts: frozenset[str] = frozenset()
        if not reference.is_long and (sol.name_groups or ref.name_groups):
            found, eponym_parts = _eponym_parts(sol, ref, found)
        matched = tuple(term for term, hit in zip(sol.terms, found) if hit is not None)
        hit_set = {hit for hit in found if hit is not None} | eponym_parts
        # The evidence the reference cites is neither required nor counted against the solution.
        judged = [(t, hit) for t, hit in zip(sol.terms, found) if hit is not None or t not in ref.context]
        lineage = (
            None
            if reference.is_long
            else _lineage(sol.concepts, ref.concepts, self.hierarchy_depth)
            or _named_lineage(sol, ref, self.hierarchy_depth)
            or _genus_lineage(sol, ref, self.hierarchy_depth)
        )
        nested = not reference.is_long and (
            ref.term_set <= hit_set or all(hit is not None for _, hit in judged)
        )
        # A related form of the other's concept (looked up once: the guard and the similarity use it).
        related_form = not reference.is_long and _related(sol, reference)
        # Words nested in each other relate two answers unless the lexicon knows both as concepts
        # that its hierarchy does not relate ("measles" / "German measles").
        related = lineage is not None or (nested and not (sol.concepts and ref.concepts)) or related_form
        # The reference words the solution says, for the polarity guard: not a word it denies by a
        # prefix ("undisplaced" says "displaced" no more than "not displaced" does).
        said = frozenset(
            hit for t, hit in zip(sol.terms, found) if hit is not None and not _denied_by_prefix(t, hit)
        )
        # The same, split by the solution's polarity: the reference words it affirms, and those its
        # denied terms match (None when a denied term matches none).
        affirmed = frozenset(
            hit
            for t, hit in zip(sol.terms, found)
            if hit is not None and t not in sol.in_denial and not _denied_by_prefix(t, hit)
        )
        denied_hits = [hit for t, hit in zip(sol.terms, found) if t in sol.denied]
        matched_denials = frozenset(h for h in denied_hits if h is not None)
        denied = None if None in denied_hits else matched_denials
        # The reference's words that the solution denies, whether or not all its denials match.
        denied_any = matched_denials - _POLARITY_WORDS
        if committed and (_withheld(sol, ref) or _withheld(ref, sol)):
            # "Withhold thrombolysis" for "Thrombolysis should not be given": one instruction.
            return AnswerMatch("equivalent", 1.0, sol.terms, sol.terms, None, concepts)
        guard = self._guard(sol, reference, related, said, affirmed, denied, denied_any)
        if guard is None and not reference.is_long and not related:
            guard = _substitution(sol, ref, found, self.hierarchy_depth)
            if guard is None:
                guard = _named_in_place(sol, reference, found, self.linker, self.hierarchy_depth)
        if guard is not None:
            return AnswerMatch("mismatch", 0.0, sol.terms, (), guard, concepts)
        if (
            committed
            and (sol.negation_tokens or ref.negation_tokens)
            and len(sol.negation_tokens) % 2 == len(ref.negation_tokens) % 2
            and (sol.term_set - _POLARITY_WORDS) == (ref.term_set - _POLARITY_WORDS) != frozenset()
            and len(ref.clauses) <= 1
        ):
            # One polarity said in other words: "not immune to rubella", "rubella non-immune"; "no
            # bowel sounds", "bowel sounds absent". (The guard lets a question's own "not" pass; the
            # two answers' parities must agree here.)
            return AnswerMatch("equivalent", 1.0, sol.terms, sol.terms, None, concepts)
        weight = partial(self._weight, reference=reference)
        if judged and all(t in reference.question_terms for t, _ in judged):
            # Nothing beyond the question's own words: a restated question, not an answer.
            return AnswerMatch(
                "mismatch", 0.0, sol.terms, matched, "echo: only the question's words", concepts
            )
        if reference.is_long:
            clash = _passage_qualifier(sol, found, reference)
            if clash is None and not hedged:
                clash = _named_substitution(sol, found, reference, self.linker, self.hierarchy_depth)
            if clash is not None:
                return AnswerMatch("mismatch", 0.0, sol.terms, (), clash, concepts)
            weights = [weight(term) for term in sol.terms]
            specificity = load_lexicon().specificity
            totals = [max(specificity(term), self.min_term_weight) for term in sol.terms]
            if len(sol.clauses) > 1:
                by_term = dict(zip(sol.terms, zip(found, weights, totals)))
                support = _clause_support(sol, by_term, reference, self.support)
            else:
                hits = [(hit, w) for hit, w in zip(found, weights) if hit is not None]
                support = _support(hits, sum(totals), reference, self.support)
                parent = _named_parent(sol.concepts, reference.named_phrases) if not hedged else None
                if parent is not None:
                    # A concept directly below one the paragraph states ("Morphine" where it
                    # concludes "withdrawal from opioids"): a more specific answer, supported as
                    # the paragraph's words for its parent are, at narrower_similarity.
                    words = normalize_folded(list(parent))
                    below = _support(
                        [(t, weight(t)) for t in words],
                        sum(max(specificity(t), self.min_term_weight) for t in words),
                        reference,
                        self.support,
                    )
                    support = max(support, self.narrower_similarity * below)
            distinct = len(sol.term_set)
            spread = min(1.0, self.max_solution_terms / sol.token_count)
            repeats = min(1.0, (2 * distinct + 1) / sol.token_count)
            similarity = max(0.0, support) * min(spread, repeats)
            threshold = self.min_support
        else:
            ref_terms = ref.terms
            if sol.negation_tokens or ref.negation_tokens:
                # The guard found the two answers of one polarity: what they negate is compared,
                # not how ("no Nikolsky sign", "Nikolsky sign negative").
                judged = [(t, hit) for t, hit in judged if t not in _POLARITY_WORDS]
                hit_set -= _POLARITY_WORDS
                ref_terms = tuple(t for t in ref.terms if t not in _POLARITY_WORDS)
            sol_total = sum(weight(t) for t, _ in judged)
            ref_total = sum(map(weight, ref_terms))
            precision = (
                sum(weight(t) for t, hit in judged if hit is not None) / sol_total if sol_total else 0.0
            )
            # Summed in sorted order: a float sum must not depend on set order (hash seeds differ
            # between processes).
            recall = sum(map(weight, sorted(hit_set & ref.term_set))) / ref_total if ref_total else 0.0
            # Polarity words alone can be all that matched: then nothing did.
            similarity = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            extra = sum(hit is None for _, hit in judged)
            # A side, a position or a grade adds no qualifier to count ("right lower lobe pneumonia"
            # is pneumonia with one qualifier, its lobe).
            qualifiers = sum(
                hit is None and t not in FAMILIES_OF and not _opposite_variants(t) for t, hit in judged
            )
            if lineage == "narrower":
                # A child, or the reference's words and a qualifier, is nearer than a grandchild
                # or a concept placed by the genus its words name.
                direct = ref.term_set <= hit_set or _child_of(sol.concepts, ref.concepts)
                similarity = max(
                    similarity, self.narrower_similarity - (0 if direct else self.indirect_discount)
                )
            elif lineage == "broader":
                direct = sol.term_set <= ref.term_set or _child_of(ref.concepts, sol.concepts)
                similarity = max(
                    similarity, self.broader_similarity - (0 if direct else self.indirect_discount)
                )
            elif (
                ref.term_set <= hit_set
                and extra > 0
                and qualifiers <= self.max_qualifiers
                and len(sol.clauses) <= 1
            ):
                similarity = max(similarity, self.narrower_similarity)  # a more specific answer
            elif extra == 0 and recall >= self.min_broader_recall:
                # A less specific answer: most of the reference's weight.
                similarity = max(similarity, self.broader_similarity)
            elif extra == 0 and len(sol.clauses) <= 1 and _names_a_concept(sol, self.linker):
                # A lexicon concept the reference qualifies ("multiple sclerosis" for
                # "relapsing-remitting multiple sclerosis"), or words of the reference around one:
                # from min_similarity up to broader_similarity with the share of the reference's
                # weight it says, so that saying more of the reference never scores less.
                share = recall / self.min_broader_recall
                graded = self.min_similarity + (self.broader_similarity - self.min_similarity) * share
                similarity = max(similarity, graded)
            if repeated:
                similarity *= (2 * ref.token_count + 2) / sol.token_count
            elif similarity < self.related_similarity and related_form:
                similarity = self.related_similarity
            threshold = self.min_similarity
        if hedged:
            similarity *= self.hedge_factor
        if similarity < threshold:
            # Against a paragraph, near-miss credit is for one committed answer: a hedge, a list of
            # three clauses or more, or a solution longer than max_solution_terms gathers the
            # paragraph's words by spreading over them, not by nearly answering. (A short
            # reference's own names hold "or" and commas.)
            scattered = reference.is_long and (
                hedged or len(sol.clauses) > 2 or sol.token_count > self.max_solution_terms
            )
            strength = 0.0 if scattered else min(1.0, similarity / threshold)
            # Only an answer that repeats its own words is spam: one longer than a short reference
            # may describe it ("C5-C6 brachial plexus injury" for "Erb palsy").
            spammed = sol.token_count > 2 * len(sol.term_set) + 1
            # The answer's own words: the question's are no evidence either way.
            own_terms = sol.term_set - reference.question_terms
            known_words = _mostly_lexicon_words(own_terms)
            if not reference.is_long and not related and not hedged and _another_eponym(judged, hit_set, ref):
                # Another name before the same head ("Rovsing sign" for "Murphy sign"): another
                # finding, ranked as a wrong named concept, not a near miss by the head they share.
                return AnswerMatch(
                    "mismatch", similarity, sol.terms, matched, None, concepts, self.named_concept_strength
                )
            if sol.concepts and not hedged and not spammed:
                # A committed answer that names one medical concept is a wrong answer, not nonsense:
                # a little above boilerplate, hedges, lists and restated questions.
                if (
                    not reference.is_long
                    and not related
                    and _siblings(sol.concepts, ref.concepts, _SIBLING_DEPTH)
                    and sol.concepts.isdisjoint(ref.concepts)
                ):
                    # An alternative of the reference's kind, placed beside its concept (in
                    # another vocabulary, or the guard would have fired): a wrong named concept,
                    # whatever words the two names share ("Osgood-Schlatter disease" for
                    # "Legg-Calve-Perthes disease", both osteochondroses).
                    strength = self.named_concept_strength
                strength = max(strength, self.named_concept_strength)
            elif (
                not hedged
                and not spammed
                and (
                    # a denial of what the answer names, unless a short reference denies too
                    not sol.negation_tokens
                    or (
                        not reference.is_long and len(sol.negation_tokens) % 2 == len(ref.negation_tokens) % 2
                    )
                )
                and len(sol.clauses) <= 1
                and (len(own_terms) <= 1 or known_words)
            ):
                # Nothing read for or against it: perhaps a paraphrase the vocabularies miss, if its
                # words are words of the lexicon's names; a lone word they do not know is perhaps a
                # name they lack ("Picornavirus"), perhaps a made-up one: below a wrong named concept.
                # The question's words are no evidence: the more of them, the less it keeps.
                own = sum(t not in reference.question_terms for t in sol.terms) / len(sol.terms)
                sliver = self.unread_strength if known_words else self.unknown_words_strength
                if ref.concepts and _other_in_every_sense(sol.text, ref.concepts, self.hierarchy_depth):
                    # An abbreviation read: every sense of it is a wrong named concept.
                    sliver = min(sliver, self.named_concept_strength)
                strength = max(strength, sliver * own)
            return AnswerMatch("mismatch", similarity, sol.terms, matched, None, concepts, strength)
        strength = 1.0 if threshold >= 1.0 else (similarity - threshold) / (1.0 - threshold)
        return AnswerMatch("partial", similarity, sol.terms, matched, None, concepts, min(1.0, strength))
