"""Relations between concepts that are not sameness: a vocabulary's hierarchy and related forms.

:func:`_lineage` tells a more specific answer (a concept below the reference's, up to ``depth``
levels: :attr:`~medreward.medical.matching.AnswerMatcher.hierarchy_depth`) from a less specific
one; :func:`_named_lineage` does the same for an answer the lexicon knows only by an ancestor's
name; :func:`_related` finds a related form (an HPO RELATED synonym, an ICD-10-CM inclusion term).
All read the bundled lexicon (:mod:`medreward.medical.lexicon`).

>>> sorted(_sources(frozenset({"ICD10CM:K85.9", "HP:0001733"})))
['HP', 'ICD10CM']
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from medreward.medical.cues import BRANCHING_STRUCTURES, CLAUSE_BREAK
from medreward.medical.evidence import ReferenceAnalysis, TextAnalysis
from medreward.medical.lexicon import load_lexicon
from medreward.medical.normalize import NEGATION_CUES, normalize_tokens

# The id prefix of WordNet's concepts: a lay vocabulary, below the clinical ones in authority.
_LAY_SOURCE = "WN:"
# How far apart two concepts placed side by side must be: neither this many levels above the other.
_SIDE_BY_SIDE_DEPTH = 3
# The most terms an answer may have for its genus (its terms less one) to be looked up.
_MAX_GENUS_TERMS = 4


@lru_cache(maxsize=65_536)
def _ancestors(cid: str, depth: int) -> frozenset[str]:
    return load_lexicon().ancestors(cid, depth)


def _clinical_first(
    solution: frozenset[str], reference: frozenset[str]
) -> tuple[frozenset[str], frozenset[str]]:
    """The two answers' concepts, without WordNet's where both have clinical ones: the clinical
    vocabularies take precedence, and WordNet's lay taxonomy (German measles under measles) is not
    consulted, nor does its knowing both answers keep another vocabulary's names from relating them."""
    clinical_solution = frozenset(c for c in solution if not c.startswith(_LAY_SOURCE))
    clinical_reference = frozenset(c for c in reference if not c.startswith(_LAY_SOURCE))
    if clinical_solution and clinical_reference:
        return clinical_solution, clinical_reference
    return solution, reference


def _lineage(solution: frozenset[str], reference: frozenset[str], depth: int) -> str | None:
    """``"narrower"`` when a solution concept sits below a reference concept in a vocabulary's
    hierarchy ("acute pancreatitis" under "pancreatitis"), up to ``depth`` levels, ``"broader"`` when
    above, else ``None``; ``None`` too where a vocabulary places the two side by side
    (:func:`_side_by_side`): sibling evidence outweighs another vocabulary's nesting."""
    if not solution or not reference:
        return None
    if _side_by_side(solution, reference):
        return None
    solution, reference = _clinical_first(solution, reference)
    if any(_below(c, reference, depth) for c in sorted(solution)):
        return "narrower"
    if any(_below(c, solution, depth) for c in sorted(reference)):
        return "broader"
    return None


def _side_by_side(solution: frozenset[str], reference: frozenset[str]) -> bool:
    """Whether one vocabulary places the two answers side by side: a concept of each with the same
    id prefix, a parent in common and neither within :data:`_SIDE_BY_SIDE_DEPTH` levels above the
    other (WordNet's chalazion and hordeolum, both under eyelid disorders). That is evidence of two
    alternatives, which another vocabulary's nesting of one under the other (MONDO's chalazion under
    hordeolum) does not outweigh."""
    lexicon = load_lexicon()
    for source in sorted(_vocabularies(solution) & _vocabularies(reference)):
        ours = sorted(c for c in solution if _vocabularies(frozenset((c,))) == {source})
        theirs = sorted(c for c in reference if _vocabularies(frozenset((c,))) == {source})
        if set(ours) & set(theirs) or any(
            a in _ancestors(b, _SIDE_BY_SIDE_DEPTH) or b in _ancestors(a, _SIDE_BY_SIDE_DEPTH)
            for a in ours
            for b in theirs
        ):
            continue
        if any(not lexicon.parents(a).isdisjoint(lexicon.parents(b)) for a in ours for b in theirs):
            return True
    return False


def _below(cid: str, others: frozenset[str], depth: int) -> bool:
    """Whether ``cid`` sits below one of ``others``, up to ``depth`` levels, as a kind of it: a
    branch of a nerve or a vessel is not (:func:`_branch`)."""
    return any(not _branch(cid, above) for above in sorted(_ancestors(cid, depth) & others))


@lru_cache(maxsize=16_384)
def _branch(cid: str, above: str) -> bool:
    """Whether ``cid`` is a branch of ``above`` (:data:`~medreward.medical.cues.BRANCHING_STRUCTURES`),
    not a kind of it: their names share only the word for the structure, each with a word of its own
    ("Sural nerve" below "Tibial nerve" in MeSH's anatomy; not "Posterior tibial artery" below
    "Tibial arteries")."""
    lexicon = load_lexicon()
    ours = frozenset(normalize_tokens(lexicon.preferred_name(cid) or ""))
    theirs = frozenset(normalize_tokens(lexicon.preferred_name(above) or ""))
    shared = ours & theirs
    return (
        len(shared) == 1 and shared <= BRANCHING_STRUCTURES and bool(ours - shared) and bool(theirs - shared)
    )


def _child_of(solution: frozenset[str], reference: frozenset[str]) -> bool:
    """Whether a concept of ``solution`` sits directly below one of ``reference`` (one level)."""
    lexicon = load_lexicon()
    return any(not lexicon.parents(c).isdisjoint(reference) for c in sorted(solution))


def _named_parent(solution: frozenset[str], named: Mapping[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    """The words that name a concept directly above one of ``solution`` among ``named`` (concept id
    -> words: the phrases a paragraph states), clinical vocabularies first; ``None`` if there is none.
    """
    if not solution or not named:
        return None
    lexicon = load_lexicon()
    clinical = frozenset(c for c in solution if not c.startswith(_LAY_SOURCE))
    for group in (clinical, solution - clinical):
        for cid in sorted(group):
            for parent in sorted(lexicon.parents(cid)):
                if parent in named:
                    return named[parent]
    return None


def _siblings(ours: frozenset[str], theirs: frozenset[str], depth: int) -> bool:
    """Whether a concept of ``ours`` and one of ``theirs`` share an ancestor up to ``depth`` levels
    (two penicillins under penicillins, two vessels under blood vessels)."""
    above = frozenset().union(*(_ancestors(c, depth) for c in sorted(ours)))
    return any(not above.isdisjoint(_ancestors(c, depth)) for c in sorted(theirs))


@lru_cache(maxsize=65_536)
def _ancestor_names(cid: str, depth: int) -> tuple[frozenset[str], ...]:
    """The terms of the preferred name of each concept up to ``depth`` levels above ``cid``."""
    lexicon = load_lexicon()
    names = (lexicon.preferred_name(a) for a in sorted(_ancestors(cid, depth)))
    # A name of several clauses is a grouping ("Hemorrhoids and perianal venous thrombosis"), not a
    # genus: what it holds need not be above both.
    return tuple(
        frozenset(normalize_tokens(name)) for name in names if name and len(CLAUSE_BREAK.split(name)) == 1
    )


def _named_lineage(solution: TextAnalysis, reference: TextAnalysis, depth: int) -> str | None:
    """:func:`_lineage` by name, where the vocabularies do not join the two answers' concepts:
    ``"narrower"`` when a solution concept sits below a concept whose name holds every term of the
    reference ("Colles fracture", an ICD-10-CM code under "Fracture of lower end of radius", so below
    MONDO's "Fracture of the radius"), ``"broader"`` the other way round, else ``None``. Where one
    vocabulary knows both answers, its hierarchy has the last word."""
    ours, theirs = _clinical_first(solution.concepts, reference.concepts)
    if _vocabularies(ours) & _vocabularies(theirs):
        return None
    if ours and reference.term_set:
        terms = reference.term_set
        if any(terms <= name for c in sorted(ours) for name in _ancestor_names(c, depth)):
            return "narrower"
    if theirs and solution.term_set:
        terms = solution.term_set
        if any(terms <= name for c in sorted(theirs) for name in _ancestor_names(c, depth)):
            return "broader"
    return None


@lru_cache(maxsize=16_384)
def _genera(terms: frozenset[str]) -> frozenset[str]:
    """The concepts named by ``terms`` less one word: an answer's genus ("acute hepatitis A" is
    hepatitis A, acute), for answers of two to :data:`_MAX_GENUS_TERMS` terms."""
    if not 2 <= len(terms) <= _MAX_GENUS_TERMS:
        return frozenset()
    lexicon = load_lexicon()
    found: frozenset[str] = frozenset()
    for term in terms:
        # A number or a letter names a subtype ("Duffy a"), not a qualifier of the genus; a
        # negation denies it ("blood pressure not low" is no kind of low blood pressure).
        if len(term) > 1 and not term[0].isdigit() and term not in NEGATION_CUES and term != "non":
            found |= lexicon.concepts_for_terms(sorted(terms - {term}))
    return found


def _placed(concepts: frozenset[str]) -> bool:
    """Whether a vocabulary's hierarchy places any of ``concepts`` (it has a parent there)."""
    lexicon = load_lexicon()
    return any(lexicon.parents(c) for c in concepts)


def _genus_lineage(solution: TextAnalysis, reference: TextAnalysis, depth: int) -> str | None:
    """``"narrower"`` when the solution is a concept at or below the reference's with one word added
    ("Acute hepatitis A" for "Viral hepatitis": hepatitis A is under viral hepatitis), ``"broader"``
    the other way round, else ``None``. A vocabulary's code for the longer name need not sit in its
    hierarchy (ICD-10-CM's "Acute hepatitis A" has no parent code); the shorter name's does. Only for
    an answer that no hierarchy places: where one does, it has the last word."""
    if reference.concepts and not _placed(solution.concepts):
        genera = _genera(solution.term_set)
        if genera & reference.concepts or _lineage(genera, reference.concepts, depth) == "narrower":
            return "narrower"
    if solution.concepts and not _placed(reference.concepts):
        genera = _genera(reference.term_set)
        if genera & solution.concepts or _lineage(genera, solution.concepts, depth) == "narrower":
            return "broader"
    return None


# The word that names the disease an organism causes: the lexicon's "pinworm infection" is enterobiasis.
_INFECTION = "infection"


def _infection_of(solution: TextAnalysis, reference: TextAnalysis) -> bool:
    """Whether one short answer names an organism whose infection is the other's concept: "Pinworms"
    for "Enterobiasis" (the lexicon knows "pinworm infection"), "CMV" for "Cytomegalovirus
    infection". The organism and the disease it causes answer one question."""
    lexicon = load_lexicon()
    for one, other in ((solution, reference), (reference, solution)):
        if (
            other.concepts
            and _INFECTION not in one.term_set
            and 0 < len(one.term_set) <= _MAX_GENUS_TERMS
            and lexicon.concepts_for_terms(sorted(one.term_set | {_INFECTION})) & other.concepts
        ):
            return True
    return False


def _sources(concepts: frozenset[str]) -> frozenset[str]:
    """The vocabularies the concept ids come from: "ICD10CM:K85.9" -> "ICD10CM"."""
    return frozenset(c.partition(":")[0] for c in concepts)


def _vocabularies(concepts: frozenset[str]) -> frozenset[str]:
    """:func:`_sources`, HPO's concepts as one vocabulary: the lexicon writes those with a UMLS CUI
    as ``UMLS:``, the others as ``HP:``."""
    return frozenset("HP" if source == "UMLS" else source for source in _sources(concepts))


def _related(solution: TextAnalysis, reference: ReferenceAnalysis) -> bool:
    """Whether one short answer's whole phrase is a related form (docs/data.md) of the other's
    concept: an HPO RELATED synonym ("high cholesterol" for hypercholesterolemia) or an ICD-10-CM
    inclusion term. Related means broader, narrower or classified under: partly right, never the
    same concept."""
    concepts = reference.answer.concepts
    return bool(
        (concepts and load_lexicon().related_concepts(solution.folded) & concepts)
        or (solution.concepts and reference.related_concepts & solution.concepts)
    )
