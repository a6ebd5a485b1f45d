"""What the judge knows about an answer: the analysis types and the term predicates they rest on.

The bottom of the judge's modules (nothing here imports another of them):

- :class:`TextAnalysis`: one answer text, analysed (:func:`~medreward.medical.analysis.analyze_text`);
- :class:`ReferenceAnalysis`: a reference, analysed once per group, with the weighted
  :class:`Passage` s of a paragraph (:mod:`medreward.medical.passages`);
- :class:`AnswerMatch` and :data:`Verdict`: what :class:`~medreward.medical.matching.AnswerMatcher`
  returns;
- the predicates on single terms that every stage uses: :func:`_is_number`, :func:`_numbers`,
  :func:`_opposite_variants` (:data:`~medreward.medical.cues.OPPOSITE_PREFIXES`).

>>> _opposite_variants("hypokalemia")
('hyperkalemia', 'normokalemia')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Literal, NamedTuple

from medreward.medical.cues import OPPOSITE_PREFIXES

__all__ = ["AnswerMatch", "Passage", "ReferenceAnalysis", "TextAnalysis", "Verdict"]

Verdict = Literal["exact", "equivalent", "partial", "mismatch", "missing"]


_DIGIT = re.compile(r"\d")


_PREFIXES_BY_INITIAL: dict[str, tuple[tuple[str, str], ...]] = {}


for _x, _y in OPPOSITE_PREFIXES:
    for _p, _q in ((_x, _y), (_y, _x)):
        _PREFIXES_BY_INITIAL[_p[0]] = (*_PREFIXES_BY_INITIAL.get(_p[0], ()), (_p, _q))


@lru_cache(maxsize=65_536)
def _opposite_variants(term: str, whole_words: bool = True) -> tuple[str, ...]:
    """Every word that is ``term`` with one opposite beginning swapped for its counterpart.

    A whole word swaps too ("left" -> "right", "acute" -> "chronic") unless ``whole_words`` is
    false: a paragraph names both sides of a body or both phases of a disease in different places
    ("left lower sternal border ... right supraclavicular"), where passage support, not a guard,
    tells which one it asserts.
    """
    if not term:
        return ()
    return tuple(
        q + term[len(p) :]
        for p, q in _PREFIXES_BY_INITIAL.get(term[0], ())
        if term.startswith(p) and (whole_words or len(term) > len(p))
    )


def _is_number(term: str) -> bool:
    """A number ("5", "b12", "0.5") or a designating letter ("B" of "hepatitis B", a capital token)."""
    return (not term.isalpha() and _DIGIT.search(term) is not None) or (len(term) == 1 and term.isupper())


def _numbers(terms: frozenset[str]) -> frozenset[str]:
    """The terms with a digit ("5", "b12", "0.5"); most texts have none, which one search of the
    joined terms tells. (Not of the text they came from: normalization writes number words as
    digits, "tenth thoracic vertebra" has the term "10".)
    """
    designators = frozenset(t for t in terms if len(t) == 1 and t.isupper())
    if _DIGIT.search(" ".join(terms)) is None:
        return designators
    return designators | frozenset(t for t in [t for t in terms if not t.isalpha()] if _DIGIT.search(t))


@dataclass(frozen=True, slots=True)
class TextAnalysis:
    """One answer text, analysed: folded text, terms, clauses and lexicon concepts."""

    text: str
    folded: str
    terms: tuple[str, ...]
    term_set: frozenset[str]
    clauses: tuple[tuple[str, ...], ...]
    concepts: frozenset[str]
    # Content words counted with repeats: "asthma asthma asthma" has one term and three tokens.
    token_count: int
    numbers: frozenset[str]
    negations: frozenset[str]
    # Terms of the evidence a one-sentence answer cites ("..., supported by a raised ESR").
    context: frozenset[str] = frozenset()
    # Whether the answer is hedged ("possibly X", "X?"): named, not committed to.
    hedged: bool = False
    # Whether abbreviations were expanded: the answer is then also judged as written.
    abbreviated: bool = False
    # The negation cues of the answer as written, repeats kept: their count's parity is the
    # answer's polarity ("not gram-negative" denies "gram-negative").
    negation_tokens: tuple[str, ...] = ()
    # The terms in the scope of a negation cue ("cross blood brain barrier" of "does not cross the
    # blood-brain barrier"): what the answer denies, as opposed to what it affirms.
    denied: frozenset[str] = frozenset()
    # The head of what each cue denies ("react" of "do not react to light", "reflex" of "absent
    # ankle reflexes"): the rest of its scope qualifies it.
    denied_heads: frozenset[str] = frozenset()
    # Every term of a clause with a negation cue: what the answer may deny, so never affirms.
    in_denial: frozenset[str] = frozenset()
    # The terms of each hyphenated name of several people ("Legg-Calve-Perthes"): any one of them
    # names the eponym ("Perthes disease").
    name_groups: tuple[frozenset[str], ...] = ()


def _fuzzy_pool(answer: TextAnalysis) -> tuple[str, ...]:
    """Terms of at least five letters, for spelling-tolerant lookups, in the order of answer.terms
    (sorted): ties between equally similar candidates break alike."""
    return tuple([t for t in answer.terms if len(t) >= 5 and t not in answer.numbers])


class Passage(NamedTuple):
    """A stretch of a long reference between commas, brackets or contrast words, and its weight.

    ``weight`` is how strongly the reference asserts the passage (1.0 in a concluding sentence,
    less elsewhere, slightly less for each later passage of a sentence); ``excluded`` marks a
    passage that names something only to set it aside ("rather than X", "X is less likely").
    """

    terms: frozenset[str]
    sentence: int
    weight: float
    excluded: bool
    # The passage's folded words, in order: where its phrases name concepts.
    words: tuple[str, ...] = ()


# Passage((terms, sentence, weight, excluded, words)) without the Python-level __new__ of a NamedTuple: a
# reference has a dozen passages, built on every GRPO step.
_passage = partial(tuple.__new__, Passage)


@dataclass(frozen=True, slots=True)
class ReferenceAnalysis:
    """A reference answer, analysed once and compared with every completion of its group.

    A long reference (a paragraph) is also cut into weighted :class:`Passage` s, and
    ``sentences`` holds the terms of each sentence's asserted (not excluded) passages.
    """

    answer: TextAnalysis
    is_long: bool
    passages: tuple[Passage, ...]
    sentences: tuple[tuple[frozenset[str], float], ...]
    # Terms of at least five letters, for spelling-tolerant lookups.
    fuzzy_pool: tuple[str, ...]
    # Whether the reference answers an exception question ("which is NOT ..."), read as such.
    exception_question: bool = False
    # The concepts a short reference's whole phrase is only related to (see _related).
    related_concepts: frozenset[str] = frozenset()
    # The content terms of the question the reference answers: no evidence that a solution is right.
    question_terms: frozenset[str] = frozenset()
    # The question's words as written (folded), negation words included.
    question_words: frozenset[str] = frozenset()
    # The weight of each passage's (and each sentence's) content: its terms that are not the
    # question's, by specificity; the denominator of a solution's recall of that passage.
    passage_content: tuple[float, ...] = ()
    sentence_content: tuple[float, ...] = ()
    # A short reference with abbreviations, analysed as written too ("CT chest" as "ct chest"): an
    # abbreviation matches its expansion or itself, in any case.
    as_written: ReferenceAnalysis | None = None
    # The question, kept for a short reference whose abbreviation has several senses that neither it
    # nor the question resolves ("MS"): each solution is then also judged against the sense it names.
    ambiguous_question: str | None = None
    ambiguous: bool = False
    # A short reference's phrases that name concepts (concept id -> words), for concept alignment.
    named_phrases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Each comparison the reference binds to a number ("below 0.5"): see bound_comparisons.
    comparisons: frozenset[tuple[str, str]] = frozenset()

    @property
    def text(self) -> str:
        return self.answer.text

    @property
    def term_set(self) -> frozenset[str]:
        return self.answer.term_set

    @property
    def opposites(self) -> frozenset[str]:
        """Terms that say the opposite of one of the reference's ("hypokalemia" for "hyperkalemia").

        Computed when asked: the guard looks up only the solution's own terms (the pairs are
        symmetric), which is cheaper than listing every variant of every reference term.
        """
        terms = self.answer.term_set
        return frozenset(v for t in terms for v in _opposite_variants(t)) - terms


@dataclass(frozen=True, slots=True)
class AnswerMatch:
    """The outcome of comparing one solution with one reference."""

    verdict: Verdict
    similarity: float
    solution_terms: tuple[str, ...] = ()
    matched_terms: tuple[str, ...] = ()
    guard: str | None = None
    concepts: tuple[str, ...] = ()
    # For a partial match, how far the similarity is between the partial threshold (0) and 1 (1); for
    # a mismatch, how close it came to the threshold (0: nothing matched, or a guard fired).
    strength: float = 0.0
