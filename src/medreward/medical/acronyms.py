"""Acronyms read from the text they stand beside: "MMA" for "middle meningeal artery".

A lexicon lists the abbreviations it knows; answers use many more ("PLIC", "EHEC", "RRMS", "T2DM").
Two answers to one question share their context, so an acronym in one is read as the run of words
of the other whose letters it spells, the way Schwartz and Hearst find an abbreviation's definition
in the sentence around it (Pac Symp Biocomput 2003): the acronym's first character starts the run's
first word, and its characters appear in the run in order, each word of the run giving at least
one. Stop words of the run ("of", "the") may give none.

Pure text processing: no lexicon, no judge.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from medreward.medical.normalize import NEGATION_CUES

__all__ = ["acronym_candidates", "spell_genus", "spell_out", "spelled_run"]

# An acronym as written: two or more capitals (digits may follow or separate them: "T2DM", "HHV8"),
# or a capital, small letters and a capital ("EoE"), up to 8 characters; "Hib" (one capital then
# small letters) is read too when it stands alone.
_ACRONYM = re.compile(r"\b(?=[A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z0-9])[A-Z][A-Za-z0-9]{1,7}\b")
# A word; a hyphenated compound is one word ("X-ray": DEXA; "non-proliferative": NPDR).
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Words a run may skip: they are rarely spelled in an acronym ("posterior limb of the internal
# capsule": PLIC).
_SKIPPABLE = frozenset({"of", "the", "and", "in", "to", "for", "with", "a", "an", "on", "by", "type"})
_MIN_LETTERS = 2
# An acronym of one word spells at least this many of its letters ("EGD"; "CT" is not "chest").
_MIN_ONE_WORD = 3
# An acronym stands for at most this many words more than its letters ("DEXA" for four words).
_MAX_EXTRA_WORDS = 1


@lru_cache(maxsize=1024)
def acronym_candidates(text: str) -> tuple[re.Match[str], ...]:
    """The tokens of ``text`` that may be acronyms: capitals with digits ("T2DM", "HHV-8" as "HHV"),
    mixed case with two capitals ("EoE"), or the whole text as one short token in any case ("ogd").
    A negation in capitals is shouted, not abbreviated ("NOT X" never spells "nucleotide")."""
    found = [
        m
        for m in _ACRONYM.finditer(text)
        if sum(c.isalpha() for c in m.group(0)) >= _MIN_LETTERS and m.group(0).lower() not in NEGATION_CUES
    ]
    if not found:
        alone = re.fullmatch(r"\s*([A-Za-z][A-Za-z0-9]{1,5})[\s.!?]*", text)
        if alone is not None and alone.group(1).lower() not in NEGATION_CUES:
            found = [alone]
    # Cached: a paragraph's acronyms are looked up once for each solution judged against it.
    return tuple(found)


def _spells(acronym: str, words: list[str]) -> bool:
    """Whether ``acronym`` (folded, letters and digits) spells ``words``: its first character starts
    the first word, and each word gives, in order, one or more of its characters from the word's
    start onwards (a word's first given character is its initial unless the word is skippable)."""

    def match(a: int, w: int) -> bool:
        if w == len(words):
            return a == len(acronym)
        word = words[w]
        if word in _SKIPPABLE and match(a, w + 1):
            return True
        if word.isdigit():  # a number is written whole in the acronym ("PCV13", "PPSV23")
            return acronym.startswith(word, a) and match(a + len(word), w + 1)
        if a == len(acronym) or acronym[a] != word[0]:
            return False
        # The word gives its initial, then any later characters of it, in order.
        for end in range(a + 1, len(acronym) + 1):
            if end > a + 1 and _subsequence(acronym[a + 1 : end], word[1:]) is False:
                break
            if match(end, w + 1):
                return True
        return False

    return match(0, 0)


_VOWELS = frozenset("aeiou")


def _subsequence(part: str, word: str) -> bool:
    """Whether ``part`` can be read, in order, off the starts of the parts of ``word`` (without its
    initial) that a compound joins: after a hyphen or a linking vowel ("gastro-esophageal": e;
    "esophago-gastro-duodenoscopy": g, d; "non-proliferative": p). A letter inside a stem is none:
    "transthoracic" gives no O (TOE), "enterohemorrhagic" no T (ETEC). "virus" starts a part
    wherever it is ("herpes-virus": HHV)."""
    position = 0
    for char in part:
        while True:
            found = word.find(char, position)
            if found == -1:
                return False
            position = found + 1
            if found > 0 and (
                word[found - 1] in _VOWELS or word[found - 1] == "-" or word.startswith("virus", found)
            ):
                break
    return True


def spelled_run(acronym: str, text: str) -> tuple[int, int] | None:
    """The character span of the run of words in ``text`` that ``acronym`` spells, or ``None``.

    >>> text = "Posterior limb of the internal capsule"
    >>> span = spelled_run("PLIC", text)
    >>> text[span[0] : span[1]]
    'Posterior limb of the internal capsule'
    >>> spelled_run("PE", "Pulmonary embolism") is not None, spelled_run("PE", "Aortic stenosis")
    (True, None)

    The longest run wins; runs start and end at content words. A word of the run may give more than
    its initial ("EGD" for "esophagogastroduodenoscopy"); each must give its initial.
    """
    letters = "".join(c for c in acronym.casefold() if c.isalnum())
    if len(letters) < _MIN_LETTERS:
        return None
    words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text.casefold())]
    best: tuple[int, int] | None = None
    for i, (first, start, _) in enumerate(words):
        if first[0] != letters[0]:
            continue
        for j in range(len(words), i, -1):
            run = [w for w, _, _ in words[i:j]]
            if run[-1] in _SKIPPABLE:
                continue
            content = [w for w in run if w not in _SKIPPABLE]
            if len(content) > len(letters) + _MAX_EXTRA_WORDS:
                continue
            if (len(run) > 1 or _MIN_ONE_WORD <= len(letters) <= len(run[0]) // 2) and _spells(letters, run):
                span = (start, words[j - 1][2])
                if best is None or span[1] - span[0] > best[1] - best[0]:
                    best = span
                break
    return best


def spell_out(
    text: str,
    other: str,
    known: frozenset[str] = frozenset(),
    names: Callable[[str], bool] | None = None,
    listed: frozenset[str] = frozenset(),
) -> str:
    """``text`` with each acronym that ``other`` spells out replaced by ``other``'s words.

    ``known``: acronyms (folded) to leave as they are, such as short ones whose senses a lexicon
    lists ("PE" is pulmonary embolism, never "pulmonary edema"). The rest of ``other`` must be said
    in ``text`` too, unless ``names`` says the spelled words name a thing of their own and the
    acronym is not in ``listed`` (the acronyms a lexicon knows, folded, whose senses decide): "FTD"
    in "behavioural variant frontotemporal dementia" is then "frontotemporal dementia", a less
    specific answer, while "TTP" stays thrombotic thrombocytopenic purpura.

    >>> spell_out("RUQ ultrasound", "Right upper quadrant ultrasound")
    'Right upper quadrant ultrasound'
    >>> spell_out("PE", "Pulmonary edema", known=frozenset({"pe"}))
    'PE'
    """
    other_words = frozenset(other.casefold().split())
    pieces: list[str] = []
    last = 0
    for match in acronym_candidates(text):
        group = match.lastindex or 0
        token = match.group(group)
        if token.casefold() in known or token.casefold() in other_words:
            continue
        span = spelled_run(token, other)
        # The acronym stands for the run, and the rest of ``other`` is said in ``text`` too: "TTP"
        # spells "thrombocytopenic purpura" but is not "immune thrombocytopenic purpura".
        if span is None:
            continue
        if not _said_in(other[: span[0]] + " " + other[span[1] :], text) and (
            names is None or token.casefold() in listed or not names(other[span[0] : span[1]])
        ):
            continue
        pieces.append(text[last : match.start(group)])
        pieces.append(other[span[0] : span[1]])
        last = match.end(group)
    return "".join(pieces) + text[last:] if pieces else text


def _said_in(rest: str, text: str) -> bool:
    compounds = _WORD.findall(text.casefold())
    words = frozenset(w.replace("-", "") for w in compounds) | frozenset(
        part for w in compounds for part in w.split("-")
    )
    return all(w.replace("-", "") in words or w in _SKIPPABLE for w in _WORD.findall(rest.casefold()))


# A binomial with its genus written as an initial: "S. pyogenes", "E. coli" (the species epithet in
# small letters).
_ABBREVIATED_GENUS = re.compile(r"\b([A-Z])\.\s*([a-z]{3,})\b")
# A capitalised word of ``other`` that may be the genus: a name, not an initial.
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{3,}\b")


def spell_genus(text: str, other: str) -> str:
    """``text`` with each genus written as its initial ("S. pyogenes") spelled as ``other`` names it:
    the capitalised word before the same epithet in ``other`` ("Streptococcus pyogenes"), else the
    one capitalised word of ``other`` with that initial ("S. agalactiae" beside "Streptococcus
    pyogenes" is Streptococcus agalactiae). Two answers to one question share their context, as an
    acronym is read in the other answer's words.

    >>> spell_genus("Shiga toxin-producing E. coli", "Enterohemorrhagic Escherichia coli")
    'Shiga toxin-producing Escherichia coli'
    >>> spell_genus("S. agalactiae", "Streptococcus pyogenes")
    'Streptococcus agalactiae'
    >>> spell_genus("C. albicans", "Cryptococcus neoformans or Candida glabrata")
    'C. albicans'
    """
    if "." not in text:
        return text

    def genus(match: re.Match[str]) -> str:
        initial, epithet = match.group(1), match.group(2)
        before = re.search(rf"\b({initial}[a-z]{{3,}})\s+{re.escape(epithet)}\b", other)
        if before is not None:
            return f"{before.group(1)} {epithet}"
        names = {w for w in _CAPITALISED.findall(other) if w[0] == initial}
        return f"{names.pop()} {epithet}" if len(names) == 1 else match.group(0)

    return _ABBREVIATED_GENUS.sub(genus, text)
