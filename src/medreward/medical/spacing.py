"""Spacing is no difference: words written apart, joined, hyphenated or cut short.

Two steps of the analysis: :func:`_closed_compounds` joins two words where the lexicon names the one
word and not the two ("chicken pox" -> "chickenpox"), before the terms are taken;
:func:`_respace` spaces a solution's terms as the reference spaces them ("gall bladder" /
"gallbladder", "lkm2" / "lkm 2", "S. aureus" / "Staphylococcus aureus"), before they are compared.

>>> _cuts("lkm2")
(('lkm', '2'),)
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from functools import lru_cache

from medreward.medical.evidence import TextAnalysis, _numbers
from medreward.medical.lexicon import load_lexicon
from medreward.medical.normalize import NEGATION_CUES

# The most words of an answer that concept alignment reads (a sentence, not a paragraph).
_MAX_ALIGNED_TOKENS = 16


# The shortest word part that respacing may split off or join: "gall" + "bladder", not "a" + "typical".
_MIN_PART = 3


def _closed_compounds(text: str, tokens: list[str]) -> str:
    """``text`` with two words written apart (or hyphenated) joined where the lexicon names the one
    word and not the two ("chicken pox" -> "chickenpox", "ear-ache" -> "earache"): spacing is no
    difference. ``text`` itself (the same object) when nothing is joined."""
    if not 2 <= len(tokens) <= _MAX_ALIGNED_TOKENS:
        return text
    lexicon = load_lexicon()
    joined = text
    for i, (head, tail) in enumerate(itertools.pairwise(tokens)):
        if len(head) < _MIN_PART or len(tail) < _MIN_PART or not (head.isalpha() and tail.isalpha()):
            continue
        if not lexicon.concepts(head + tail) or lexicon.concepts(f"{head} {tail}"):
            continue
        # Not where the two words belong to a longer name: "herpes simplex virus" is no
        # "herpes simplexvirus" (MeSH's genus Simplexvirus).
        before, after = tokens[i - 1 : i], tokens[i + 2 : i + 3]
        if (before and lexicon.concepts(f"{before[0]} {head} {tail}")) or (
            after and lexicon.concepts(f"{head} {tail} {after[0]}")
        ):
            continue
        joined = re.sub(rf"\b{head}[\s-]+{tail}\b", head + tail, joined, flags=re.IGNORECASE)
    return joined if joined != text else text


def _joinable(head: str, tail: str) -> bool:
    """Whether ``head`` + ``tail`` may be one word spaced two ways: word parts of at least
    :data:`_MIN_PART` letters or a word and a number ("lkm" + "2"), never two numbers ("4" + "0")."""
    if head[-1].isdigit():
        return tail.isalpha() and len(tail) >= _MIN_PART and head.isdigit()
    if tail[0].isdigit():
        return tail.isdigit() and head.isalpha() and len(head) >= _MIN_PART
    return head.isalpha() and tail.isalpha() and len(head) >= _MIN_PART and len(tail) >= _MIN_PART


@lru_cache(maxsize=65_536)
def _cuts(term: str) -> tuple[tuple[str, str], ...]:
    """Every way to read ``term`` as two :func:`_joinable` parts: "lkm2" -> (("lkm", "2"),)."""
    return tuple((term[:i], term[i:]) for i in range(1, len(term)) if _joinable(term[:i], term[i:]))


def _respace(solution: TextAnalysis, reference_terms: frozenset[str]) -> TextAnalysis:
    """``solution`` with its terms spaced as the reference spaces them.

    "Carcinoma of the gall bladder" against a reference that writes "gallbladder", and "Anti-LKM2"
    against "anti-LKM 2": a term the reference lacks is split in two when it has both parts
    ("lkm2" -> "lkm", "2"), and a term it lacks is joined with the next or previous one when it has
    the joined word ("gall", "bladder" -> "gallbladder"). Alphabetic parts have at least
    :data:`_MIN_PART` letters. Only a term the reference lacks starts a change: an answer whose terms
    all agree is returned as is.
    """
    unfound = [t for t in solution.terms if t not in reference_terms]
    if not unfound:
        return solution
    spaced: dict[str, tuple[str, ...]] = {}
    for term in unfound:
        for head, tail in _cuts(term):
            if head in reference_terms and tail in reference_terms:
                spaced[term] = (head, tail)
                break
    folded = solution.folded
    for lone in unfound:
        # Joined with a neighbour that the reference may have on its own ("lkm" of "type 1 anti-LKM").
        for other in solution.terms:
            if lone in spaced:
                break
            if other == lone or other in spaced:
                continue
            for head, tail in ((lone, other), (other, lone)):
                joined = head + tail
                if joined in reference_terms and _joinable(head, tail) and f"{head} {tail}" in folded:
                    spaced[head] = spaced[tail] = (joined,)
                    break
    # A genus written as its initial ("S. aureus" against "Staphylococcus aureus") or a genus or a
    # species cut short ("Staph aureus", "C. diff"), beside the other word of the name as written.
    for initial, species in itertools.pairwise(solution.folded.split()):
        if (initial not in unfound and species not in unfound) or initial in spaced or species in spaced:
            continue
        if species not in solution.term_set or not (len(initial) == 1 or initial in solution.term_set):
            continue  # both words of a name: "the gall" is no genus and species
        if not initial.isalpha():
            continue  # a genus is a word: "23 approximate" is no name cut short
        if initial in NEGATION_CUES or initial == "non":
            continue  # a denial is no genus: "not weak" is no "weakness" cut short
        named = species if species in reference_terms else _completed(species, reference_terms)
        if named is None:
            continue
        if named != species:
            spaced[species] = (named,)
        if initial in reference_terms:
            continue
        if len(initial) == 1 and initial.isalpha():
            genus = sorted(
                t for t in reference_terms if len(t) > _MIN_PART and t[0] == initial and t != named
            )
            if len(genus) == 1:
                spaced[initial] = (genus[0],)
        elif (completed := _completed(initial, reference_terms)) is not None and completed != named:
            spaced[initial] = (completed,)
    if not spaced:
        return solution
    clauses = tuple(
        sorted(
            tuple(sorted({part for term in clause for part in spaced.get(term, (term,))}))
            for clause in solution.clauses
        )
    )
    term_set = frozenset(part for term in solution.terms for part in spaced.get(term, (term,)))
    return replace(
        solution,
        terms=tuple(sorted(term_set)),
        term_set=term_set,
        clauses=clauses,
        numbers=_numbers(term_set),
    )


# The fewest letters of a word cut short ("staph", "diff") that name the reference's word.
_MIN_TRUNCATED = 4


def _completed(word: str, reference_terms: frozenset[str]) -> str | None:
    """The one reference term that ``word`` cuts short ("staph" -> "staphylococcus"), or ``None``."""
    if len(word) < _MIN_TRUNCATED or not word.isalpha():
        return None
    longer = [t for t in reference_terms if len(t) > len(word) + 1 and t.startswith(word)]
    return longer[0] if len(longer) == 1 else None
