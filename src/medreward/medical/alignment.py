"""Finding a solution's words in a reference's: concept alignment of phrases and term lookups.

- :func:`_aligned` rewrites a phrase of the solution that names a concept the reference names in
  other words in the reference's words ("Shingles" -> "herpes zoster"), with the phrases of
  :func:`named_phrases` (looked up longest first by :func:`_phrase_concepts`);
- the term lookups of :meth:`~medreward.medical.matching.AnswerMatcher._find`: one concept in two
  words (:func:`_term_concepts`), two spellings of two words (:func:`_two_words`), derivations of
  one stem (:func:`_stems`), an infestation and its organism (:func:`_infestation_match`), and one
  name of a hyphenated eponym (:func:`_eponym_parts`).

>>> sorted(_stems("perforator"))
['perfor', 'perforat', 'perforator']
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import replace
from functools import lru_cache
from typing import cast

from medreward.medical.analysis import analyze_text
from medreward.medical.evidence import Passage, TextAnalysis
from medreward.medical.lexicon import load_lexicon
from medreward.medical.linking import ConceptLinker
from medreward.medical.normalize import STOP_WORDS, normalize_folded
from medreward.medical.spacing import _MAX_ALIGNED_TOKENS

__all__ = ["named_phrases", "paragraph_phrases"]

# The shortest word whose lexicon concepts are looked up on its own ("bruise" / "contusion").
_MIN_CONCEPT_WORD = 4


# The most words of one paragraph passage whose phrases are looked up as names (a conclusion's
# passage has a few; a run-on one is left out, which bounds the lookups of a long reference).
_MAX_PARAGRAPH_PASSAGE = 40


# The longest phrase, in words, that concept alignment looks up as one name.
_MAX_PHRASE = 5


def _phrase_concepts(tokens: list[str], linker: ConceptLinker) -> tuple[tuple[int, int, frozenset[str]], ...]:
    """The phrases of ``tokens`` (folded words) that ``linker`` links to concepts, longest first.

    Each is ``(start, end, concepts)``; a phrase inside a longer named phrase is not listed ("heat
    stroke" is one name, not "heat" and "stroke"). A single word must have
    :data:`_MIN_CONCEPT_WORD` letters. Looked up once per answer and linker: alignment and the
    less-specific rule ask for the same solution's phrases.
    """
    try:
        return _cached_phrase_concepts(tuple(tokens), cast(Hashable, linker))
    except TypeError:  # a linker that cannot be hashed: looked up each time
        return _lookup_phrase_concepts(tuple(tokens), linker)


@lru_cache(maxsize=4096)
def _cached_phrase_concepts(
    tokens: tuple[str, ...], linker: Hashable
) -> tuple[tuple[int, int, frozenset[str]], ...]:
    return _lookup_phrase_concepts(tokens, cast(ConceptLinker, linker))


def _lookup_phrase_concepts(
    tokens: tuple[str, ...], linker: ConceptLinker
) -> tuple[tuple[int, int, frozenset[str]], ...]:
    found: list[tuple[int, int, frozenset[str]]] = []
    taken = [False] * len(tokens)
    for size in range(min(_MAX_PHRASE, len(tokens)), 0, -1):
        for start in range(len(tokens) - size + 1):
            end = start + size
            if any(taken[start:end]):
                continue
            words = list(tokens[start:end])
            if size == 1 and (len(words[0]) < _MIN_CONCEPT_WORD or not words[0].isalpha()):
                continue
            if words[0] in STOP_WORDS or words[-1] in STOP_WORDS:
                continue
            normalized = normalize_folded(words)
            terms = tuple(sorted(set(normalized)))
            if len(terms) < len(normalized):
                continue  # a word said twice names nothing ("pyrimethamine pyrimethamine")
            phrase = " ".join(words)
            concepts = linker.link(phrase, phrase, terms) if terms else frozenset()
            if concepts:
                found.append((start, end, concepts))
                taken[start:end] = [True] * size
    return tuple(found)


def _names_a_concept(answer: TextAnalysis, linker: ConceptLinker) -> bool:
    """Whether ``answer`` names a concept, as a whole or in a phrase of its words."""
    tokens = answer.folded.split()
    return bool(answer.concepts) or (
        len(tokens) <= _MAX_ALIGNED_TOKENS and bool(_phrase_concepts(tokens, linker))
    )


def named_phrases(answer: TextAnalysis, linker: ConceptLinker) -> dict[str, tuple[str, ...]]:
    """Concept id -> the words of a short answer that name it: what alignment rewrites to."""
    tokens = answer.folded.split()
    if len(tokens) > _MAX_ALIGNED_TOKENS:
        return {}
    return {
        cid: tuple(tokens[start:end])
        for start, end, ids in _phrase_concepts(tokens, linker)
        for cid in sorted(ids)
    }


def paragraph_phrases(
    passages: Iterable[Passage], question_terms: frozenset[str], linker: ConceptLinker, min_weight: float
) -> dict[str, tuple[str, ...]]:
    """Concept id -> the words that name it in a paragraph's asserted passages of at least
    ``min_weight`` (where a paragraph states its answer: a conclusion, the opening), the strongest
    passage first: what alignment rewrites a solution to, as for a short answer ("Pulmonary
    embolus" against a paragraph that concludes "pulmonary embolism").

    A phrase made of the question's words only is left out: the question names what is asked
    about, and a solution that names it in other words restates the question.

    >>> from medreward.medical import AnswerMatcher
    >>> paragraph = "The most likely diagnosis is pulmonary embolism. A chest X-ray is clear."
    >>> sorted(set(AnswerMatcher().analyze(paragraph).named_phrases.values()))
    [('pulmonary', 'embolism')]
    """
    named: dict[str, tuple[str, ...]] = {}
    asserted = sorted(
        (p for p in passages if not p.excluded and p.weight >= min_weight), key=lambda p: -p.weight
    )
    for passage in asserted:
        tokens = list(passage.words)
        if len(tokens) > _MAX_PARAGRAPH_PASSAGE:
            continue  # a run-on passage: which words name what is unclear, and the lookups cost
        for start, end, concepts in _phrase_concepts(tokens, linker):
            words = tuple(tokens[start:end])
            if question_terms.issuperset(normalize_folded(list(words))):
                continue
            for cid in sorted(concepts):
                named.setdefault(cid, words)
    return named


def _aligned(
    solution: TextAnalysis,
    reference: TextAnalysis,
    named: Mapping[str, tuple[str, ...]],
    linker: ConceptLinker,
) -> TextAnalysis:
    """``solution`` with each phrase that names a concept the reference names in other words
    rewritten in the reference's words.

    "Shingles" against "Herpes zoster in a dermatomal distribution" is read as "herpes zoster": a
    less specific answer, not another disease; "Left acoustic neuroma" against "Left vestibular
    schwannoma" as the same answer. The rewritten answer is then judged as if written so, guards
    included (a synonym on the other side stays on the other side). Phrases are looked up in the
    lexicon, longest first, up to :data:`_MAX_PHRASE` words.
    """
    tokens = solution.folded.split()
    if not named or len(tokens) > _MAX_ALIGNED_TOKENS:
        return solution
    rewritten = list(tokens)
    changed = False
    for start, end, concepts in sorted(_phrase_concepts(tokens, linker), reverse=True):
        words = next((named[cid] for cid in sorted(concepts) if cid in named), None)
        if words is None or tuple(tokens[start:end]) == words:
            continue
        rewritten[start:end] = words
        changed = True
    if not changed:
        return solution
    text = " ".join(rewritten)
    again = analyze_text(text, linker, reference.term_set, reference.concepts, expand=False)
    return replace(
        again,
        text=solution.text,
        folded=solution.folded,  # the same concept in other words is equivalent, not exact
        context=solution.context - again.term_set,
        hedged=solution.hedged,
        negation_tokens=solution.negation_tokens,
        name_groups=solution.name_groups,
    )


# Derivational endings ("perforat-or", "perforat-ing"; "hypertens-ion", "hypertens-ive"; "ferment-er",
# "ferment-ing"): two terms
# that share a stem of at least _MIN_STEM letters before one of them are derivations of one word.
_DERIVATIONAL_ENDINGS = (
    "ation", "ative", "atory", "ator", "ating", "ated", "ate", "ion", "ive", "ory", "ing", "ed", "or", "er",
    "e", "graphy", "graph", "gram", "scopy", "scope", "ful", "ness",
)  # fmt: skip


# Shorter stems conflate words ("posit-ive" / "posit-ion", "relat-ive" / "relat-ion").
_MIN_STEM = 6


# A state and its adjective ("pregnancy" / "pregnant", "infection" / "infectious"): endings whose
# stems may be a letter shorter. Not "-ity": "cellularity" is no cellular atypia.
_STATE_ENDINGS = ("ancy", "ance", "ant", "ency", "ence", "ent", "ious", "ous")
_MIN_STATE_STEM = 5


# A whole word and the same word with a derivational ending ("bleed" / "bleeding", "dilate" /
# "dilated"): the word itself is the stem, so a shorter one is safe.
_MIN_WORD_STEM = 4


def _base_word(term: str, words: frozenset[str]) -> str | None:
    """The word of ``words`` that ``term`` is with one derivational ending, however short the word
    ("painful" -> "pain", "bleeding" -> "bleed"; :func:`_derived_from` looked up directly), or ``None``.

    >>> _base_word("painful", frozenset({"pain", "jaundice"})), _base_word("pain", frozenset({"pa"}))
    ('pain', None)
    """
    return next((base for base in _word_bases(term) if base in words), None)


@lru_cache(maxsize=65_536)
def _word_bases(term: str) -> tuple[str, ...]:
    """``term`` without each derivational ending it has, leaving at least :data:`_MIN_WORD_STEM`
    letters, in the order of :data:`_DERIVATIONAL_ENDINGS`: a word's candidates once, not once per
    reference it is looked up in.

    >>> _word_bases("bleeding"), _word_bases("pain")
    (('bleed',), ())
    """
    return tuple(
        term[: -len(ending)]
        for ending in _DERIVATIONAL_ENDINGS
        if term.endswith(ending) and len(term) - len(ending) >= _MIN_WORD_STEM
    )


def _derived_from(term: str, word: str) -> bool:
    """Whether ``term`` is ``word`` with one derivational ending (a final "e" dropped before it).

    >>> _derived_from("bleeding", "bleed"), _derived_from("dilation", "dilate")
    (True, True)
    >>> _derived_from("ringing", "rin")
    False
    """
    if len(word) < _MIN_WORD_STEM or not term.startswith(word[:-1]):
        return False
    base = word[:-1] if word.endswith("e") else word
    return any(term == base + e for e in _DERIVATIONAL_ENDINGS if e != "e")


@lru_cache(maxsize=65_536)
def _stems(term: str) -> frozenset[str]:
    """``term`` and every stem left by one derivational ending: "perforator" -> perforator, perforat,
    perfor; "pregnancy" -> pregnancy, pregn."""
    return frozenset(
        (
            term,
            *(
                term[: -len(e)]
                for e in _DERIVATIONAL_ENDINGS
                if term.endswith(e) and len(term) - len(e) >= _MIN_STEM
            ),
            *(
                term[: -len(e)]
                for e in _STATE_ENDINGS
                if term.endswith(e) and len(term) - len(e) >= _MIN_STATE_STEM
            ),
        )
    )


# A disease named after its parasite or fungus ("trichomoniasis", "candidiasis") and the genus
# ("Trichomonas", "Candida") share a stem of at least this many letters.
_MIN_GENUS_STEM = 5


_GENUS_ENDINGS = ("ia", "as", "us", "is", "um", "es", "a")


def _genus_stem(word: str) -> str | None:
    """The stem a genus name gives its infestation: "trichomonas" -> "trichomon"."""
    for ending in _GENUS_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_GENUS_STEM:
            return word[: -len(ending)]
    return None


def _infestation_match(term: str, pool: tuple[str, ...]) -> str | None:
    """The reference word that ``term`` names as an infestation and its organism: "trichomoniasis"
    and "trichomonas", "giardiasis" and "giardia" (the ``-iasis`` names only: "-osis" also ends
    processes, "sclerosis" is no "sclera")."""
    if term.endswith("iasis"):
        stem = term[:-5]
        if len(stem) >= _MIN_GENUS_STEM:
            found = [w for w in pool if w != term and _genus_stem(w) == stem]
            return found[0] if len(found) == 1 else None
        return None
    genus = _genus_stem(term)
    if genus is None:
        return None
    return genus + "iasis" if genus + "iasis" in pool else None


def _two_words(term: str, candidate: str) -> bool:
    """Whether two spellings close enough to be one word are two: each names a lexicon concept and
    the two share none ("dysphagia" / "dysphasia", "ileum" / "ilium")."""
    lexicon = load_lexicon()
    ours, theirs = lexicon.concepts_of_term(term), lexicon.concepts_of_term(candidate)
    return bool(ours and theirs and ours.isdisjoint(theirs))


@lru_cache(maxsize=512)
def _term_concepts(terms: frozenset[str]) -> dict[str, str]:
    """A reference's one-word terms by the lexicon concepts they name (the lowest term where two
    name one concept: the same answer in every process)."""
    lexicon = load_lexicon()
    found: dict[str, str] = {}
    for term in sorted(terms):
        if len(term) >= _MIN_CONCEPT_WORD:
            for cid in lexicon.concepts_of_term(term):
                found.setdefault(cid, term)
    return found


def _eponym_parts(
    solution: TextAnalysis, ref: TextAnalysis, found: list[str | None]
) -> tuple[list[str | None], frozenset[str]]:
    """The parts of a hyphenated eponym counted as found when one part is: "Perthes disease" names
    "Legg-Calve-Perthes disease", and the other way round. Returns ``found`` with the solution's own
    parts matched to themselves, and the reference's parts that the one given says."""
    hits = {hit for hit in found if hit is not None}
    names = frozenset().union(*solution.name_groups, *ref.name_groups)
    # Only the names may differ: "Parkinson disease" is not "Wolff-Parkinson-White syndrome".
    if not (
        ref.term_set - names <= hits
        and all(hit is not None for t, hit in zip(solution.terms, found) if t not in names)
    ):
        return found, frozenset()
    said = frozenset().union(*[group - hits for group in ref.name_groups if hits & group])
    found = [
        term if hit is None and any(term in g and hits & g for g in solution.name_groups) else hit
        for term, hit in zip(solution.terms, found)
    ]
    return found, said
