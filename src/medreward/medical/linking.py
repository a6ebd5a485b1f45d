"""Concept linking: which medical concepts an answer text names.

:class:`AnswerMatcher` asks a :class:`ConceptLinker` for the concepts of every answer it analyses;
two answers that name a common concept mean the same thing ("heart attack" and "myocardial
infarction" both link to ``UMLS:C0027051``). The default, :class:`LexiconLinker`, looks the answer
up in the bundled lexicon (:mod:`medreward.medical.lexicon`) and needs nothing else. A linker backed
by scispacy's UMLS entity linker (``medreward[scispacy]``, :mod:`medreward.medical.scispacy_linker`)
follows the same protocol for users who have the UMLS linker files.

Concept ids are strings; UMLS CUIs are written ``UMLS:C0027051`` so that every linker that knows
CUIs agrees on them. A matcher compares ids from one linker only, so ids of different linkers never
meet.

>>> from medreward.medical.normalize import fold_text, normalize_terms
>>> linker = LexiconLinker()
>>> text = "Heart attack"
>>> sorted(linker.link(text, fold_text(text), tuple(normalize_terms(text))))
['UMLS:C0027051']
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from medreward.medical.cues import IMPLIED_HEADS
from medreward.medical.lexicon import load_lexicon

__all__ = ["ConceptLinker", "LexiconLinker"]


@runtime_checkable
class ConceptLinker(Protocol):
    """Maps one answer text to the ids of the concepts it names.

    ``text`` is the answer as written (whitespace collapsed, unambiguous abbreviations expanded),
    ``folded`` the same text through :func:`~medreward.medical.normalize.fold_text` and ``terms``
    its normalized content terms (sorted, no stop words): a linker uses whichever view it needs.
    It must be deterministic, safe to call from several threads and picklable (rewards travel to
    process pools), and it returns an empty set, never raises, for text it cannot link.
    """

    def link(self, text: str, folded: str, terms: tuple[str, ...]) -> frozenset[str]: ...


class LexiconLinker:
    """The default linker: the whole answer looked up in the bundled lexicon, as a phrase and as terms,
    and a single word the lexicon does not know with the head noun anatomy leaves unsaid
    (:data:`~medreward.medical.cues.IMPLIED_HEADS`: "lunate" is the lunate bone).

    Stateless; the lexicon itself is loaded once per process on first use.
    """

    __slots__ = ()

    def link(self, text: str, folded: str, terms: tuple[str, ...]) -> frozenset[str]:
        lexicon = load_lexicon()
        found = lexicon.concepts(folded) | lexicon.concepts_for_terms(terms)
        if found or len(terms) != 1:
            return found
        # One word the lexicon does not know: a structure named without its head noun ("lunate").
        named = [
            concepts
            for head in IMPLIED_HEADS
            if (concepts := lexicon.concepts_for_terms(sorted((terms[0], head))))
        ]
        return named[0] if len(named) == 1 else found

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LexiconLinker)

    def __hash__(self) -> int:
        return hash(LexiconLinker)

    def __repr__(self) -> str:
        return "LexiconLinker()"
