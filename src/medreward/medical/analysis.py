"""Analysing an answer text once: its answer span, terms, clauses, concepts, hedges and polarity.

:func:`analyze_text` chains the steps, in order: :func:`answer_span` (the part that answers, and
the evidence it cites), abbreviation expansion (:mod:`medreward.medical.abbreviations`),
quantities (:mod:`medreward.medical.quantities`), closed compounds
(:mod:`medreward.medical.spacing`), the normalization pipeline
(:mod:`medreward.medical.normalize`), clauses (elided heads filled in: :func:`_elided_heads`) and
the linker's concepts. A new analysis step goes here; a new normalization of single words goes in
:mod:`medreward.medical.normalize`.

>>> analyze_text("Possibly acute MI?").hedged
True
"""

from __future__ import annotations

import re
from functools import cache
from itertools import takewhile

from medreward.medical.abbreviations import _expand_abbreviations
from medreward.medical.cues import (
    CLAUSE_BREAK,
    CONTEXT_MARKER,
    EVIDENCE_VERB,
    FRAMING_AFTER_COPULA,
    FRAMING_SUBJECT,
    HEDGE_CUES,
    IMPERATIVE,
    LATIN_ADJECTIVE_ENDINGS,
    LATIN_HEADS,
    LEADING_CONTEXT,
    LIKELIHOOD_WORDS,
    NEXT_SENTENCE,
    RECOMMENDATION,
    RESULT_WORDS,
    SUBJECT_COPULA,
    SUBJECT_VERB,
)
from medreward.medical.evidence import TextAnalysis, _is_number, _numbers
from medreward.medical.lexicon import load_lexicon
from medreward.medical.linking import ConceptLinker, LexiconLinker
from medreward.medical.normalize import (
    FINDING_PARTICIPLES,
    NEGATED_WORDS,
    NEGATION_CUES,
    NEXT_WORD_CUES,
    POSTPOSED_CUES,
    SAME_MEANING,
    normalize_folded,
    normalize_tokens,
    term_tokens,
)
from medreward.medical.quantities import canonical_quantities
from medreward.medical.spacing import _closed_compounds

__all__ = ["analyze_text", "answer_span"]

_NEGATING_PREFIX = "non"


# The words that give an answer its polarity (see _guard), and the forms that normalize to them.
_POLARITY_WORDS = NEGATION_CUES | {_NEGATING_PREFIX}


_NEGATING_FORMS = _POLARITY_WORDS | {word for word, same in SAME_MEANING.items() if same in _POLARITY_WORDS}


@cache
def _negated_nouns() -> frozenset[tuple[str, ...]]:
    """The phrases a word that denies a noun is written as ("painless" -> "without pain"), as terms
    ("acalculous" -> "without gallstone": a plural noun is compared uninflected): the denial is of
    that noun only, not of the words after it ("painless vaginal bleeding" is vaginal bleeding).
    Built on first use: normalizing reads the lexicon's spellings."""
    return frozenset(tuple(normalize_folded(phrase.split())) for phrase in NEGATED_WORDS.values())


def _negation_scopes(
    clauses: list[list[str]],
) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """What an answer denies for certain, and what it may deny, from each clause's normalized
    terms in order: the terms a negation cue surely denies, every term of a clause with a cue, and
    the head each cue denies (:data:`NEXT_WORD_CUES`: "react" of "not react light", "sparing" of
    "no forehead sparing").

    A cue surely denies the terms after it up to the clause's end or the next cue ("not cross the
    blood brain barrier", "non small cell lung cancer"), or, with none after it, those before it;
    a cue that usually follows what it denies (:data:`POSTPOSED_CUES`) denies the terms before it,
    or with none before it those after it ("culture negative endocarditis", "bowel sound absent";
    "absent ankle reflex"). Which side a cue denies is not always told by order ("HIV antibodies not
    detected" denies the antibodies), so a term of a clause with a cue is never taken as affirmed.
    A word that denies a noun ("painless") denies that noun only.

    >>> clause = ["glycopyrronium", "not", "cross", "blood", "brain", "barrier"]
    >>> sure, maybe, heads = _negation_scopes([clause])
    >>> sorted(sure), "glycopyrronium" in maybe, sorted(heads)
    (['barrier', 'blood', 'brain', 'cross'], True, ['cross'])
    >>> [sorted(s) for s in _negation_scopes([["placenta"], ["without", "pain", "vagina", "bleeding"]])]
    [['pain'], ['pain', 'without'], ['pain']]
    >>> [sorted(s) for s in _negation_scopes([["bowel", "sound", "absent"]])]
    [['bowel', 'sound'], ['absent', 'bowel', 'sound'], ['sound']]
    >>> sorted(_negation_scopes([["absent", "ankle", "reflex"], ["non", "reactive", "pupil"]])[2])
    ['reactive', 'reflex']
    """
    sure: set[str] = set()
    maybe: set[str] = set()
    heads: set[str] = set()
    for terms in clauses:
        for i, term in enumerate(terms):
            if term not in _POLARITY_WORDS:
                continue
            if tuple(terms[i : i + 2]) in _negated_nouns():
                sure.add(terms[i + 1])
                heads.add(terms[i + 1])
                maybe.update(terms[i : i + 2])
                continue
            after = list(takewhile(lambda t: t not in _POLARITY_WORDS, terms[i + 1 :]))
            before = list(takewhile(lambda t: t not in _POLARITY_WORDS, reversed(terms[:i])))
            if before and after[:1] and after[0] in FINDING_PARTICIPLES and term in NEXT_WORD_CUES:
                # "Tinel sign not elicited": what was looked for is denied, the noun phrase before
                sure.update(before[:], after[:1])
                heads.add(before[0])
                maybe.update(terms)
                continue
            scope = (before or after) if term in POSTPOSED_CUES else (after or before)
            sure.update(scope)
            # ``before`` runs backwards from the cue: its first term is the head of what precedes.
            if scope:
                next_word = term in NEXT_WORD_CUES or term == _NEGATING_PREFIX
                heads.add(scope[0] if scope is before or next_word else scope[-1])
            maybe.update(terms)
    return frozenset(sure), frozenset(maybe), frozenset(heads)


# Hyphenated eponyms are looked for in answers up to this long (a phrase or a sentence).
_MAX_NAMED_TEXT = 200


def answer_span(text: str) -> tuple[str, str]:
    """The part of a one-sentence answer that answers, and the evidence it cites.

    >>> answer_span("The most likely diagnosis is osteomyelitis, supported by a raised ESR.")
    ('osteomyelitis', 'The most likely diagnosis is , supported by a raised ESR.')
    >>> answer_span("Given the raised ESR, osteomyelitis")
    (' osteomyelitis', 'Given the raised ESR,')
    >>> answer_span("The drug is sildenafil, a PDE5 inhibitor.")
    ('sildenafil', 'The drug is , a PDE5 inhibitor.')
    >>> answer_span("Osteomyelitis is the most likely diagnosis.")
    ('Osteomyelitis is the most likely diagnosis.', '')
    """
    if NEXT_SENTENCE.search(text) is not None:
        # Several sentences: no one of them is the answer and the rest its evidence (an answer
        # followed by pasted text is judged with all of it).
        return text, ""
    lead = LEADING_CONTEXT.match(text)
    if lead is not None and lead.end() < len(text):
        return text[lead.end() :], text[: lead.end()]
    framing = SUBJECT_VERB.match(text) or EVIDENCE_VERB.match(text) or FRAMING_SUBJECT.match(text)
    if framing is None:
        copula = SUBJECT_COPULA.match(text)
        if copula is not None and not _frames_subject(text[copula.end() :]):
            # "The causative agent is most likely X" answers X; "X is the most likely diagnosis"
            # (framing words only after the copula) answers with its subject.
            framing = copula
    framing = framing or IMPERATIVE.match(text) or RECOMMENDATION.match(text)
    if (
        framing is not None
        and framing.end() < len(text.rstrip(" ."))
        # a result and nothing else says how its subject stands: "Their HIV test was negative"
        # answers with its test
        and not _only_a_result(text[framing.end() :])
    ):
        answer, cited = answer_span(text[framing.end() :])
        return answer, f"{text[: framing.end()]}{cited}"
    marker = CONTEXT_MARKER.search(text)
    if marker is not None and marker.start() > 0:
        return text[: marker.start()], text[marker.start() :]
    return text, ""


def _only_a_result(predicate: str) -> bool:
    """Whether ``predicate`` says a result and nothing else (:data:`RESULT_WORDS`, negation cues):
    "negative", "not raised", "non-reactive"."""
    terms = normalize_tokens(predicate)
    return bool(terms) and all(t in RESULT_WORDS or t in NEGATION_CUES for t in terms)


def _frames_subject(predicate: str) -> bool:
    """Whether the words after a copula leave the subject as the answer: framing words and nothing
    else ("the most likely diagnosis"), or a cue that says how the subject stands ("present", "not",
    "due to ...")."""
    after = FRAMING_AFTER_COPULA.match(predicate)
    if after is None:
        return False
    return after.group(0).split()[-1].lower() not in LIKELIHOOD_WORDS or not normalize_tokens(predicate)


# A name of several people joined by hyphens: "Legg-Calvé-Perthes", "Wolff-Parkinson-White".
_HYPHENATED_NAME = re.compile(r"\b[A-Z][^\W\d_]+(?:[-\u2013][A-Z][^\W\d_]+)+")


def _name_groups(text: str) -> tuple[frozenset[str], ...]:
    groups = [frozenset(normalize_tokens(m.group(0))) for m in _HYPHENATED_NAME.finditer(text)]
    return tuple(g for g in groups if len(g) > 1)


def _is_hedged(text: str, tokens: list[str]) -> bool:
    return text.rstrip().endswith("?") or not HEDGE_CUES.isdisjoint(tokens)


_DEFAULT_LINKER = LexiconLinker()


# A Latin anatomical noun and the adjective after it ("ductus thoracicus", "N. musculocutaneus").
_LATIN_NAME = re.compile(
    r"(?<![\w.])("
    + "|".join(re.escape(head) for head in sorted(LATIN_HEADS, key=len, reverse=True))
    + r")\s+([a-z]+?)("
    + "|".join(ending for ending, _ in LATIN_ADJECTIVE_ENDINGS)
    + r")\b",
    re.IGNORECASE,
)
_LATIN_ENDING = dict(LATIN_ADJECTIVE_ENDINGS)


def english_anatomy(text: str) -> str:
    """``text`` with each Latin anatomical name (a noun of :data:`~medreward.medical.cues.LATIN_HEADS`
    and the adjective after it, of a regular ending) in its English words and order.

    >>> english_anatomy("ductus thoracicus"), english_anatomy("N. musculocutaneus")
    ('thoracic duct', 'musculocutaneous nerve')
    >>> english_anatomy("vena cava")
    'vena cava'
    """

    def english(match: re.Match[str]) -> str:
        head = LATIN_HEADS[match.group(1).casefold()]
        return f"{match.group(2)}{_LATIN_ENDING[match.group(3).casefold()]} {head}"

    return _LATIN_NAME.sub(english, text)


def analyze_text(
    text: str,
    linker: ConceptLinker = _DEFAULT_LINKER,
    context: frozenset[str] = frozenset(),
    context_concepts: frozenset[str] = frozenset(),
    expand: bool = True,
) -> TextAnalysis:
    """Analyse an answer text (a solution or a short reference).

    ``linker`` finds its concepts; ``context`` and ``context_concepts`` (the terms and concepts of
    the reference a solution is judged against) resolve its ambiguous abbreviations. The evidence a
    one-sentence answer cites (:func:`answer_span`) is kept apart as ``context``.
    """
    answer, cited = answer_span(" ".join(text.split()))
    answer = english_anatomy(answer)
    written = _expand_abbreviations(answer, context, context_concepts) if expand else answer
    expanded = canonical_quantities(written)
    tokens = term_tokens(expanded)
    closed = _closed_compounds(expanded, tokens)
    if closed is not expanded:
        expanded, tokens = closed, term_tokens(closed)
    folded = " ".join(tokens)
    # The clauses are normalized together in one pass; the answer's terms are its clauses' terms
    # (the separators are stop words or punctuation, which normalization drops anyway).
    pieces = CLAUSE_BREAK.split(expanded)
    if len(pieces) == 1:  # most answers: one clause, whose tokens are already folded
        one = normalize_folded(tokens)
        clauses: tuple[tuple[str, ...], ...] = (tuple(sorted(one)),) if one else ()
        token_count = len(one)
        term_set = frozenset(one)
        ordered = [one]
    else:
        ordered = _normalize_pieces(pieces)
        clause_terms = _elided_heads([tuple(sorted(g)) for g in ordered if g])
        clauses = tuple(sorted(clause_terms))
        token_count = sum(map(len, clause_terms))
        term_set = frozenset().union(*clause_terms)
    terms = tuple(sorted(term_set))
    negating = tuple(SAME_MEANING.get(t, t) for t in tokens if t in _NEGATING_FORMS)
    denied, in_denial, denied_heads = (
        _negation_scopes(ordered) if negating else (frozenset(), frozenset(), frozenset())
    )
    concepts = linker.link(expanded, folded, terms)
    if len(clauses) > 1 and not load_lexicon().concepts(folded):
        # A compound answer means what its parts mean together, not any one part's concept, unless
        # the whole phrase is a name ("Neonatal jaundice associated with preterm delivery").
        concepts = frozenset()
    return TextAnalysis(
        text=text,
        folded=folded,
        terms=terms,
        term_set=term_set,
        clauses=clauses,
        concepts=concepts,
        token_count=token_count,
        numbers=_numbers(term_set),
        negations=term_set & NEGATION_CUES,
        context=frozenset(normalize_tokens(cited)) - term_set if cited else frozenset(),
        hedged=_is_hedged(answer, tokens),
        abbreviated=written != answer,
        negation_tokens=negating,
        denied=denied,
        denied_heads=denied_heads,
        in_denial=in_denial,
        name_groups=_name_groups(answer) if len(answer) <= _MAX_NAMED_TEXT and "-" in answer else (),
    )


# Joins the passages of a reference so that one fold_text call folds them all; a token that no
# answer uses, so a reference that contains it only gets one more passage boundary.
_PASSAGE_MARK = "0passage0"


def _normalize_pieces(pieces: list[str]) -> list[list[str]]:
    """The content terms of each piece of text, in order, from one normalization pass over all."""
    return _fold_pieces(pieces)[1]


def _fold_pieces(pieces: list[str]) -> tuple[list[list[str]], list[list[str]]]:
    """The folded words and the content terms of each piece of text, in order, from one fold and
    one normalization pass over all (a paragraph's passages: their terms are compared, their words
    looked up as names)."""
    # Split back at the marks by joining and splitting strings (C speed): tokens hold no spaces.
    folded = term_tokens(f" {_PASSAGE_MARK} ".join(pieces))
    words = " ".join(folded)
    terms = " ".join(normalize_folded(folded))
    return (
        [group.split() for group in words.split(_PASSAGE_MARK)],
        [group.split() for group in terms.split(_PASSAGE_MARK)],
    )


def _elided_heads(clauses: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Clauses of numbers only with the words of the clause before ("HPV 16 and 18" is "HPV 16" and
    "HPV 18"): a coordination that leaves its head unsaid means it."""
    filled = list(clauses)
    for i in range(1, len(filled)):
        if all(map(_is_number, filled[i])):
            head = [t for t in filled[i - 1] if not _is_number(t)]
            filled[i] = tuple(sorted({*filled[i], *head}))
    return filled
