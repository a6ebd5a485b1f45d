"""Abbreviations the lexicon lists, read in their context: dotted, lower-case and ambiguous ones.

:func:`_expand_abbreviations` is the first step of :func:`~medreward.medical.analysis.analyze_text`:
"Acute MI" reads as "Acute myocardial infarction", "R.S.V." as "RSV", a one-token answer in any
case ("copd") as the abbreviation it spells, and an abbreviation of several senses (:func:`_senses`:
MS is multiple sclerosis or mitral stenosis) only in the sense its context names. Acronyms the
lexicon does not list, read in the other answer's words, are :mod:`medreward.medical.acronyms`.

>>> _undot("R.S.V. bronchiolitis")
'RSV bronchiolitis'
"""

from __future__ import annotations

import re
from functools import lru_cache

from medreward.medical.lexicon import Lexicon, load_lexicon
from medreward.medical.normalize import (
    NEGATION_CUES,
    STOP_WORDS,
    fold_text,
    normalize_tokens,
    term_tokens,
    to_arabic_numerals,
)

__all__ = ["has_ambiguous_abbreviation"]

# Tokens that may be abbreviations: a capital, then capitals or digits ("MI", "COPD", "G0", "T4").
# The word boundary is checked after the first capital, so the engine skips to capitals in C.
_ABBREVIATION = re.compile(r"[A-Z](?<=\b[A-Z])[A-Z0-9]+\b")
# A capital and digits ("A2", "C3", "B12"): a designator when the words around it name a concept
# with it ("haemoglobin A2", "complement C3"), an abbreviation otherwise ("loud P2").
_DESIGNATOR = re.compile(r"[A-Z][0-9]{1,2}")


# An abbreviation written with dots: "D.V.T.", "r.s.v." (two or more letters, each followed by a dot).
_DOTTED = re.compile(r"(?<![A-Za-z.])(?:[A-Za-z]\.){2,}(?:[A-Za-z](?![A-Za-z.]))?")


_DOTTED_PRECHECK = re.compile(r"\.[A-Za-z]\.")


# The longest answer that may be an abbreviation written in lower case ("copd", "dvt").
_MAX_ABBREVIATION = 8


def _may_abbreviate(text: str) -> bool:
    """Whether abbreviation expansion may change ``text``: capitals, dots between letters, or one
    short token."""
    return (
        _ABBREVIATION.search(text) is not None or _DOTTED.search(text) is not None or len(text.split()) == 1
    )


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


def has_ambiguous_abbreviation(text: str) -> bool:
    """Whether ``text`` still holds an abbreviation of several senses (left as written)."""
    lexicon = load_lexicon()
    return any(
        len(_senses(lexicon.expand_abbreviation(m.group(0), case_sensitive=True))) > 1
        for m in _ABBREVIATION.finditer(text)
    )


# A short lower-case word of a short answer that may be an abbreviation written small ("av node").
_LOWER_ABBREVIATION = re.compile(r"\b[a-z]{2,4}\b")


def _capitalized(match: re.Match[str], lexicon: Lexicon, context: frozenset[str]) -> str:
    """The matched word in capitals when it is an abbreviation: no stop word, and either no word of
    the lexicon's names ("lp") or one whose expansion the ``context`` (the other answer's terms)
    says in full, inside a noun phrase: beside a word that is no stop word ("av node" against
    "atrioventricular node", "peg tube" against "percutaneous endoscopic gastrostomy"; not "vein"
    or "and", nor "all" of "all of the above" against "acute lymphoblastic leukemia")."""
    word = match.group(0)
    if word in STOP_WORDS or word in NEGATION_CUES:
        return word
    expansions = lexicon.expand_abbreviation(word)
    if not expansions:
        return word
    if lexicon.uses(word) or lexicon.concepts(word):
        text = match.string
        before = text[: match.start()].split()[-1:]
        after = text[match.end() :].split()[:1]
        in_phrase = any(w.strip(".,;:!?") not in STOP_WORDS for w in before + after)
        said = in_phrase and context and any(context.issuperset(normalize_tokens(e)) for e in expansions)
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
    of ``context_concepts`` (the reference's); failing that, a short text takes the sense that makes
    it name a context concept, the one most of whose terms the context holds, or the only one that
    shares a word with the context. Otherwise it is left as it is: no single expansion can be
    trusted. An answer that is one token in any case ("copd", "R.S.V.") is read as the
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
        text = _LOWER_ABBREVIATION.sub(lambda m: _capitalized(m, lexicon, context), text)
    if _ABBREVIATION.search(text) is None:  # most answers: no token of two capitals
        return text
    own: frozenset[str] | None = None

    @lru_cache(maxsize=1)
    def names_a_concept() -> bool:
        """Whether the text as written names a lexicon concept (looked up once, when needed)."""
        return bool(lexicon.concepts(fold_text(text)))

    def expand(match: re.Match[str]) -> str:
        nonlocal own
        token = match.group(0)
        if not token.isupper():
            return token
        if _DESIGNATOR.fullmatch(token) and names_a_concept():
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
        if shares and shares[0][0] > 0 and (len(shares) == 1 or shares[1][0] == 0):
            # The only sense the context shares a word with ("MR" beside "MRCP" read as
            # "magnetic resonance cholangiopancreatogram"; "cholangiopancreatography" is no other's).
            return shares[0][1]
        return token

    return _ABBREVIATION.sub(expand, text)
