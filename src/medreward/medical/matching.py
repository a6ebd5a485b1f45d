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

>>> matcher = AnswerMatcher()
>>> matcher.compare("Deficiency of vitamin B12", matcher.analyze("Vitamin B12 deficiency")).verdict
'equivalent'
>>> matcher.compare("Heart attack", matcher.analyze("Myocardial infarction")).verdict
'equivalent'
>>> matcher.compare("Hypothyroidism", matcher.analyze("Hyperthyroidism")).guard
'opposite: hypothyroidism / hyperthyroidism'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from medreward.medical.lexicon import load_lexicon
from medreward.medical.linking import ConceptLinker, LexiconLinker
from medreward.medical.normalize import NEGATION_CUES, fold_text, normalize_terms

__all__ = [
    "OPPOSITE_PREFIXES",
    "AnswerMatch",
    "AnswerMatcher",
    "ReferenceAnalysis",
    "TextAnalysis",
    "Verdict",
]

Verdict = Literal["exact", "equivalent", "partial", "mismatch", "missing"]

# Pairs of word beginnings that turn a term into its opposite when swapped, the rest of the word
# equal: "hyperkalemia"/"hypokalemia", "left"/"right", "increased"/"decreased". A pair with an
# empty side ("non", "") marks a negating prefix: "non hodgkin" against "hodgkin".
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
    ("hyper", "normo"),
    ("hypo", "normo"),
)

# Words that separate the clauses of a compound answer; word order inside a clause is free.
# No surrounding \s*: on a long run of spaces that retries at every position (quadratic time).
_CLAUSE_BREAK = re.compile(r"[,;/]|\b(?:and|with|plus|but|or|versus|vs)\b", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
# Sentence openings and phrases that state the answer in a free-text reference.
_CONCLUSION_CUE = re.compile(
    r"\b(most likely|diagnosis is|answer is|is consistent with|indicative of|points? (?:to|towards)|"
    r"therefore|thus|hence|in summary|in conclusion|overall|best (?:explained|treatment|next)|"
    r"is caused by|caused by|is likely|suggests?|is the)\b",
    re.IGNORECASE,
)
# Phrases after which the reference names an option only to set it aside.
_EXCLUSION_CUE = re.compile(
    r"\b(less likely|unlikely|rather than|instead of|not (?:the|a|an|typical|consistent|likely)|"
    r"ruled? out|excluded?|does not|doesn't|would not|would give|would instead|can mimic|mimic)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_NEGATING_PREFIX = "non"


def _opposite_variants(term: str) -> tuple[str, ...]:
    """Every word that is ``term`` with one opposite beginning swapped for its counterpart."""
    variants = []
    for x, y in OPPOSITE_PREFIXES:
        for p, q in ((x, y), (y, x)):
            if term.startswith(p) and len(term) > len(p):
                variants.append(q + term[len(p) :])
    return tuple(variants)


def _is_number(term: str) -> bool:
    return any(c.isdigit() for c in term)


def _expand_abbreviations(text: str) -> str:
    """``text`` with each unambiguous abbreviation, written in capitals, replaced by its expansion.

    "Acute MI" reads as "Acute myocardial infarction"; an in-text definition, "myocardial
    infarction (MI)", then repeats the same terms. Ambiguous abbreviations (MS, PE) are left as they
    are: no single expansion can be trusted.
    """
    lexicon = load_lexicon()

    def expand(match: re.Match[str]) -> str:
        token = match.group(0)
        if len(token) < 2 or not token.isupper():
            return token
        expansions = lexicon.expand_abbreviation(token, case_sensitive=True)
        return expansions[0] if len(expansions) == 1 else token

    return _WORD.sub(expand, text)


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


_DEFAULT_LINKER = LexiconLinker()


def analyze_text(text: str, linker: ConceptLinker = _DEFAULT_LINKER) -> TextAnalysis:
    """Analyse an answer text (a solution or a short reference); ``linker`` finds its concepts."""
    expanded = _expand_abbreviations(" ".join(text.split()))
    folded = fold_text(expanded)
    # Each clause is normalized once; the answer's terms are its clauses' terms (the separators
    # are stop words or punctuation, which normalization drops anyway).
    clause_terms = [c for c in (normalize_terms(p) for p in _CLAUSE_BREAK.split(expanded)) if c]
    clauses = tuple(sorted(clause_terms))
    token_count = sum(len(c) for c in clause_terms)
    term_set = frozenset(t for c in clause_terms for t in c)
    terms = tuple(sorted(term_set))
    concepts = linker.link(expanded, folded, terms)
    if len(clauses) > 1:
        # A compound answer means what its parts mean together, not any one part's concept.
        concepts = frozenset()
    return TextAnalysis(
        text=text,
        folded=folded,
        terms=terms,
        term_set=term_set,
        clauses=clauses,
        concepts=concepts,
        token_count=token_count,
        numbers=frozenset(t for t in term_set if _is_number(t)),
        negations=term_set & NEGATION_CUES,
    )


@dataclass(frozen=True, slots=True)
class ReferenceAnalysis:
    """A reference answer, analysed once and compared with every completion of its group.

    For a long reference, ``conclusion`` holds the terms of the sentences that state the answer and
    ``excluded`` the terms it names only to set aside.
    """

    answer: TextAnalysis
    is_long: bool
    conclusion: frozenset[str]
    excluded: frozenset[str]
    # Terms of at least five letters, for spelling-tolerant lookups.
    fuzzy_pool: tuple[str, ...]
    opposites: frozenset[str]

    @property
    def text(self) -> str:
        return self.answer.text

    @property
    def term_set(self) -> frozenset[str]:
        return self.answer.term_set


@dataclass(frozen=True, slots=True)
class AnswerMatch:
    """The outcome of comparing one solution with one reference."""

    verdict: Verdict
    similarity: float
    solution_terms: tuple[str, ...] = ()
    matched_terms: tuple[str, ...] = ()
    guard: str | None = None
    concepts: tuple[str, ...] = ()
    # For a partial match, how far the similarity is between the partial threshold (0) and 1 (1).
    strength: float = 0.0


def _conclusion_and_exclusions(text: str, term_set: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    sentences = [s for s in _SENTENCE_BREAK.split(text) if s.strip()]
    if not sentences:
        return term_set, frozenset()
    concluding = [s for s in sentences if _CONCLUSION_CUE.search(s) and not _EXCLUSION_CUE.search(s)]
    if not concluding:
        concluding = [sentences[-1]]
    conclusion: set[str] = set()
    for sentence in concluding:
        conclusion.update(normalize_terms(sentence))
    excluded: set[str] = set()
    for sentence in sentences:
        for part in re.split(r"[,;:]", sentence):
            if _EXCLUSION_CUE.search(part):
                excluded.update(normalize_terms(part))
    return frozenset(conclusion), frozenset(excluded - conclusion)


class AnswerMatcher(BaseModel):
    """Compares solutions with references on normalized terms and concepts, with guards."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    linker: ConceptLinker = Field(
        default_factory=LexiconLinker,
        description="finds the concepts an answer names; the bundled lexicon unless replaced",
    )
    long_reference_terms: int = Field(
        12, ge=1, description="a reference with more content terms than this is judged as a paragraph"
    )
    fuzzy_term_similarity: float = Field(
        0.88, gt=0.0, le=1.0, description="normalized Levenshtein similarity at which two terms match"
    )
    min_similarity: float = Field(
        0.7, ge=0.0, le=1.0, description="similarity below which an answer is a mismatch, not a partial match"
    )
    min_support: float = Field(
        0.05,
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

    @field_validator("linker")
    @classmethod
    def _check_linker(cls, value: object) -> object:
        if not isinstance(value, ConceptLinker):
            kind = type(value).__name__
            raise ValueError(f"linker must have a link(text, folded, terms) method, got {kind}")
        return value

    def analyze(self, reference: str) -> ReferenceAnalysis:
        """Analyse a reference answer once; reuse the result for every completion judged against it."""
        reference = reference[: self.max_reference_chars]
        answer = analyze_text(reference, self.linker)
        is_long = len(answer.terms) > self.long_reference_terms
        if is_long:
            conclusion, excluded = _conclusion_and_exclusions(reference, answer.term_set)
        else:
            conclusion, excluded = answer.term_set, frozenset()
        opposites = frozenset(v for t in answer.term_set for v in _opposite_variants(t)) - answer.term_set
        return ReferenceAnalysis(
            answer=answer,
            is_long=is_long,
            conclusion=conclusion,
            excluded=excluded,
            fuzzy_pool=tuple(sorted(t for t in answer.term_set if len(t) >= 5 and not _is_number(t))),
            opposites=opposites,
        )

    def _find(self, term: str, reference: ReferenceAnalysis) -> str | None:
        """The reference term that ``term`` matches, exactly or as a spelling variant."""
        if term in reference.term_set:
            return term
        if len(term) < 5 or _is_number(term) or not reference.fuzzy_pool:
            return None
        forbidden = set(_opposite_variants(term))
        for candidate, _, _ in process.extract(
            term,
            reference.fuzzy_pool,
            scorer=Levenshtein.normalized_similarity,
            score_cutoff=self.fuzzy_term_similarity,
            limit=3,
        ):
            if candidate not in forbidden:
                return str(candidate)
        return None

    def _guard(self, solution: TextAnalysis, reference: ReferenceAnalysis) -> str | None:
        ref = reference.answer
        for term in solution.terms:
            # A long reference negates the options it excludes, so any negation in the solution is
            # suspect there; a short reference states the answer, negated only if it means it.
            if term in NEGATION_CUES and (reference.is_long or term not in ref.negations):
                return f"negation: {term}"
            if term in ref.term_set:
                continue
            if term in reference.opposites:
                counterpart = next(v for v in _opposite_variants(term) if v in ref.term_set)
                return f"opposite: {term} / {counterpart}"
            if _is_number(term) and term not in ref.numbers:
                return f"number: {term} not in reference"
        if not reference.is_long and (_NEGATING_PREFIX in solution.term_set) != (
            _NEGATING_PREFIX in ref.term_set
        ):
            return "negation: non"
        if (
            not reference.is_long
            and solution.concepts
            and ref.concepts
            and not solution.concepts & ref.concepts
        ):
            return f"different concepts: {min(solution.concepts)} / {min(ref.concepts)}"
        if (
            not reference.is_long
            and solution.term_set == ref.term_set
            and len(ref.clauses) > 1
            and solution.clauses != ref.clauses
        ):
            return "rearranged: the same terms in other clauses"
        return None

    def compare(self, solution: str | None, reference: ReferenceAnalysis) -> AnswerMatch:
        """Judge ``solution`` (``None`` when the completion has none) against an analysed reference."""
        if solution is None:
            return AnswerMatch("missing", 0.0)
        if len(solution) > self.max_solution_chars:
            return AnswerMatch(
                "mismatch", 0.0, guard=f"overlong: solution over {self.max_solution_chars} characters"
            )
        sol = analyze_text(solution, self.linker)
        if not sol.terms:
            return AnswerMatch("missing", 0.0)
        ref = reference.answer
        concepts = tuple(sorted(sol.concepts))
        if not ref.term_set:
            # A reference of stop words or punctuation only: nothing to compare but the text.
            verdict: Verdict = "exact" if sol.folded == ref.folded else "mismatch"
            return AnswerMatch(verdict, float(verdict == "exact"), sol.terms, (), None, concepts)
        guard = self._guard(sol, reference)
        if guard is not None:
            return AnswerMatch("mismatch", 0.0, sol.terms, (), guard, concepts)
        # A long reference is an explanation, not an answer: restating it is not an exact match.
        # Saying the answer many times is not saying it better ("asthma asthma asthma ...").
        repeated = sol.token_count > 2 * ref.token_count + 2
        if not reference.is_long and not repeated:
            if sol.folded == ref.folded:
                return AnswerMatch("exact", 1.0, sol.terms, sol.terms, None, concepts)
            if sol.term_set == ref.term_set or sol.concepts & ref.concepts:
                return AnswerMatch("equivalent", 1.0, sol.terms, sol.terms, None, concepts)

        found = [self._find(term, reference) for term in sol.terms]
        matched = tuple(term for term, hit in zip(sol.terms, found) if hit is not None)
        precision = len(matched) / len(sol.terms)
        if reference.is_long:
            in_conclusion = sum(hit in reference.conclusion for hit in found if hit is not None)
            excluded = sum(hit in reference.excluded for hit in found if hit is not None)
            support = (0.75 * in_conclusion + 0.25 * len(matched) - 0.5 * excluded) / len(sol.terms)
            similarity = max(0.0, support) * min(1.0, self.max_solution_terms / sol.token_count)
            threshold = self.min_support
        else:
            recall = len({hit for hit in found if hit is not None}) / len(ref.term_set)
            similarity = 0.0 if not matched else 2 * precision * recall / (precision + recall)
            if repeated:
                similarity *= (2 * ref.token_count + 2) / sol.token_count
            threshold = self.min_similarity
        if similarity < threshold:
            return AnswerMatch("mismatch", similarity, sol.terms, matched, None, concepts)
        strength = 1.0 if threshold >= 1.0 else (similarity - threshold) / (1.0 - threshold)
        return AnswerMatch("partial", similarity, sol.terms, matched, None, concepts, min(1.0, strength))
