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
'opposite: hypothyroidism / hyperthyroidism (Hypothyroidism / Hyperthyroidism)'
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein, Prefix

from medreward.medical.acronyms import acronym_candidates, spell_out
from medreward.medical.cues import (
    CLAUSE_BREAK,
    CONCLUSION_CUE,
    CONTEXT_MARKER,
    CONTRAST_CUE,
    EVIDENCE_VERB,
    EXCLUSION_CUE,
    FAMILIES_OF,
    FRAMING_AFTER_COPULA,
    FRAMING_SUBJECT,
    HEDGE_CUES,
    IMPERATIVE,
    LEADING_CONTEXT,
    NEXT_SENTENCE,
    OPPOSITE_PREFIXES,
    OVER,
    PASSAGE_BREAK,
    RELATIVE_EXCLUSION,
    SENTENCE_BREAK,
    SUBJECT_COPULA,
    SUBJECT_VERB,
)
from medreward.medical.lexicon import Lexicon, load_lexicon
from medreward.medical.linking import ConceptLinker, LexiconLinker
from medreward.medical.normalize import (
    NEGATION_CUES,
    REFUSAL_CUES,
    SAME_MEANING,
    STOP_WORDS,
    fold_text,
    normalize_folded,
    normalize_terms,
    normalize_tokens,
    term_tokens,
    to_arabic_numerals,
)
from medreward.medical.quantities import canonical_quantities
from medreward.medical.questions import is_exception_question

__all__ = [
    "OPPOSITE_PREFIXES",
    "AnswerMatch",
    "AnswerMatcher",
    "ReferenceAnalysis",
    "TextAnalysis",
    "Verdict",
]

Verdict = Literal["exact", "equivalent", "partial", "mismatch", "missing"]


# Tokens that may be abbreviations: a capital, then capitals or digits ("MI", "COPD", "G0", "T4").
# The word boundary is checked after the first capital, so the engine skips to capitals in C.
_ABBREVIATION = re.compile(r"[A-Z](?<=\b[A-Z])[A-Z0-9]+\b")
_DIGIT = re.compile(r"\d")
_NEGATING_PREFIX = "non"
# The words that give an answer its polarity (see _guard), and the forms that normalize to them.
_POLARITY_WORDS = NEGATION_CUES | {_NEGATING_PREFIX}
_NEGATING_FORMS = _POLARITY_WORDS | {word for word, same in SAME_MEANING.items() if same in _POLARITY_WORDS}
# Hyphenated eponyms are looked for in answers up to this long (a phrase or a sentence).
_MAX_NAMED_TEXT = 200
# Negation cues that, in an answer, name a finding rather than deny one ("negative pressure
# ventilation", "Gram-negative bacilli"): against a long reference that uses them too, they are
# terms like any other.
_NOT_A_DENIAL = frozenset({"negative"})

# How strongly a long reference asserts what a passage says, by the sentence it is in: a sentence
# with a conclusion cue states the answer; the first sentence usually does; the last often sums up.
# A passage with an exclusion cue asserts nothing: its terms count against the solution instead.
CONCLUSION_WEIGHT = 1.0
FIRST_SENTENCE_WEIGHT = 0.8
LAST_SENTENCE_WEIGHT = 0.7
OTHER_SENTENCE_WEIGHT = 0.45
# Later passages of one sentence weigh a little less ("X, which causes Y": X is the answer).
PASSAGE_DECAY = 0.03
# Terms spread over several passages of one sentence ("X with Y") count, at this share.
SENTENCE_SHARE = 0.75
# The share of an excluded mention, beyond the best positive one, taken off the support.
EXCLUSION_PENALTY = 0.5
# How much a passage's recall counts against its precision (F-beta): a solution must cover the
# passage's content (its terms beyond the question's), not only be contained in it.
RECALL_BETA = 0.3

# The shortest word whose lexicon concepts are looked up on its own ("bruise" / "contusion").
_MIN_CONCEPT_WORD = 4
# The least weight a term carries (specificity can be 0 for the commonest words).
_MIN_WEIGHT = 0.05
# A more specific answer adds at most this many qualifiers: more is a different answer, or stuffing.
_MAX_QUALIFIERS = 2
# A less specific answer must carry at least this share of the reference's weight.
_MIN_BROADER_RECALL = 0.5

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


# How verdicts rank, for choosing the better of two readings (similarity breaks ties within one).
_RANK: dict[str, float] = {"exact": 4.0, "equivalent": 4.0, "partial": 2.0, "mismatch": 1.0, "missing": 0.0}


def _fuzzy_pool(answer: TextAnalysis) -> tuple[str, ...]:
    """Terms of at least five letters, for spelling-tolerant lookups, in the order of answer.terms
    (sorted): ties between equally similar candidates break alike."""
    return tuple([t for t in answer.terms if len(t) >= 5 and t not in answer.numbers])


def _may_abbreviate(text: str) -> bool:
    """Whether abbreviation expansion may change ``text``: capitals, dots between letters, or one
    short token."""
    return (
        _ABBREVIATION.search(text) is not None or _DOTTED.search(text) is not None or len(text.split()) == 1
    )


# How far up a vocabulary's hierarchy a more or less specific answer may be.
_HIERARCHY_DEPTH = 3
# The id prefix of WordNet's concepts: a lay vocabulary, below the clinical ones in authority.
_LAY_SOURCE = "WN:"


@lru_cache(maxsize=65_536)
def _ancestors(cid: str) -> frozenset[str]:
    return load_lexicon().ancestors(cid, _HIERARCHY_DEPTH)


def _lineage(solution: frozenset[str], reference: frozenset[str]) -> str | None:
    """``"narrower"`` when a solution concept sits below a reference concept in a vocabulary's
    hierarchy ("acute pancreatitis" under "pancreatitis"), ``"broader"`` when above, else ``None``."""
    if not solution or not reference:
        return None
    # The clinical vocabularies take precedence: where both answers have clinical concepts, WordNet's
    # lay taxonomy (German measles under measles) is not consulted.
    clinical_solution = frozenset(c for c in solution if not c.startswith(_LAY_SOURCE))
    clinical_reference = frozenset(c for c in reference if not c.startswith(_LAY_SOURCE))
    if clinical_solution and clinical_reference:
        solution, reference = clinical_solution, clinical_reference
    if any(_ancestors(c) & reference for c in sorted(solution)):
        return "narrower"
    if any(_ancestors(c) & solution for c in sorted(reference)):
        return "broader"
    return None


@lru_cache(maxsize=65_536)
def _ancestor_names(cid: str) -> tuple[frozenset[str], ...]:
    """The terms of the preferred name of each concept above ``cid`` (:data:`_HIERARCHY_DEPTH`)."""
    lexicon = load_lexicon()
    names = (lexicon.preferred_name(a) for a in sorted(_ancestors(cid)))
    return tuple(frozenset(normalize_tokens(name)) for name in names if name)


def _named_lineage(solution: TextAnalysis, reference: TextAnalysis) -> str | None:
    """:func:`_lineage` for an answer the lexicon does not know as a whole: ``"narrower"`` when a
    solution concept sits below a concept whose name holds every term of the reference ("Colles
    fracture" under "Fracture of lower end of radius", so below "Fracture of the radius"),
    ``"broader"`` the other way round, else ``None``."""
    if solution.concepts and not reference.concepts and reference.term_set:
        terms = reference.term_set
        if any(terms <= name for c in sorted(solution.concepts) for name in _ancestor_names(c)):
            return "narrower"
    if reference.concepts and not solution.concepts and solution.term_set:
        terms = solution.term_set
        if any(terms <= name for c in sorted(reference.concepts) for name in _ancestor_names(c)):
            return "broader"
    return None


# Texts quoted in guard messages are cut to this many characters.
_QUOTED_CHARS = 60


def _quoted(text: str) -> str:
    """``text`` as a guard message quotes it: one line, at most :data:`_QUOTED_CHARS` characters."""
    text = " ".join(text.split())
    return text if len(text) <= _QUOTED_CHARS else text[: _QUOTED_CHARS - 3] + "..."


def _sources(concepts: frozenset[str]) -> frozenset[str]:
    """The vocabularies the concept ids come from: "ICD10CM:K85.9" -> "ICD10CM"."""
    return frozenset(c.partition(":")[0] for c in concepts)


def _is_number(term: str) -> bool:
    """A number ("5", "b12", "0.5") or a designating letter ("B" of "hepatitis B", a capital token)."""
    return (not term.isalpha() and _DIGIT.search(term) is not None) or (len(term) == 1 and term.isupper())


def _numbers(terms: frozenset[str], text: str | None = None) -> frozenset[str]:
    """The terms with a digit ("5", "b12", "0.5"); most texts have none, which one search tells.

    ``text``, when given, is the text the terms were normalized from: normalization adds no digit,
    so a text without one has no number, and the terms need not be joined to tell.
    """
    designators = frozenset(t for t in terms if len(t) == 1 and t.isupper())
    if _DIGIT.search(" ".join(terms) if text is None else text) is None:
        return designators
    return designators | frozenset(t for t in [t for t in terms if not t.isalpha()] if _DIGIT.search(t))


# An abbreviation written with dots: "D.V.T.", "r.s.v." (two or more letters, each followed by a dot).
_DOTTED = re.compile(r"(?<![A-Za-z.])(?:[A-Za-z]\.){2,}(?:[A-Za-z](?![A-Za-z.]))?")
_DOTTED_PRECHECK = re.compile(r"\.[A-Za-z]\.")
# The longest answer that may be an abbreviation written in lower case ("copd", "dvt").
_MAX_ABBREVIATION = 8


def _undot(text: str) -> str:
    """Dotted abbreviations in capitals without their dots: "R.S.V." -> "RSV"."""
    if _DOTTED_PRECHECK.search(text) is None:  # most texts: no "x.y." at all, found by a literal scan
        return text
    return _DOTTED.sub(lambda m: m.group(0).replace(".", "").upper(), text)


# An abbreviation is read in the sense its context names only in a short answer (a phrase): in a
# long text, which words go with it is unclear, and the lookups cost.
_MAX_SENSE_TEXT = 80


@lru_cache(maxsize=4096)
def _senses(expansions: tuple[str, ...]) -> tuple[str, ...]:
    """An abbreviation's expansions, one per sense: two expansions that name one lexicon concept, or
    whose terms nest ("gastroesophageal reflux" in "gastroesophageal reflux disease"), are one sense,
    written as its longest expansion of the same concept, else its shortest (STEMI is "ST elevation
    myocardial infarction", not one of its ICD-10-CM sites). GERD is not ambiguous; MS (multiple
    sclerosis, mitral stenosis) is."""
    if len(expansions) < 2:
        return expansions
    lexicon = load_lexicon()
    senses: list[tuple[str, frozenset[str], frozenset[str]]] = []
    for expansion in sorted(expansions, key=len):
        terms = frozenset(normalize_tokens(expansion))
        concepts = lexicon.concepts(fold_text(expansion))
        for i, (_, kept, known) in enumerate(senses):
            if concepts & known:  # a longer name of the same concept names the sense
                senses[i] = (expansion, kept, known | concepts)
                break
            if kept <= terms:  # a narrower form of the sense ("STEMI of anterior wall")
                break
        else:
            senses.append((expansion, terms, concepts))
    # In the lexicon's order (its first expansion is its commonest sense).
    kept_names = {name for name, _, _ in senses}
    return tuple(e for e in expansions if e in kept_names) if len(senses) > 1 else (senses[0][0],)


# A context concept that names nothing: marks a reference analysed in a solution's context.
_NO_CONCEPT = frozenset({""})


def has_ambiguous_abbreviation(text: str) -> bool:
    """Whether ``text`` still holds an abbreviation of several senses (left as written)."""
    lexicon = load_lexicon()
    return any(
        len(_senses(lexicon.expand_abbreviation(m.group(0), case_sensitive=True))) > 1
        for m in _ABBREVIATION.finditer(text)
    )


# A short lower-case word of a short answer that may be an abbreviation written small ("av node").
_LOWER_ABBREVIATION = re.compile(r"\b[a-z]{2,4}\b")


def _capitalized(word: str, lexicon: Lexicon, context: frozenset[str]) -> str:
    """``word`` in capitals when it is an abbreviation: no stop word, and either no word of the
    lexicon's names ("lp") or one whose expansion the ``context`` (the other answer's terms) says in
    full ("av node" against "atrioventricular node", "peg tube" against "percutaneous endoscopic
    gastrostomy"; not "vein" or "and")."""
    if word in STOP_WORDS or word in NEGATION_CUES:
        return word
    expansions = lexicon.expand_abbreviation(word)
    if not expansions:
        return word
    if lexicon.uses(word) or lexicon.concepts(word):
        said = context and any(context.issuperset(normalize_tokens(e)) for e in expansions)
        return word.upper() if said else word
    return word.upper()


def _expand_abbreviations(
    text: str, context: frozenset[str] = frozenset(), context_concepts: frozenset[str] = frozenset()
) -> str:
    """``text`` with each abbreviation, written in capitals, replaced by its expansion.

    "Acute MI" reads as "Acute myocardial infarction"; an in-text definition, "myocardial
    infarction (MI)", then repeats the same terms. An ambiguous abbreviation (MS: multiple
    sclerosis or mitral stenosis) is resolved from context: expanded only when exactly one of its
    expansions has all its terms in ``context`` (the reference, or the text itself) or names one
    of ``context_concepts`` (the reference's), and otherwise left as it is: no single expansion can
    be trusted. An answer that is one token in any case ("copd", "R.S.V.") is read as the
    abbreviation it spells, unless the token is itself a lexicon form.
    """
    text = to_arabic_numerals(_undot(text))
    lexicon = load_lexicon()
    alone = text.strip(" .!?\"'")
    if (
        alone.isalnum()
        and 2 <= len(alone) <= _MAX_ABBREVIATION
        and not alone.isupper()
        and not lexicon.concepts(alone.casefold())
        and lexicon.expand_abbreviation(alone)
    ):
        text = alone.upper()
    elif len(text) <= _MAX_SENSE_TEXT and not text.isupper():
        text = _LOWER_ABBREVIATION.sub(lambda m: _capitalized(m.group(0), lexicon, context), text)
    if _ABBREVIATION.search(text) is None:  # most answers: no token of two capitals
        return text
    own: frozenset[str] | None = None

    def expand(match: re.Match[str]) -> str:
        nonlocal own
        token = match.group(0)
        if not token.isupper():
            return token
        expansions = _senses(lexicon.expand_abbreviation(token, case_sensitive=True))
        if len(expansions) == 1:
            return expansions[0]
        if not expansions:
            return token
        if own is None:
            own = context | frozenset(normalize_tokens(text))
        supported = [
            e
            for e in expansions
            if own.issuperset(normalize_tokens(e)) or lexicon.concepts(e) & context_concepts
        ]
        if len(supported) == 1:
            return supported[0]
        if supported or not (context or context_concepts) or len(text) > _MAX_SENSE_TEXT:
            return token
        # The sense that makes the whole text name a context concept ("high BP" as "high blood
        # pressure", hypertension), else the one most of whose terms the context holds.
        start, end = match.span()
        naming = [
            e
            for e in expansions
            if lexicon.concepts(" ".join(term_tokens(f"{text[:start]}{e}{text[end:]}"))) & context_concepts
        ]
        if len(naming) == 1:
            return naming[0]
        shares = sorted(
            ((len(own & set(terms)) / len(terms), e) for e in expansions if (terms := normalize_tokens(e))),
            reverse=True,
        )
        if shares and shares[0][0] >= 0.5 and (len(shares) == 1 or shares[1][0] < shares[0][0]):
            return shares[0][1]
        return token

    return _ABBREVIATION.sub(expand, text)


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
    # The terms of each hyphenated name of several people ("Legg-Calve-Perthes"): any one of them
    # names the eponym ("Perthes disease").
    name_groups: tuple[frozenset[str], ...] = ()


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
        if copula is not None and not FRAMING_AFTER_COPULA.match(text, copula.end()):
            framing = copula
    framing = framing or IMPERATIVE.match(text)
    if framing is not None and framing.end() < len(text.rstrip(" .")):
        answer, cited = answer_span(text[framing.end() :])
        return answer, f"{text[: framing.end()]}{cited}"
    marker = CONTEXT_MARKER.search(text)
    if marker is not None and marker.start() > 0:
        return text[: marker.start()], text[marker.start() :]
    return text, ""


# A name of several people joined by hyphens: "Legg-Calvé-Perthes", "Wolff-Parkinson-White".
_HYPHENATED_NAME = re.compile(r"\b[A-Z][^\W\d_]+(?:[-\u2013][A-Z][^\W\d_]+)+")


def _name_groups(text: str) -> tuple[frozenset[str], ...]:
    groups = [frozenset(normalize_tokens(m.group(0))) for m in _HYPHENATED_NAME.finditer(text)]
    return tuple(g for g in groups if len(g) > 1)


def _is_hedged(text: str, tokens: list[str]) -> bool:
    return text.rstrip().endswith("?") or not HEDGE_CUES.isdisjoint(tokens)


_DEFAULT_LINKER = LexiconLinker()


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
    else:
        clause_terms = _elided_heads(_grouped_terms(pieces))
        clauses = tuple(sorted(clause_terms))
        token_count = sum(map(len, clause_terms))
        term_set = frozenset().union(*clause_terms)
    terms = tuple(sorted(term_set))
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
        numbers=_numbers(term_set, folded),
        negations=term_set & NEGATION_CUES,
        context=frozenset(normalize_tokens(cited)) - term_set if cited else frozenset(),
        hedged=_is_hedged(answer, tokens),
        abbreviated=written != answer,
        negation_tokens=tuple(SAME_MEANING.get(t, t) for t in tokens if t in _NEGATING_FORMS),
        name_groups=_name_groups(answer) if len(answer) <= _MAX_NAMED_TEXT and "-" in answer else (),
    )


def _closed_compounds(text: str, tokens: list[str]) -> str:
    """``text`` with two words written apart (or hyphenated) joined where the lexicon names the one
    word and not the two ("chicken pox" -> "chickenpox", "ear-ache" -> "earache"): spacing is no
    difference. ``text`` itself (the same object) when nothing is joined."""
    if not 2 <= len(tokens) <= _MAX_ALIGNED_TOKENS:
        return text
    lexicon = load_lexicon()
    joined = text
    for head, tail in itertools.pairwise(tokens):
        if len(head) < _MIN_PART or len(tail) < _MIN_PART or not (head.isalpha() and tail.isalpha()):
            continue
        if lexicon.concepts(head + tail) and not lexicon.concepts(f"{head} {tail}"):
            joined = re.sub(rf"\b{head}[\s-]+{tail}\b", head + tail, joined, flags=re.IGNORECASE)
    return joined if joined != text else text


# The shortest word part that respacing may split off or join: "gall" + "bladder", not "a" + "typical".
_MIN_PART = 3


def _joinable(head: str, tail: str) -> bool:
    """Whether ``head`` + ``tail`` may be one word spaced two ways: word parts of at least
    :data:`_MIN_PART` letters or a word and a number ("lkm" + "2"), never two numbers ("4" + "0")."""
    if head[-1].isdigit():
        return tail.isalpha() and len(tail) >= _MIN_PART and head.isdigit()
    if tail[0].isdigit():
        return tail.isdigit() and head.isalpha() and len(head) >= _MIN_PART
    return head.isalpha() and tail.isalpha() and len(head) >= _MIN_PART and len(tail) >= _MIN_PART


# Derivational endings ("perforat-or", "perforat-ing"; "hypertens-ion", "hypertens-ive"): two terms
# that share a stem of at least _MIN_STEM letters before one of them are derivations of one word.
_DERIVATIONAL_ENDINGS = (
    "ation", "ative", "atory", "ator", "ating", "ated", "ate", "ion", "ive", "ory", "ing", "ed", "or", "e",
    "graphy", "graph", "gram", "scopy", "scope",
)  # fmt: skip
# Shorter stems conflate words ("posit-ive" / "posit-ion", "relat-ive" / "relat-ion").
_MIN_STEM = 6


@lru_cache(maxsize=65_536)
def _stems(term: str) -> frozenset[str]:
    """``term`` and every stem left by one derivational ending: "perforator" -> perforator, perforat,
    perfor."""
    return frozenset(
        (
            term,
            *(
                term[: -len(e)]
                for e in _DERIVATIONAL_ENDINGS
                if term.endswith(e) and len(term) - len(e) >= _MIN_STEM
            ),
        )
    )


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


# The longest phrase, in words, that concept alignment looks up as one name.
_MAX_PHRASE = 5
# The most words of an answer that concept alignment reads (a sentence, not a paragraph).
_MAX_ALIGNED_TOKENS = 16


def _phrase_concepts(tokens: list[str], linker: ConceptLinker) -> list[tuple[int, int, frozenset[str]]]:
    """The phrases of ``tokens`` (folded words) that ``linker`` links to concepts, longest first.

    Each is ``(start, end, concepts)``; a phrase inside a longer named phrase is not listed ("heat
    stroke" is one name, not "heat" and "stroke"). A single word must have
    :data:`_MIN_CONCEPT_WORD` letters.
    """
    found: list[tuple[int, int, frozenset[str]]] = []
    taken = [False] * len(tokens)
    for size in range(min(_MAX_PHRASE, len(tokens)), 0, -1):
        for start in range(len(tokens) - size + 1):
            end = start + size
            if any(taken[start:end]):
                continue
            words = tokens[start:end]
            if size == 1 and (len(words[0]) < _MIN_CONCEPT_WORD or not words[0].isalpha()):
                continue
            if words[0] in STOP_WORDS or words[-1] in STOP_WORDS:
                continue
            terms = tuple(sorted(set(normalize_folded(words))))
            phrase = " ".join(words)
            concepts = linker.link(phrase, phrase, terms) if terms else frozenset()
            if concepts:
                found.append((start, end, concepts))
                taken[start:end] = [True] * size
    return found


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


# The fewest letters of a word cut short ("staph", "diff") that name the reference's word.
_MIN_TRUNCATED = 4


def _completed(word: str, reference_terms: frozenset[str]) -> str | None:
    """The one reference term that ``word`` cuts short ("staph" -> "staphylococcus"), or ``None``."""
    if len(word) < _MIN_TRUNCATED or not word.isalpha():
        return None
    longer = [t for t in reference_terms if len(t) > len(word) + 1 and t.startswith(word)]
    return longer[0] if len(longer) == 1 else None


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


# Passage((terms, sentence, weight, excluded)) without the Python-level __new__ of a NamedTuple: a
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


# Joins the passages of a reference so that one fold_text call folds them all; a token that no
# answer uses, so a reference that contains it only gets one more passage boundary.
_PASSAGE_MARK = "0passage0"


def _normalize_pieces(pieces: list[str]) -> list[list[str]]:
    """The content terms of each piece of text, in order, from one normalization pass over all."""
    # The terms are split back at the marks by joining and splitting strings (C speed): terms hold
    # no spaces.
    terms = " ".join(normalize_tokens(f" {_PASSAGE_MARK} ".join(pieces)))
    return [group.split() for group in terms.split(_PASSAGE_MARK)]


def _grouped_terms(pieces: list[str]) -> list[tuple[str, ...]]:
    """The sorted content terms of each piece of text that has any."""
    return [tuple(sorted(g)) for g in _normalize_pieces(pieces) if g]


def _elided_heads(clauses: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Clauses of numbers only with the words of the clause before ("HPV 16 and 18" is "HPV 16" and
    "HPV 18"): a coordination that leaves its head unsaid means it."""
    filled = list(clauses)
    for i in range(1, len(filled)):
        if all(map(_is_number, filled[i])):
            head = [t for t in filled[i - 1] if not _is_number(t)]
            filled[i] = tuple(sorted({*filled[i], *head}))
    return filled


# The end of a sentence that opens a numbered list: "the findings would include: 1" (the sentence
# break falls after the item number).
_LIST_OPENING = re.compile(r":\s*1$")


def _list_items(sentences: list[str]) -> dict[int, int]:
    """Numbered list items among ``sentences``: each item's index -> the index of the sentence that
    opens its list. Drops the item numbers from ``sentences`` (in place): "... include: 1" becomes
    "... include:", and the lone numbers "2", "3" between items are removed."""
    kept: list[str] = []
    introduced_by: dict[int, int] = {}
    opening = -1  # the sentence that opened the current list; -1 outside a list
    item_next = False  # whether the next sentence follows an item number
    for sentence in sentences:
        stripped = sentence.strip()
        if opening >= 0 and len(stripped) <= 2 and stripped.isdigit():
            item_next = True
            continue
        if item_next:
            introduced_by[len(kept)] = opening
        else:
            opening = -1
        item_next = False
        match = _LIST_OPENING.search(stripped)
        if match is not None:
            sentence = stripped[: match.start() + 1]
            opening = len(kept)
            item_next = True
        kept.append(sentence)
    sentences[:] = kept
    return introduced_by


def _passages(
    text: str, exception: bool = False
) -> tuple[tuple[Passage, ...], tuple[tuple[frozenset[str], float], ...], int]:
    """The weighted passages of a long reference, each sentence's asserted terms and weight, and the
    number of content tokens.

    ``exception``: the reference answers an exception question ("which is NOT ..."), where a
    negation states the answer; only contrasts (:data:`CONTRAST_CUE`) exclude.
    """
    cue = CONTRAST_CUE if exception else EXCLUSION_CUE
    sentences = [s for s in SENTENCE_BREAK.split(text.lower()) if s and not s.isspace()]
    # A numbered list ("would include: 1. X. 2. Y."): its items say what the sentence before it
    # introduces, and weigh as much.
    introduced_by = _list_items(sentences) if ": 1" in text else {}
    last = len(sentences) - 1
    # Each sentence's index, weight and, for each of its passages, whether it is excluded.
    layout: list[tuple[int, float, list[bool]]] = []
    pieces: list[str] = []
    weights: list[float] = []
    for index, sentence in enumerate(sentences):
        spaced = " " + sentence
        if CONCLUSION_CUE.search(spaced):
            weight = CONCLUSION_WEIGHT
        elif index == 0:
            weight = FIRST_SENTENCE_WEIGHT
        elif index == last:
            weight = LAST_SENTENCE_WEIGHT
        else:
            weight = OTHER_SENTENCE_WEIGHT
        if index in introduced_by:
            weight = max(weight, weights[introduced_by[index]])
        weights.append(weight)
        parts = [part for part in PASSAGE_BREAK.split(sentence) if part and not part.isspace()]
        # Most sentences exclude nothing: one search tells, before any passage is searched.
        excluding = cue.search(spaced) is not None
        if excluding or "over" in sentence:
            excluded = [_excludes(part, cue if excluding else None) for part in parts]
        else:
            excluded = [False] * len(parts)
        layout.append((index, weight, excluded))
        pieces += parts
    # One fold and one normalization pass for the whole reference (the hot path of a GRPO batch).
    groups = iter(_normalize_pieces(pieces))
    passages: list[Passage] = []
    # Each sentence's asserted terms, and its weight.
    sentence_terms: list[tuple[frozenset[str], float]] = []
    token_count = 0
    for index, weight, flags in layout:
        position = 0
        asserted: list[str] = []
        for is_excluded, tokens in zip(flags, groups):
            if not tokens:
                continue
            token_count += len(tokens)
            passages.append(
                _passage((frozenset(tokens), index, weight * (1.0 - PASSAGE_DECAY * position), is_excluded))
            )
            position += 1
            if not is_excluded:
                asserted += tokens
        if asserted:
            sentence_terms.append((frozenset(asserted), weight))
    return tuple(passages), tuple(sentence_terms), token_count


def _excludes(part: str, cue: re.Pattern[str] | None) -> bool:
    """Whether a passage names something only to set it aside: it opens with "over" ("... over an
    ACL tear"), or has an exclusion ``cue`` (``None``: its sentence has none) outside a relative
    clause."""
    if "over" in part[:6] and OVER.match(part) is not None:
        return True
    if cue is None:
        return False
    spaced = " " + part
    return cue.search(spaced) is not None and RELATIVE_EXCLUSION.search(spaced) is None


def _support(hits: list[tuple[str, float]], total: float, reference: ReferenceAnalysis) -> float:
    """How strongly a long reference asserts a solution, in [-0.5, 1].

    ``hits`` pairs each solution term found in the reference (as the reference writes it) with the
    term's weight (its specificity: "estradiol" counts more than "serum"), ``total`` is the weight
    of all the solution's terms. The support is the best weighted share of the solution in one
    asserted passage (or, at :data:`SENTENCE_SHARE`, one sentence), less
    :data:`EXCLUSION_PENALTY` times the share the reference only excludes beyond that: naming an
    option the reference rules out costs, and listing several candidates (a low share in any one
    passage) pays less than committing to one.
    """
    if not hits:
        return 0.0
    hit_weights: dict[str, float] = {}
    for hit, w in hits:
        hit_weights[hit] = hit_weights.get(hit, 0.0) + w
    found = hit_weights.items()
    keys = hit_weights.keys()
    best = 0.0
    worst = 0.0
    # A solution has a few terms and a reference a dozen passages: checking each passage for each
    # hit is cheaper than an inverted index that every reference would have to build. Most passages
    # have none of the hits, which one set operation in C tells.
    for passage, content in zip(reference.passages, reference.passage_content):
        terms = passage.terms
        if terms.isdisjoint(keys):
            continue
        weight = sum([w for term, w in found if term in terms])
        if weight:
            if passage.excluded:
                worst = max(worst, weight / total)
            else:
                best = max(
                    best, _f_score(weight / total, weight / content if content else 1.0) * passage.weight
                )
    for (terms, sentence_weight), content in zip(reference.sentences, reference.sentence_content):
        if terms.isdisjoint(keys):
            continue
        weight = sum([w for term, w in found if term in terms])
        if weight:
            recall = weight / content if content else 1.0
            best = max(best, SENTENCE_SHARE * sentence_weight * _f_score(weight / total, recall))
    return best - EXCLUSION_PENALTY * max(0.0, worst - best)


def _f_score(precision: float, recall: float) -> float:
    """F-beta of a passage's support, leaning on precision (:data:`RECALL_BETA`): a concise answer
    inside a longer passage still scores, one generic word of a passage does not."""
    recall = min(1.0, recall)
    if not precision or not recall:
        return 0.0
    beta2 = RECALL_BETA * RECALL_BETA
    return (1 + beta2) * precision * recall / (beta2 * precision + recall)


def _clause_support(
    solution: TextAnalysis, found: dict[str, tuple[str | None, float, float]], reference: ReferenceAnalysis
) -> float:
    """The support of a compound solution: each clause's own support, averaged by clause weight.

    "Decreased estradiol and increased LH" is supported only where the reference says both:
    judged as one bag of terms, it would be as well supported by "increased estradiol and
    decreased LH" (the same terms), or by a reference that says the opposite of each clause.
    ``found`` maps each solution term to the reference term it matched (or ``None``), its weight as
    evidence and its whole weight: a clause of the question's words weighs in the average and in its
    own precision, and supports nothing (pasting the question beside the answer dilutes it).
    """
    weighted = 0.0
    total = 0.0
    for clause in solution.clauses:
        clause_total = sum(found[term][2] for term in clause)
        hits = [(hit, w) for hit, w, _ in map(found.__getitem__, clause) if hit is not None]
        weighted += _support(hits, clause_total, reference) * clause_total
        total += clause_total
    return weighted / total if total else 0.0


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
        0.88, gt=0.0, le=1.0, description="normalized Levenshtein similarity at which two terms match"
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
        0.04,
        ge=0.0,
        le=1.0,
        description="the least strength of a mismatch whose committed answer names a lexicon concept (of "
        "the mismatch score's range): a wrong but specific answer ranks above boilerplate, hedges and "
        "restated questions, and below any near miss",
    )

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
        passages, sentences, token_count = _passages(expanded, exception)
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
                numbers=_numbers(term_set, expanded),
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
            # Each distinct term's weight once; summed in sorted order (a float sum must not depend
            # on set order, which differs between processes).
            specificity = load_lexicon().specificity
            weights = {t: max(specificity(t), _MIN_WEIGHT) for t in term_set - question_terms}

            def content(terms: frozenset[str]) -> float:
                return sum([weights[t] for t in sorted(terms & weights.keys())])

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
            named_phrases={} if is_long else named_phrases(answer, self.linker),
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
        for candidate, _, _ in process.extract(
            term,
            reference.fuzzy_pool,
            scorer=Levenshtein.normalized_similarity,
            score_cutoff=self.fuzzy_term_similarity,
            limit=3,
        ):
            if candidate not in forbidden and not _two_words(term, str(candidate)):
                return str(candidate)
        if len(term) <= _MIN_STEM:
            return None
        # Another derivation of the same stem: "perforator" / "perforating", "hypertensive" /
        # "hypertension". The candidates share at least the stem's letters at the start.
        stems = _stems(term)
        for candidate, _, _ in process.extract(
            term, reference.fuzzy_pool, scorer=Prefix.similarity, score_cutoff=_MIN_STEM, limit=5
        ):
            if candidate not in forbidden and stems & _stems(candidate):
                return str(candidate)
        return None

    def _guard(self, solution: TextAnalysis, reference: ReferenceAnalysis, related: bool) -> str | None:
        """Why ``solution`` contradicts the reference (negated, opposite, another number, another
        concept, rearranged), or ``None``. ``related``: the two answers are one above the other in a
        vocabulary's hierarchy, or one's terms hold all of the other's and the lexicon knows only one
        of them: evidence of one line of concepts, not of two."""
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
            if refused or (
                len(denials) % 2 != len(ref_denials) % 2
                and (denials or solution.term_set >= (ref.term_set - _POLARITY_WORDS))
            ):
                cue = (denials or ref_denials)[0]
                side = "solution" if denials else "reference"
                return f"negation: {cue} ({side}: {_quoted((solution if denials else ref).text)})"
        # A number that qualifies every word of a reference without numbers names a subtype of it
        # ("Type 2 diabetes mellitus" for "Diabetes mellitus"), not another number.
        subtype = not reference.is_long and not ref.numbers and solution.term_set > ref.term_set
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
            variants = _opposite_variants(term, not reference.is_long)
            counterpart = next((v for v in variants if v in ref.term_set), None)
            if counterpart is not None:
                return f"opposite: {term} / {counterpart} ({_quoted(solution.text)} / {_quoted(ref.text)})"
            if _is_number(term) and term not in ref.numbers and not subtype:
                return f"number: {term} not in reference"
            if not reference.is_long:
                for family in FAMILIES_OF.get(term, ()):
                    other = sorted((family & ref.term_set) - solution.term_set)
                    if other:
                        return f"qualifier: {term} / {other[0]}"
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
        weight = max(load_lexicon().specificity(term), _MIN_WEIGHT)
        if term not in reference.question_terms:
            return weight
        return weight * (self.long_question_weight if reference.is_long else self.question_weight)

    def compare(self, solution: str | None, reference: ReferenceAnalysis) -> AnswerMatch:
        """Judge ``solution`` (``None`` when the completion has none) against an analysed reference:
        the better of the judgement with abbreviations expanded and, where either side has one, as
        written (see :meth:`_compare`)."""
        match = self._compare(solution, reference, expand=True)
        if solution is None or reference.is_long or match.verdict in ("exact", "equivalent", "missing"):
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

    def _spelled_out(self, solution: str, reference: ReferenceAnalysis) -> AnswerMatch | None:
        """The judgement with each acronym of one answer that the other spells out read as those
        words ("MMA" / "middle meningeal artery", :func:`~medreward.medical.acronyms.spell_out`), or
        ``None`` when neither has one. Two-letter acronyms that the lexicon knows keep their senses
        ("PE" never spells "pulmonary edema")."""
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

        new_solution = spell_out(solution, reference.text, known, names, listed)
        new_reference = spell_out(reference.text, solution, known, names, listed)
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
        same_terms = sol.term_set == ref.term_set and (len(ref.clauses) <= 1 or sol.clauses == ref.clauses)
        if committed and (same_terms or sol.concepts & ref.concepts):
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
            None if reference.is_long else _lineage(sol.concepts, ref.concepts) or _named_lineage(sol, ref)
        )
        nested = not reference.is_long and (
            ref.term_set <= hit_set or all(hit is not None for _, hit in judged)
        )
        # A related form of the other's concept (looked up once: the guard and the similarity use it).
        related_form = not reference.is_long and _related(sol, reference)
        # Words nested in each other relate two answers unless the lexicon knows both as concepts
        # that its hierarchy does not relate ("measles" / "German measles").
        related = lineage is not None or (nested and not (sol.concepts and ref.concepts)) or related_form
        guard = self._guard(sol, reference, related)
        if guard is not None:
            return AnswerMatch("mismatch", 0.0, sol.terms, (), guard, concepts)
        weight = partial(self._weight, reference=reference)
        if judged and all(t in reference.question_terms for t, _ in judged):
            # Nothing beyond the question's own words: a restated question, not an answer.
            return AnswerMatch(
                "mismatch", 0.0, sol.terms, matched, "echo: only the question's words", concepts
            )
        if reference.is_long:
            weights = [weight(term) for term in sol.terms]
            specificity = load_lexicon().specificity
            totals = [max(specificity(term), _MIN_WEIGHT) for term in sol.terms]
            if len(sol.clauses) > 1:
                support = _clause_support(sol, dict(zip(sol.terms, zip(found, weights, totals))), reference)
            else:
                hits = [(hit, w) for hit, w in zip(found, weights) if hit is not None]
                support = _support(hits, sum(totals), reference)
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
            if lineage == "narrower":
                similarity = max(similarity, self.narrower_similarity)
            elif lineage == "broader":
                similarity = max(similarity, self.broader_similarity)
            elif ref.term_set <= hit_set and 0 < extra <= _MAX_QUALIFIERS and len(sol.clauses) <= 1:
                similarity = max(similarity, self.narrower_similarity)  # a more specific answer
            elif extra == 0 and recall >= _MIN_BROADER_RECALL:
                # A less specific answer: most of the reference's weight.
                similarity = max(similarity, self.broader_similarity)
            elif extra == 0 and len(sol.clauses) <= 1 and _names_a_concept(sol, self.linker):
                # A lexicon concept the reference qualifies ("multiple sclerosis" for
                # "relapsing-remitting multiple sclerosis"), or words of the reference around one:
                # from min_similarity up to broader_similarity with the share of the reference's
                # weight it says, so that saying more of the reference never scores less.
                share = recall / _MIN_BROADER_RECALL
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
            strength = min(1.0, similarity / threshold)
            spammed = repeated or sol.token_count > 2 * len(sol.term_set) + 1
            if sol.concepts and not hedged and not spammed:
                # A committed answer that names one medical concept is a wrong answer, not nonsense:
                # a little above boilerplate, hedges, lists and restated questions.
                strength = max(strength, self.named_concept_strength)
            return AnswerMatch("mismatch", similarity, sol.terms, matched, None, concepts, strength)
        strength = 1.0 if threshold >= 1.0 else (similarity - threshold) / (1.0 - threshold)
        return AnswerMatch("partial", similarity, sol.terms, matched, None, concepts, min(1.0, strength))
