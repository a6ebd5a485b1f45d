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

from functools import lru_cache

from medreward.medical.evidence import ReferenceAnalysis, TextAnalysis
from medreward.medical.lexicon import load_lexicon
from medreward.medical.normalize import normalize_tokens

# The id prefix of WordNet's concepts: a lay vocabulary, below the clinical ones in authority.
_LAY_SOURCE = "WN:"


@lru_cache(maxsize=65_536)
def _ancestors(cid: str, depth: int) -> frozenset[str]:
    return load_lexicon().ancestors(cid, depth)


def _lineage(solution: frozenset[str], reference: frozenset[str], depth: int) -> str | None:
    """``"narrower"`` when a solution concept sits below a reference concept in a vocabulary's
    hierarchy ("acute pancreatitis" under "pancreatitis"), up to ``depth`` levels, ``"broader"`` when
    above, else ``None``."""
    if not solution or not reference:
        return None
    # The clinical vocabularies take precedence: where both answers have clinical concepts, WordNet's
    # lay taxonomy (German measles under measles) is not consulted.
    clinical_solution = frozenset(c for c in solution if not c.startswith(_LAY_SOURCE))
    clinical_reference = frozenset(c for c in reference if not c.startswith(_LAY_SOURCE))
    if clinical_solution and clinical_reference:
        solution, reference = clinical_solution, clinical_reference
    if any(_ancestors(c, depth) & reference for c in sorted(solution)):
        return "narrower"
    if any(_ancestors(c, depth) & solution for c in sorted(reference)):
        return "broader"
    return None


@lru_cache(maxsize=65_536)
def _ancestor_names(cid: str, depth: int) -> tuple[frozenset[str], ...]:
    """The terms of the preferred name of each concept up to ``depth`` levels above ``cid``."""
    lexicon = load_lexicon()
    names = (lexicon.preferred_name(a) for a in sorted(_ancestors(cid, depth)))
    return tuple(frozenset(normalize_tokens(name)) for name in names if name)


def _named_lineage(solution: TextAnalysis, reference: TextAnalysis, depth: int) -> str | None:
    """:func:`_lineage` for an answer the lexicon does not know as a whole: ``"narrower"`` when a
    solution concept sits below a concept whose name holds every term of the reference ("Colles
    fracture" under "Fracture of lower end of radius", so below "Fracture of the radius"),
    ``"broader"`` the other way round, else ``None``."""
    if solution.concepts and not reference.concepts and reference.term_set:
        terms = reference.term_set
        if any(terms <= name for c in sorted(solution.concepts) for name in _ancestor_names(c, depth)):
            return "narrower"
    if reference.concepts and not solution.concepts and solution.term_set:
        terms = solution.term_set
        if any(terms <= name for c in sorted(reference.concepts) for name in _ancestor_names(c, depth)):
            return "broader"
    return None


def _sources(concepts: frozenset[str]) -> frozenset[str]:
    """The vocabularies the concept ids come from: "ICD10CM:K85.9" -> "ICD10CM"."""
    return frozenset(c.partition(":")[0] for c in concepts)


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
