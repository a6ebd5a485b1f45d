"""Judging whether a solution says what a reference says, on normalized medical terms.

:class:`AnswerMatcher` compares a model's solution with a reference answer and returns an
:class:`AnswerMatch`: a verdict (``exact``, ``equivalent``, ``partial``, ``mismatch``, ``missing``),
a similarity in [0, 1], the terms on each side and the guard that fired, if any. It knows nothing of
TRL or of score values: :mod:`medreward.answer` turns verdicts into rewards.

How it decides (this first version; its limits are documented in docs/matching.md):

1. ``exact`` (short references only): the folded texts are equal (case, accents, possessives,
   punctuation ignored).
2. ``equivalent`` (short references only): the sorted content terms are equal (stop words,
   plurals, word order ignored).
3. Guards, each forcing ``mismatch``: the solution uses a term that is the opposite of a
   reference term (hyper/hypo, left/right, increased/decreased, acute/chronic, ...); the solution
   has a number the reference lacks (type 1 vs type 2, 5 mg vs 50 mg); the solution negates or
   hedges ("not", "ruled out", "unlikely") where the reference does not.
4. Otherwise similarity, ``partial`` from ``min_similarity`` up, else ``mismatch``. Short
   references (a term or phrase): F1 of the two term sets, so that
   listing many candidates (low precision) scores as badly as missing the answer (low recall).
   Long references (a paragraph): the share of solution terms the reference supports, discounted
   for solutions longer than ``max_solution_terms`` so that pasting the reference does not pay.
   Terms match exactly or, when both have at least five letters, at a normalized Levenshtein
   similarity of ``fuzzy_term_similarity`` (spelling variants: "haemorrhage"/"hemorrhage").

>>> matcher = AnswerMatcher()
>>> matcher.compare("Deficiency of vitamin B12", matcher.analyze("Vitamin B12 deficiency")).verdict
'equivalent'
>>> matcher.compare("Hypothyroidism", matcher.analyze("Hyperthyroidism")).guard
'opposite: hypothyroidism / hyperthyroidism'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz.distance import Levenshtein

from medreward.medical.normalize import NEGATION_CUES, fold_text, normalize_terms

__all__ = ["OPPOSITE_PREFIXES", "AnswerMatch", "AnswerMatcher", "ReferenceAnalysis", "Verdict"]

Verdict = Literal["exact", "equivalent", "partial", "mismatch", "missing"]

# Pairs of word beginnings that turn a term into its opposite when swapped, the rest of the word
# equal: "hyperkalemia"/"hypokalemia", "left"/"right", "increased"/"decreased".
OPPOSITE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("hyper", "hypo"),
    ("tachy", "brady"),
    ("left", "right"),
    ("increas", "decreas"),
    ("elevat", "reduc"),
    ("high", "low"),
    ("upper", "lower"),
    ("acute", "chronic"),
    ("anterior", "posterior"),
    ("medial", "lateral"),
    ("proximal", "distal"),
    ("superior", "inferior"),
    ("benign", "malignant"),
    ("primary", "secondary"),
    ("central", "peripheral"),
    ("positive", "negative"),
    ("unilateral", "bilateral"),
    ("intra", "extra"),
    ("macro", "micro"),
    ("over", "under"),
)


def _opposite(a: str, b: str) -> bool:
    for x, y in OPPOSITE_PREFIXES:
        for p, q in ((x, y), (y, x)):
            if a.startswith(p) and b.startswith(q) and a[len(p) :] == b[len(q) :]:
                return True
    return False


def _is_number(term: str) -> bool:
    return any(c.isdigit() for c in term)


@dataclass(frozen=True, slots=True)
class ReferenceAnalysis:
    """A reference answer, analysed once and compared with every completion of its group."""

    text: str
    folded: str
    terms: tuple[str, ...]
    term_set: frozenset[str]
    numbers: frozenset[str]
    negations: frozenset[str]
    is_long: bool


@dataclass(frozen=True, slots=True)
class AnswerMatch:
    """The outcome of comparing one solution with one reference."""

    verdict: Verdict
    similarity: float
    solution_terms: tuple[str, ...] = ()
    matched_terms: tuple[str, ...] = ()
    guard: str | None = None


class AnswerMatcher(BaseModel):
    """Compares solutions with references on normalized terms, with guards against near-misses."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    long_reference_terms: int = Field(
        12, ge=1, description="a reference with more content terms than this is judged as a paragraph"
    )
    fuzzy_term_similarity: float = Field(
        0.88, gt=0.0, le=1.0, description="normalized Levenshtein similarity at which two terms match"
    )
    min_similarity: float = Field(
        0.5, ge=0.0, le=1.0, description="similarity below which an answer is a mismatch, not a partial match"
    )
    max_solution_terms: int = Field(
        24, ge=1, description="against long references, longer solutions are discounted proportionally"
    )

    def analyze(self, reference: str) -> ReferenceAnalysis:
        """Analyse a reference answer once; reuse the result for every completion judged against it."""
        terms = normalize_terms(reference)
        term_set = frozenset(terms)
        return ReferenceAnalysis(
            text=reference,
            folded=fold_text(reference),
            terms=terms,
            term_set=term_set,
            numbers=frozenset(t for t in term_set if _is_number(t)),
            negations=term_set & NEGATION_CUES,
            is_long=len(terms) > self.long_reference_terms,
        )

    def _find(self, term: str, reference: ReferenceAnalysis) -> str | None:
        """The reference term that ``term`` matches, exactly or as a spelling variant."""
        if term in reference.term_set:
            return term
        if len(term) < 5 or _is_number(term):
            return None
        best: str | None = None
        best_score = self.fuzzy_term_similarity
        for candidate in reference.term_set:
            if len(candidate) < 5 or _opposite(term, candidate):
                continue
            score = Levenshtein.normalized_similarity(term, candidate, score_cutoff=best_score)
            if score >= best_score and (best is None or score > best_score or candidate < best):
                best, best_score = candidate, score
        return best

    def _guard(self, terms: tuple[str, ...], reference: ReferenceAnalysis) -> str | None:
        for term in terms:
            # A long reference negates the options it excludes, so any negation in the solution is
            # suspect there; a short reference states the answer, negated only if it means it.
            if term in NEGATION_CUES and (reference.is_long or term not in reference.negations):
                return f"negation: {term}"
            if term in reference.term_set:
                continue
            for ref_term in reference.term_set:
                if _opposite(term, ref_term):
                    return f"opposite: {term} / {ref_term}"
            if _is_number(term) and term not in reference.numbers:
                return f"number: {term} not in reference"
        return None

    def compare(self, solution: str | None, reference: ReferenceAnalysis) -> AnswerMatch:
        """Judge ``solution`` (``None`` when the completion has none) against an analysed reference."""
        if solution is None:
            return AnswerMatch("missing", 0.0)
        terms = normalize_terms(solution)
        if not terms:
            return AnswerMatch("missing", 0.0)
        # A long reference is an explanation, not an answer: restating it is not an exact match.
        if not reference.is_long:
            if fold_text(solution) == reference.folded:
                return AnswerMatch("exact", 1.0, terms, terms)
            if terms == reference.terms:
                return AnswerMatch("equivalent", 1.0, terms, terms)
        guard = self._guard(terms, reference)
        if guard is not None:
            return AnswerMatch("mismatch", 0.0, terms, (), guard)

        found = [self._find(term, reference) for term in terms]
        matched = tuple(term for term, hit in zip(terms, found) if hit is not None)
        precision = len(matched) / len(terms)
        if reference.is_long:
            similarity = precision * min(1.0, self.max_solution_terms / len(terms))
        else:
            recall = len({hit for hit in found if hit is not None}) / len(reference.term_set)
            similarity = 0.0 if not matched else 2 * precision * recall / (precision + recall)
        verdict: Verdict = "partial" if similarity >= self.min_similarity else "mismatch"
        return AnswerMatch(verdict, similarity, terms, matched)
