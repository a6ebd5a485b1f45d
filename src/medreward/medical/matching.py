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
from functools import lru_cache, partial
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein, Prefix

from medreward.medical.lexicon import load_lexicon
from medreward.medical.linking import ConceptLinker, LexiconLinker
from medreward.medical.normalize import NEGATION_CUES, normalize_folded, normalize_tokens, term_tokens
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
# Consumes the end mark itself. The pattern starts with one character class (each alternative is
# then told apart by a lookbehind), which lets the engine skip to the next candidate in C.
_SENTENCE_BREAK = re.compile(r"[.!?\n](?:(?<=[.!?])[\"'\u201d\u2019)\]]*\s+|(?<=\n)\n*)")
# The cue patterns below are lowercase and case-sensitive: _passages lowercases the reference
# once, which makes each search about three times faster than re.IGNORECASE. Each starts with the
# characters that can end the word before a cue (a word boundary that the engine can skip to, unlike
# \b), and is searched in the text with a space in front: three times faster again.
_CUE_START = "[ (\\[/\"'\u201c\u2018\u2013\u2014-]"
# Sentence openings and phrases that state the answer in a free-text reference.
_CONCLUSION_CUE = re.compile(
    _CUE_START + r"(most likely|diagnosis is|answer is|is consistent with|indicative of|"
    r"points? (?:to|towards)|therefore|thus|hence|in summary|in conclusion|overall|"
    r"best (?:explained|treatment|next)|"
    r"is caused by|caused by|is likely|suggests?|is the|most probable|probable diagnosis|"
    r"best (?:explains|fits)|most fitting|most appropriate|"
    r"plays? a (?:crucial|critical|key|central|pivotal) role)\b",
)
# Phrases after which the reference names an option only to set it aside: contrasts with another
# option, and negations. In the answer to an exception question ("which condition does NOT ..."), a
# negation states the answer ("gallbladder carcinoma does not have an increased risk"), and only
# the contrasts set an option aside (_CONTRAST_CUE).
_CONTRASTS = r"rather than|instead of|would give|would instead|can mimic|mimics?|unlike|as opposed to"
_NEGATIONS = r"less likely|unlikely|not|ruled? out|excluded?|excluding|doesn't|less common|less typical"
_EXCLUSION_CUE = re.compile(_CUE_START + rf"({_NEGATIONS}|{_CONTRASTS})\b")
_CONTRAST_CUE = re.compile(_CUE_START + rf"({_CONTRASTS})\b")
# Where a passage of a long reference ends: punctuation, brackets, or the space before a word that
# turns to a contrast (the word starts the next passage). One leading character class lets the
# engine skip between candidates; no \s*: linear time on any input.
_PASSAGE_BREAK = re.compile(
    r"[ ,;:()\[\]](?:(?<! )|(?=(?:rather than|instead of|but|while|whereas|although|however|unlike|"
    r"as opposed to|except|compared (?:to|with)|over (?:a|an|the|other))\b))",
)
# A passage that opens with "over" sets its object aside ("suggests this diagnosis over an ACL tear").
_OVER = re.compile(r"\s*over\b")
# An exclusion cue inside a relative clause describes the subject, not the answer: "the antibody
# that is not associated with the condition is anti-LKM2" asserts anti-LKM2.
_RELATIVE_EXCLUSION = re.compile(
    _CUE_START + r"(?:that|which|who)\s+(?:is|are|was|were|would|does|do|could|can)\s+not\b"
)
# Tokens that may be abbreviations: a capital, then capitals or digits ("MI", "COPD", "G0", "T4").
# The word boundary is checked after the first capital, so the engine skips to capitals in C.
_ABBREVIATION = re.compile(r"[A-Z](?<=\b[A-Z])[A-Z0-9]+\b")
_DIGIT = re.compile(r"\d")
_NEGATING_PREFIX = "non"
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
    return not term.isalpha() and _DIGIT.search(term) is not None


def _numbers(terms: frozenset[str], text: str | None = None) -> frozenset[str]:
    """The terms with a digit ("5", "b12", "0.5"); most texts have none, which one search tells.

    ``text``, when given, is the text the terms were normalized from: normalization adds no digit,
    so a text without one has no number, and the terms need not be joined to tell.
    """
    if _DIGIT.search(" ".join(terms) if text is None else text) is None:
        return frozenset()
    return frozenset(t for t in [t for t in terms if not t.isalpha()] if _DIGIT.search(t))


def _expand_abbreviations(
    text: str, context: frozenset[str] = frozenset(), context_concepts: frozenset[str] = frozenset()
) -> str:
    """``text`` with each abbreviation, written in capitals, replaced by its expansion.

    "Acute MI" reads as "Acute myocardial infarction"; an in-text definition, "myocardial
    infarction (MI)", then repeats the same terms. An ambiguous abbreviation (MS: multiple
    sclerosis or mitral stenosis) is resolved from context: expanded only when exactly one of its
    expansions has all its terms in ``context`` (the reference, or the text itself) or names one
    of ``context_concepts`` (the reference's), and otherwise left as it is: no single expansion can
    be trusted.
    """
    if _ABBREVIATION.search(text) is None:  # most answers: no token of two capitals
        return text
    lexicon = load_lexicon()
    own: frozenset[str] | None = None

    def expand(match: re.Match[str]) -> str:
        nonlocal own
        token = match.group(0)
        if not token.isupper():
            return token
        expansions = lexicon.expand_abbreviation(token, case_sensitive=True)
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
        return supported[0] if len(supported) == 1 else token

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


_DEFAULT_LINKER = LexiconLinker()


def analyze_text(
    text: str,
    linker: ConceptLinker = _DEFAULT_LINKER,
    context: frozenset[str] = frozenset(),
    context_concepts: frozenset[str] = frozenset(),
) -> TextAnalysis:
    """Analyse an answer text (a solution or a short reference).

    ``linker`` finds its concepts; ``context`` and ``context_concepts`` (the terms and concepts of
    the reference a solution is judged against) resolve its ambiguous abbreviations.
    """
    expanded = canonical_quantities(_expand_abbreviations(" ".join(text.split()), context, context_concepts))
    tokens = term_tokens(expanded)
    folded = " ".join(tokens)
    # The clauses are normalized together in one pass; the answer's terms are its clauses' terms
    # (the separators are stop words or punctuation, which normalization drops anyway).
    pieces = _CLAUSE_BREAK.split(expanded)
    if len(pieces) == 1:  # most answers: one clause, whose tokens are already folded
        one = normalize_folded(tokens)
        clauses: tuple[tuple[str, ...], ...] = (tuple(sorted(one)),) if one else ()
        token_count = len(one)
        term_set = frozenset(one)
    else:
        clause_terms = _grouped_terms(pieces)
        clauses = tuple(sorted(clause_terms))
        token_count = sum(map(len, clause_terms))
        term_set = frozenset().union(*clause_terms)
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
        numbers=_numbers(term_set, folded),
        negations=term_set & NEGATION_CUES,
    )


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
    "ation", "ative", "atory", "ator", "ating", "ated", "ate", "ion", "ive", "ory", "ing", "ed", "or", "e"
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
    if not spaced:
        return solution
    clauses = tuple(
        sorted(
            tuple(sorted({part for term in clause for part in spaced.get(term, (term,))}))
            for clause in solution.clauses
        )
    )
    term_set = frozenset(part for term in solution.terms for part in spaced.get(term, (term,)))
    return TextAnalysis(
        text=solution.text,
        folded=solution.folded,
        terms=tuple(sorted(term_set)),
        term_set=term_set,
        clauses=clauses,
        concepts=solution.concepts,
        token_count=solution.token_count,
        numbers=_numbers(term_set),
        negations=solution.negations,
    )


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
    # For a partial match, how far the similarity is between the partial threshold (0) and 1 (1).
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
    negation states the answer; only contrasts (:data:`_CONTRAST_CUE`) exclude.
    """
    cue = _CONTRAST_CUE if exception else _EXCLUSION_CUE
    sentences = [s for s in _SENTENCE_BREAK.split(text.lower()) if s and not s.isspace()]
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
        if _CONCLUSION_CUE.search(spaced):
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
        parts = [part for part in _PASSAGE_BREAK.split(sentence) if part and not part.isspace()]
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
    if "over" in part[:6] and _OVER.match(part) is not None:
        return True
    if cue is None:
        return False
    spaced = " " + part
    return cue.search(spaced) is not None and _RELATIVE_EXCLUSION.search(spaced) is None


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
    for passage in reference.passages:
        terms = passage.terms
        if terms.isdisjoint(keys):
            continue
        weight = sum([w for term, w in found if term in terms])
        if weight:
            if passage.excluded:
                worst = max(worst, weight / total)
            else:
                best = max(best, weight / total * passage.weight)
    for terms, sentence_weight in reference.sentences:
        if terms.isdisjoint(keys):
            continue
        weight = sum([w for term, w in found if term in terms])
        if weight:
            best = max(best, SENTENCE_SHARE * sentence_weight * weight / total)
    return best - EXCLUSION_PENALTY * max(0.0, worst - best)


def _clause_support(
    solution: TextAnalysis, found: dict[str, tuple[str | None, float]], reference: ReferenceAnalysis
) -> float:
    """The support of a compound solution: each clause's own support, averaged by clause weight.

    "Decreased estradiol and increased LH" is supported only where the reference says both:
    judged as one bag of terms, it would be as well supported by "increased estradiol and
    decreased LH" (the same terms), or by a reference that says the opposite of each clause.
    ``found`` maps each solution term to the reference term it matched (or ``None``) and its weight.
    """
    weighted = 0.0
    total = 0.0
    for clause in solution.clauses:
        clause_total = sum(found[term][1] for term in clause)
        hits = [(hit, w) for hit, w in map(found.__getitem__, clause) if hit is not None]
        weighted += _support(hits, clause_total, reference) * clause_total
        total += clause_total
    return weighted / total if total else 0.0


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
    related_similarity: float = Field(
        0.85,
        ge=0.0,
        le=1.0,
        description="the similarity of a short answer whose whole phrase the lexicon relates to the "
        "other's concept (broader, narrower or classified under it: 'high cholesterol' / "
        "hypercholesterolemia); below min_similarity it earns nothing",
    )

    def analyze(self, reference: str, question: str | None = None) -> ReferenceAnalysis:
        """Analyse a reference answer once; reuse the result for every completion judged against it.

        ``question``, when given, is read for what it asks: the long answer to an exception question
        ("which condition does NOT ...", :func:`~medreward.medical.questions.is_exception_question`)
        states its answer in a negation, which then does not exclude.
        """
        reference = reference[: self.max_reference_chars]
        written = _expand_abbreviations(" ".join(reference.split()))
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
            answer = analyze_text(reference, self.linker)
            passages, sentences = (), ()
            related = load_lexicon().related_concepts(answer.folded)
        numbers = answer.numbers
        # In the order of answer.terms (sorted): ties between equally similar candidates break alike.
        fuzzy_pool = tuple([t for t in answer.terms if len(t) >= 5 and t not in numbers])
        return ReferenceAnalysis(
            answer=answer,
            is_long=is_long,
            passages=passages,
            sentences=sentences,
            fuzzy_pool=fuzzy_pool,
            exception_question=exception and is_long,
            related_concepts=related,
        )

    def _find(self, term: str, reference: ReferenceAnalysis) -> str | None:
        """The reference term that ``term`` matches, exactly or as a spelling variant."""
        if term in reference.term_set:
            return term
        if len(term) < 5 or _is_number(term) or not reference.fuzzy_pool:
            return None
        forbidden = _opposite_variants(term)
        for candidate, _, _ in process.extract(
            term,
            reference.fuzzy_pool,
            scorer=Levenshtein.normalized_similarity,
            score_cutoff=self.fuzzy_term_similarity,
            limit=3,
        ):
            if candidate not in forbidden:
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

    def _guard(self, solution: TextAnalysis, reference: ReferenceAnalysis) -> str | None:
        ref = reference.answer
        for term in solution.terms:
            # A long reference negates the options it excludes, so any negation in the solution is
            # suspect there; a short reference states the answer, negated only if it means it.
            if term in NEGATION_CUES and (
                term not in ref.negations or (reference.is_long and term not in _NOT_A_DENIAL)
            ):
                return f"negation: {term}"
            if term in ref.term_set:
                continue
            # OPPOSITE_PREFIXES pairs work both ways: a term is the opposite of a reference term
            # exactly when that reference term is one of its own variants.
            variants = _opposite_variants(term, not reference.is_long)
            counterpart = next((v for v in variants if v in ref.term_set), None)
            if counterpart is not None:
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
        sol = analyze_text(solution, self.linker, reference.term_set, reference.answer.concepts)
        if not sol.terms:
            return AnswerMatch("missing", 0.0)
        sol = _respace(sol, reference.term_set)
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

        reference_terms = reference.term_set
        found = [term if term in reference_terms else self._find(term, reference) for term in sol.terms]
        matched = tuple(term for term, hit in zip(sol.terms, found) if hit is not None)
        precision = len(matched) / len(sol.terms)
        if reference.is_long:
            specificity = load_lexicon().specificity
            weights = [specificity(term) for term in sol.terms]
            if len(sol.clauses) > 1:
                support = _clause_support(sol, dict(zip(sol.terms, zip(found, weights))), reference)
            else:
                hits = [(hit, w) for hit, w in zip(found, weights) if hit is not None]
                support = _support(hits, sum(weights), reference)
            similarity = max(0.0, support) * min(1.0, self.max_solution_terms / sol.token_count)
            threshold = self.min_support
        else:
            recall = len({hit for hit in found if hit is not None}) / len(ref.term_set)
            similarity = 0.0 if not matched else 2 * precision * recall / (precision + recall)
            if repeated:
                similarity *= (2 * ref.token_count + 2) / sol.token_count
            elif similarity < self.related_similarity and _related(sol, reference):
                similarity = self.related_similarity
            threshold = self.min_similarity
        if similarity < threshold:
            return AnswerMatch("mismatch", similarity, sol.terms, matched, None, concepts)
        strength = 1.0 if threshold >= 1.0 else (similarity - threshold) / (1.0 - threshold)
        return AnswerMatch("partial", similarity, sol.terms, matched, None, concepts, min(1.0, strength))
