"""Term normalization, modelled on the steps of UMLS LVG ``norm``: each step a pure function.

The pipeline turns free text into comparable content terms::

    fold_unicode -> remove_genitives -> expand_anatomical_abbreviations -> join_bound_prefixes
    -> split_punctuation
    -> to_arabic_numerals -> spell_out_blood_levels -> mark_designators -> tokens
    -> drop_stop_words -> to_us_spelling -> uninflect -> to_same_meaning -> sort

so that "Crohn's Disease", "crohn disease" and "Diseases: Crohn" all give ``('crohn', 'disease')``
(sorted: word order does not matter).

>>> normalize_terms("Deficiencies of Vitamin B12")
('b12', 'deficiency', 'vitamin')
>>> normalize_terms("Crohn's disease") == normalize_terms("crohn disease")
True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from medreward.medical.lexicon import load_lexicon  # the table itself loads on first use

__all__ = [
    "AFFIRMED_NOUNS",
    "ANATOMICAL_ABBREVIATIONS",
    "BLOOD_LEVEL_ROOTS",
    "BOUND_PREFIX",
    "DESIGNATING_WORDS",
    "FINDING_PARTICIPLES",
    "IONS",
    "IRREGULAR_PARTICIPLES",
    "IRREGULAR_PLURALS",
    "LEVEL_ROOTS",
    "NEGATED_WORDS",
    "NEGATION_CUES",
    "NUMBERING_WORDS",
    "NUMBER_WORDS",
    "ORGAN_ADJECTIVES",
    "POSTPOSED_CUES",
    "REFUSAL_CUES",
    "SAME_MEANING",
    "SAME_MEANING_PHRASES",
    "STOP_WORDS",
    "TENS",
    "drop_stop_words",
    "expand_anatomical_abbreviations",
    "fold_text",
    "fold_unicode",
    "join_bound_prefixes",
    "mark_designators",
    "name_ions",
    "normalization_fingerprint",
    "normalize_folded",
    "normalize_number_forms",
    "normalize_terms",
    "normalize_tokens",
    "remove_genitives",
    "spell_out_blood_levels",
    "split_cannot",
    "split_punctuation",
    "term_tokens",
    "to_arabic_numerals",
    "to_digits",
    "to_same_meaning",
    "to_same_meaning_phrases",
    "to_us_spelling",
    "uninflect",
]

# Function words that carry no medical meaning. Negation words ("no", "not", "without") are
# deliberately absent: they change what an answer says (see NEGATION_CUES).
STOP_WORDS = frozenset(
    """
    a an the of in on at to for from by with and or as is are was were be been being this that these
    those it its which who whom whose what most likely probably diagnosis answer final conclusion
    patient patients condition due caused cause consistent suggests suggest suggestive indicates
    indicate therefore thus so hence based given finding findings would could should may might
    can will best option correct case here than then there their such also very do does did must
    give gives giving administer administered administering
    has have had it he she they his her presents presenting percent per cent between
    especially particularly typically usually commonly generally often frequently various several
    including include includes involving involve involves presented described describe associated
    regarding important significant specifically potentially considering context scenario situation
    guideline guidelines characterized characterised characteristic typical classic point points pointing
    indicative explanation choice presentation example order obtain request arrange perform performed
    undergo responsible located during while sided
    """.split()
)

# Words that, in an answer, deny or exclude what follows them. The answer reward treats a solution
# that uses one the reference does not as disagreeing (see medreward.medical.matching).
NEGATION_CUES = frozenset(
    """
    no not without excluded exclude excludes ruled rule unlikely absent absence negative neither nor
    never none cannot incorrect wrong avoid anything except impossible contraindicated lack lacks lacking
    """.split()
)

# The negation cues that refuse an answer rather than state a negative finding: "endocarditis is
# excluded" refuses endocarditis, "culture-negative endocarditis" states one. A refusal agrees only
# with a reference that refuses too, whatever the count of other negation words.
REFUSAL_CUES = frozenset(
    "excluded exclude excludes ruled rule unlikely incorrect wrong cannot anything except impossible".split()
)

# The negation cues that usually follow what they deny: "culture-negative endocarditis" denies a
# culture finding, not endocarditis; "bowel sounds absent", "endocarditis excluded". Before a word
# with nothing ahead of them they deny what follows ("absent ankle reflexes", "negative pregnancy
# test"); the other cues deny what follows them ("not cross", "no bleeding", "non small cell").
POSTPOSED_CUES = frozenset(
    "negative absent excluded ruled unlikely incorrect wrong impossible contraindicated".split()
)

# The negation cues that deny the word right after them, a verb, an adjective or (for the prefix
# "non") the word it is joined to: "do not react to light" denies reacting, "non-reactive pupils"
# reactivity. The other cues deny a noun phrase, whose head is its last word: "no forehead sparing"
# denies sparing, "absent ankle reflexes" reflexes, "bowel sounds absent" sounds.
NEXT_WORD_CUES = frozenset("not cannot never".split())

# The participles that report a finding looked for: after "not" they deny what was looked for, the
# words before the cue ("Tinel's sign was not elicited", "bowel sounds were not heard"), as a cue
# that follows what it denies does.
FINDING_PARTICIPLES = frozenset(
    "elicited detected seen found identified demonstrated observed heard felt palpable palpated "
    "visualized visualised isolated".split()
)

# Written to start with the apostrophe, so the regex engine jumps from one apostrophe to the next
# instead of trying every position (ten times faster on a paragraph).
_GENITIVE = re.compile(r"['\u2019](?:(?<=\w['\u2019])s\b|(?<=s['\u2019])(?=\s|$))")
# Any character that is not a letter, digit or decimal point between digits separates tokens: two
# simple passes (punctuation, then dots not between digits) instead of one alternation. Whitespace
# is left as it is (it already separates); patterns start with a literal so the engine skips ahead.
_NON_WORD = re.compile(r"[^\w.\s]+")
_LONE_DOT = re.compile(r"\.(?:(?<!\d\.)|(?!\d))")


# Typographic punctuation as its ASCII equivalent. Writers and models use a few of these (the
# curly apostrophe above all; in the development data they are nearly all the non-ASCII there is):
# replaced first, they leave the text ASCII, and ASCII takes the fast path. For the ellipsis and the
# no-break space this is what NFKD does too; the others are punctuation, which folding drops.
_ASCII_EQUIVALENTS = (
    ("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-"), ("\u2014", "-"),
    ("\u2010", "-"), ("\u2011", "-"), ("\u2212", "-"), ("\u2026", "..."), ("\u00a0", " "),
)  # fmt: skip


# Greek letters as their names, as medical writing spells them out: "β-lactamase" is "beta-lactamase".
_GREEK = (
    ("\u03b1", "alpha"), ("\u03b2", "beta"), ("\u03b3", "gamma"), ("\u03b4", "delta"), ("\u03ba", "kappa"),
    ("\u03bb", "lambda"), ("\u0391", "alpha"), ("\u0392", "beta"), ("\u0393", "gamma"), ("\u0394", "delta"),
)  # fmt: skip
# Negative contractions, spelled out so that the negation is a word: "isn't" -> "is not".
_CONTRACTION = re.compile(r"(?:(?<=\bca)|(?<=\bwo)|(?<=[a-z]))n't\b")


def _spell_out_contractions(text: str) -> str:
    if "n't" not in text:
        return text
    return _CONTRACTION.sub(" not", text.replace("can't", "can not").replace("won't", "will not"))


def fold_unicode(text: str) -> str:
    """Case-fold and strip diacritics: ``"Sjögren"`` -> ``"sjogren"``; typographic punctuation to
    ASCII: ``"Crohn\u2019s"`` -> ``"crohn's"``; Greek letters spelled out: ``"β"`` -> ``"beta"``;
    negative contractions spelled out: ``"isn't"`` -> ``"is not"``."""
    if text.isascii():  # O(1) in CPython; ASCII is its own NFKD form and casefolds as lower()
        return _spell_out_contractions(text.lower())
    for char, ascii_equivalent in _ASCII_EQUIVALENTS:
        if char in text:
            text = text.replace(char, ascii_equivalent)
    for char, name in _GREEK:
        if char in text:
            text = text.replace(char, f" {name} ")
    if text.isascii():
        return _spell_out_contractions(text.lower())
    decomposed = unicodedata.normalize("NFKD", text)
    # Combining marks are removed one distinct mark at a time: a text has few, usually none, and
    # str.replace is far cheaper than a per-character translate table on a non-ASCII string.
    for char in set(decomposed):
        if char > "\x7f" and unicodedata.combining(char):
            decomposed = decomposed.replace(char, "")
    return _spell_out_contractions(decomposed.casefold())


def remove_genitives(text: str) -> str:
    """Drop possessive endings: ``"crohn's disease"`` -> ``"crohn disease"``."""
    if "'" not in text and "\u2019" not in text:
        return text
    return _GENITIVE.sub("", text)


# ASCII punctuation other than the dot, to spaces: one C-level str.translate pass, the same result
# as _NON_WORD (and the "_" replacement) on ASCII text, in a fifth of the time.
_ASCII_PUNCTUATION = str.maketrans(
    {c: " " for c in map(chr, range(128)) if not (c.isalnum() or c.isspace() or c == ".")}
)


# A comma that groups thousands: "1,000" is 1000, "12,500,000" is 12500000 (not "1" and "000").
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def split_punctuation(text: str) -> str:
    """Replace punctuation by spaces, keeping decimal points and joining thousands.

    >>> split_punctuation("b12-deficiency, 0.5 mg in 1,500 ml")
    'b12 deficiency  0.5 mg in 1500 ml'
    """
    if "," in text:
        text = _THOUSANDS.sub("", text)
    if text.isascii():
        text = text.translate(_ASCII_PUNCTUATION)
    else:
        text = _NON_WORD.sub(" ", text).replace("_", " ")
    if "." in text:
        text = _LONE_DOT.sub(" ", text)
    return text


# Words after which a Roman numeral is a number: "type II", "grade IV", "cranial nerve VII". Alone,
# "iv" is usually intravenous and "x" a letter ("x-ray"), so numerals elsewhere are left as written.
NUMBERING_WORDS = frozenset(
    """
    type types grade grades stage stages class classes factor factors phase phases nerve nerves cn
    trisomy level levels degree degrees zone zones group groups lead leads mobitz schedule tier tiers
    category categories part parts step steps wave waves complex complexes collagen
    """.split()
)
_ROMAN_VALUES = {
    "i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9",
    "x": "10", "xi": "11", "xii": "12",
}  # fmt: skip
_LONGEST_NUMBERING_WORD = max(map(len, NUMBERING_WORDS))
# A Roman numeral standing alone; the leading class lets the engine skip to candidate letters in C.
_ROMAN = re.compile(r"[ivxIVX](?<=\b[ivxIVX])[ivxIVX]{0,3}(?:[abcABC](?![A-Za-z]))?\b(?!\.\d)")


def to_arabic_numerals(text: str, *, folded: bool = False) -> str:
    """Roman numerals after a numbering word (:data:`NUMBERING_WORDS`) as digits, in any case (before
    abbreviations are expanded, "Stage IV" is a stage, not intravenous). ``folded`` (whether the
    text is already folded) is accepted for compatibility and no longer changes anything: the
    numerals are looked for first, in any text.

    >>> to_arabic_numerals("grade iii astrocytoma and cranial nerve vii")
    'grade 3 astrocytoma and cranial nerve 7'
    """
    # The numerals are looked for first: words of Roman letters only are rare, numbering words
    # ("level", "type", "part") common in a paragraph.
    pieces: list[str] = []
    done = 0
    for match in _ROMAN.finditer(text):
        numeral = match.group(0).lower()
        # A subtype letter may follow ("type IIIB": 3b); "vi" or "xi" stay numerals.
        letter = numeral[-1] if numeral[-1] in "abc" else ""
        value = _ROMAN_VALUES.get(numeral[: len(numeral) - len(letter)])
        if value is None:
            continue
        value += letter
        # The word before, from a bounded window: linear time however many numerals a text has.
        words = text[max(0, match.start() - _LONGEST_NUMBERING_WORD - 2) : match.start()].split()
        if not words or words[-1].lower().lstrip("([") not in NUMBERING_WORDS:
            continue
        pieces += [text[done : match.start()], value]
        done = match.end()
    if not pieces:
        return text
    return "".join(pieces) + text[done:]


# Anatomical abbreviations written after the name, with a dot: "radial n.", "middle meningeal a.".
ANATOMICAL_ABBREVIATIONS: dict[str, str] = {
    "a": "artery", "aa": "arteries", "n": "nerve", "nn": "nerves", "v": "vein", "vv": "veins",
    "m": "muscle", "mm": "muscles", "lig": "ligament",
}  # fmt: skip
_ANATOMICAL_PRECHECK = re.compile(r" (?:aa?|nn?|vv?|mm?|lig)\.")
_ANATOMICAL = re.compile(r"(?<=[a-z]{3} )(" + "|".join(ANATOMICAL_ABBREVIATIONS) + r")\.(?=\s|$|[,;)])")


def expand_anatomical_abbreviations(text: str) -> str:
    """``"radial n."`` -> ``"radial nerve"``, before case folding (the dot and the small letter tell
    the abbreviation: "Hemophilia A." keeps its designator).

    >>> expand_anatomical_abbreviations("middle meningeal a. and radial n.")
    'middle meningeal artery and radial nerve'
    """
    if _ANATOMICAL_PRECHECK.search(text) is None:  # a literal scan: most texts have none
        return text
    return _ANATOMICAL.sub(lambda m: ANATOMICAL_ABBREVIATIONS[m.group(1)], text)


# Words after which a single letter designates a kind: "hepatitis B", "group A streptococcus",
# "type A dissection", "protein C". The letter becomes a capital token, which no stop word list drops
# and which the number guard compares like a number ("hepatitis B" is not "hepatitis C").
DESIGNATING_WORDS = NUMBERING_WORDS | frozenset(
    "hepatitis hemophilia haemophilia vitamin protein influenza serotype serogroup strain antigen blood "
    "botulinum".split()
)
# A designating word, the space after it, and a single letter: one pass over the text.
_DESIGNATED = re.compile(
    r"\b("
    + "|".join(sorted(map(re.escape, DESIGNATING_WORDS), key=len, reverse=True))
    + r")(\s+)([a-z])(?![a-z0-9])"
)


def mark_designators(text: str) -> str:
    """A single letter after a designating word as a capital token, on folded text.

    >>> mark_designators("hepatitis b and group a streptococcus, a virus")
    'hepatitis B and group A streptococcus, a virus'
    """
    if DESIGNATING_WORDS.isdisjoint(text.split()):  # most texts: no designating word, told in C
        return text
    return _DESIGNATED.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3).upper()}", text)


_LETTERS_AND_DIGITS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _mark_designator_tokens(tokens: list[str]) -> list[str]:
    """:func:`mark_designators` on the tokens of a text whose punctuation is gone (the last step of
    :func:`term_tokens`): the same tokens as ``mark_designators(" ".join(tokens)).split()``, without
    a regex pass over the text. Changes ``tokens`` in place.

    >>> _mark_designator_tokens("hepatitis b and group a streptococcus type ab".split())
    ['hepatitis', 'B', 'and', 'group', 'A', 'streptococcus', 'type', 'ab']
    """
    if DESIGNATING_WORDS.isdisjoint(tokens):  # most texts: no designating word, told in C
        return tokens
    for i in range(1, len(tokens)):
        token = tokens[i]
        # the pattern's "[a-z](?![a-z0-9])": a small ASCII letter, no ASCII letter or digit after it
        if (
            tokens[i - 1] in DESIGNATING_WORDS
            and "a" <= token[0] <= "z"
            and (len(token) == 1 or token[1] not in _LETTERS_AND_DIGITS)
        ):
            tokens[i] = token[0].upper() + token[1:]
    return tokens


# Blood levels named with hypo-/hyper- are low and high levels of a substance: "hypokalemia" is "low
# potassium", so that the lay phrasing and the term agree (and "high" / "low" are opposites).
BLOOD_LEVEL_ROOTS: dict[str, str] = {
    "kal": "potassium", "natr": "sodium", "calc": "calcium", "magnes": "magnesium",
    "phosphat": "phosphate", "glyc": "glucose", "chlor": "chloride", "albumin": "albumin",
    "uric": "uric acid", "cholesterol": "cholesterol", "protein": "protein", "bilirubin": "bilirubin",
    "ammon": "ammonia", "lipid": "lipid", "triglycerid": "triglyceride", "prolactin": "prolactin",
    "insulin": "insulin",
}  # fmt: skip


# Other findings named with hypo-/hyper- that answers also say in words: "hypothermia" is "low body
# temperature", "hyperreflexia" is "high reflexes" (SAME_MEANING reads "brisk" and "exaggerated" as
# high too). Whole words only, by their ending; "hypertension" is left alone ("portal hypertension").
LEVEL_ROOTS: dict[str, str] = {
    "thermia": "body temperature", "pigmentation": "pigmentation", "reflexia": "reflexes",
    "hidrosis": "sweating", "tonia": "muscle tone", "volemia": "blood volume",
    "volaemia": "blood volume", "capnia": "carbon dioxide", "carbia": "carbon dioxide",
    "salivation": "salivation",
    "ventilation": "ventilation", "perfusion": "perfusion", "esthesia": "sensation",
    "aesthesia": "sensation", "kinesia": "movement", "mobility": "mobility", "activity": "activity",
    "resonance": "resonance", "resonant": "resonant",
}  # fmt: skip
# Both tables in one pattern: one pass over the text.
_ANY_LEVEL = re.compile(
    r"\bhyp(o|er)(?:(" + "|".join(BLOOD_LEVEL_ROOTS) + r")a?emi(?:as?|c)|(" + "|".join(LEVEL_ROOTS) + r"))\b"
)


def spell_out_blood_levels(text: str) -> str:
    """``"hypokalemia"`` -> ``"low potassium"``, ``"hyperglycaemia"`` -> ``"high glucose"``, the
    adjective too (``"hypochloraemic"`` -> ``"low chloride"``), ``"hypothermia"`` -> ``"low body
    temperature"``, on folded text.

    >>> spell_out_blood_levels("hypokalaemia with hypernatremia and hypothermia")
    'low potassium with high sodium and low body temperature'
    """
    if "hyp" not in text:
        return text
    return _ANY_LEVEL.sub(_spelled_level, text)


def _spelled_level(match: re.Match[str]) -> str:
    level = "low" if match.group(1) == "o" else "high"
    blood = match.group(2)
    return f"{level} {BLOOD_LEVEL_ROOTS[blood] if blood else LEVEL_ROOTS[match.group(3)]}"


# Ions written as symbols with their charge: "K+ 2.8" is potassium (a bare "K" may be vitamin K).
IONS: dict[str, str] = {
    "K": "potassium", "Na": "sodium", "Ca": "calcium", "Mg": "magnesium", "Cl": "chloride",
    "Li": "lithium", "HCO3": "bicarbonate", "Fe": "iron", "H": "hydrogen",
}  # fmt: skip
_ION = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(IONS) + r")(?:\d?\+|\d?-(?![A-Za-z0-9]))")


def name_ions(text: str) -> str:
    """Ion symbols with a charge as the element's name, before punctuation goes.

    >>> name_ions("K+ 2.8 mmol/L, Ca2+ low, Cl- high")
    'potassium 2.8 mmol/L, calcium low, chloride high'
    """
    if "+" not in text and "l-" not in text and "3-" not in text:  # Cl-, HCO3-
        return text
    return _ION.sub(lambda m: IONS[m.group(1)], text)


# Tens written as words ("seventy-two", after punctuation is gone "seventy two"), ordinals written
# with digits ("2nd"), and units of no conversion written against their number ("2.8mmol"), as the
# forms that other answers use: "72", "2", "2.8 mmol". Units that canonical_quantities converts
# stay joined: it writes them so.
# The tens in words, for this module and for medreward.medical.quantities.
TENS: dict[str, int] = {
    w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
# The cardinals in words up to twenty: the units and teens below, and NUMBER_WORDS.
_CARDINALS: dict[str, int] = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
_UNITS_DIGIT = {w: i for w, i in _CARDINALS.items() if 1 <= i <= 9}
_TENS_WORDS = re.compile(r"\b(" + "|".join(TENS) + r")(?: (" + "|".join(_UNITS_DIGIT) + r"))?\b")
# Hundreds in words, after the tens are digits: "one hundred and 20" -> "120", "a hundred" -> "100".
_SMALL_NUMBERS = {w: i for w, i in _CARDINALS.items() if 1 <= i <= 19}
_HUNDREDS_WORDS = re.compile(
    r"\b(a|[1-9]|"
    + "|".join(_UNITS_DIGIT)
    + r") hundred(?: and)?(?: ([1-9][0-9]?|"
    + "|".join(sorted(_SMALL_NUMBERS, key=len, reverse=True))
    + r"))?\b"
)


def _hundreds(match: re.Match[str]) -> str:
    count = match.group(1)
    hundreds = 1 if count == "a" else int(count) if count.isdigit() else _UNITS_DIGIT[count]
    rest = match.group(2) or "0"
    return str(100 * hundreds + (int(rest) if rest.isdigit() else _SMALL_NUMBERS[rest]))


_DIGIT_LETTER = re.compile(r"[0-9][a-z]")
# A number written against an ordinal suffix or a unit; starts with a digit, which the engine scans
# for in C (whether the number starts a word is checked in _number_form).
_NUMBER_SUFFIX = re.compile(
    r"\d+(?:\.\d+)?(st|nd|rd|th|mmol|umol|mol|meq|mmhg|iu|bpm|cm|mm|nmol|pmol|ng|pg)\b"
)
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
# Zeros that lead a whole number: "06" is 6 ("1:06", a ratio a spreadsheet wrote as a time). Not a
# decimal's ("0.5", "2.05").
_LEADING_ZEROS = re.compile(r"(?<![\w.,])0+(?=\d)")


def _number_form(match: re.Match[str]) -> str:
    start = match.start()
    if start and match.string[start - 1].isalnum():  # "b12th" is no ordinal
        return match.group(0)
    number = match.group(0)[: -len(match.group(1))]
    return number if match.group(1) in _ORDINAL_SUFFIXES else f"{number} {match.group(1)}"


def normalize_number_forms(text: str) -> str:
    """Numbers in one written form, on folded text.

    >>> normalize_number_forms("seventy two hours, the 2nd dose, 2.8mmol and twenty")
    '72 hours, the 2 dose, 2.8 mmol and 20'
    >>> normalize_number_forms("one hundred to one hundred and twenty a minute, a hundred and five")
    '100 to 120 a minute, 105'
    >>> normalize_number_forms("1 06 and 007, not 0.05 or 2.05")
    '1 6 and 7, not 0.05 or 2.05'
    """
    if "0" in text:
        text = _LEADING_ZEROS.sub("", text)
    # Substring and one-class scans first: most texts have neither form, and a full pattern's scan of
    # a paragraph costs ten times more.
    if any(word in text for word in TENS):
        text = _TENS_WORDS.sub(lambda m: str(TENS[m.group(1)] + _UNITS_DIGIT.get(m.group(2) or "", 0)), text)
    if "hundred" in text:
        text = _HUNDREDS_WORDS.sub(_hundreds, text)
    if _DIGIT_LETTER.search(text) is None:
        return text
    return _NUMBER_SUFFIX.sub(_number_form, text)


# "non" written together with the word it negates: "nondisplaced" is "non-displaced" ("nonetheless"
# and short words such as "none" are no negations).
NEGATING_PREFIX = re.compile(r"\bnon(?=[a-df-z][a-z]{4,})")


# Adjectives that deny a noun in one word, spelled out so that they compare with the phrase ("asymptomatic
# bacteriuria" / "bacteriuria without symptoms"): the negation cue then counts for polarity too.
# Rewritten with SAME_MEANING_PHRASES (to_same_meaning_phrases).
NEGATED_WORDS: dict[str, str] = {
    "asymptomatic": "without symptoms",
    "afebrile": "without fever",
    "apyrexial": "without fever",
    "painless": "without pain",
    "atraumatic": "without trauma",
    "acalculous": "without gallstones",
}


# The adjectives that affirm the noun a word of NEGATED_WORDS denies, as that noun (a term, read by
# to_same_meaning): "calculous cholecystitis" has gallstones, "symptomatic bacteriuria" symptoms, so
# each affirms what "acalculous" and "asymptomatic" deny.
AFFIRMED_NOUNS: dict[str, str] = {
    "symptomatic": "symptom",
    "febrile": "fever",
    "pyrexial": "fever",
    "traumatic": "trauma",
    "calculous": "gallstone",
}


# Phrases (and words) that say what another phrase or word says, as that one (folded text, whole
# words): an X-ray as a test is a radiograph ("Chest X-ray" / "chest radiograph" / "plain film of the
# chest").
SAME_MEANING_PHRASES: dict[str, str] = {
    "x ray": "radiogram",
    "xray": "radiogram",
    "plain film": "radiogram",
    "plain radiogram": "radiogram",
    "plain radiograph": "radiogram",
    # a finding lost or lacking is absent ("loss of the red reflex" / "absent red reflex")
    "loss of": "absent",
    "lack of": "absent",
    # a rate named with brady-/tachy- in words ("bradycardia" / "slow heart rate"; SAME_MEANING reads
    # slow and fast as decreased and increased, opposites)
    "bradycardia": "slow heart rate",
    "tachycardia": "fast heart rate",
    "bradycardic": "slow heart rate",
    "tachycardic": "fast heart rate",
    "tachypneic": "fast breathing",
    "tachypnoeic": "fast breathing",
    # blood gases by their symbols ("raised PaCO2" is hypercapnia, "low PaO2" hypoxaemia)
    "paco2": "carbon dioxide",
    "pco2": "carbon dioxide",
    "pao2": "oxygen",
    "po2": "oxygen",
    "bradypnea": "slow breathing",
    "bradypnoea": "slow breathing",
    "tachypnea": "fast breathing",
    "tachypnoea": "fast breathing",
    # a side named by where the lesion is ("trachea deviated away from the affected side" is a
    # contralateral deviation, "falls towards the side of the lesion" an ipsilateral fall)
    **dict.fromkeys(
        (
            "away from the affected side",
            "away from the side of the lesion",
            "away from the lesion",
            "to the opposite side",
            "to the other side",
        ),
        "contralateral",
    ),
    **dict.fromkeys(
        (
            "towards the affected side",
            "toward the affected side",
            "towards the side of the lesion",
            "toward the side of the lesion",
            "towards the lesion",
            "toward the lesion",
            "to the same side",
        ),
        "ipsilateral",
    ),
    # words that deny a noun, as the phrase that says so
    **NEGATED_WORDS,
}
_SAME_MEANING_PHRASE = re.compile(r"\b(" + "|".join(SAME_MEANING_PHRASES) + r")s?\b")


# Substrings one of which each phrase holds: scanned for first, as most texts hold none.
_PHRASE_HINTS = (
    "ray", "plain", "loss of", "lack of", "brady", "tachy", "o2", "away from", "toward", "opposite side",
    "other side", "same side",
    *NEGATED_WORDS,
)  # fmt: skip


def to_same_meaning_phrases(text: str) -> str:
    """``text`` (folded) with each phrase of :data:`SAME_MEANING_PHRASES` as its word.

    >>> to_same_meaning_phrases("chest x ray")
    'chest radiogram'
    """
    if not any(hint in text for hint in _PHRASE_HINTS):  # a few substring scans: most texts have none
        return text
    return _SAME_MEANING_PHRASE.sub(lambda m: SAME_MEANING_PHRASES[m.group(1)], text)


# Prefixes that never stand alone as a word: hyphenated to the word they bind ("pre-renal",
# "hyper-resonant", "sub-acute"), they are one word with it ("prerenal"). Only the hyphen joins: a
# prefix spaced apart is rare, and "extra" is also a word ("extra heart sound").
_BOUND_PREFIXES = ("pre", "post", "peri", "intra", "extra", "supra", "infra", "retro", "hyper", "hypo", "sub")
BOUND_PREFIX = re.compile(r"\b(" + "|".join(_BOUND_PREFIXES) + r")-(?=[a-z]{3,}\b)")
# What the pattern needs to find anything: a prefix and its hyphen, as written.
_HYPHENATED_PREFIXES = tuple(f"{prefix}-" for prefix in _BOUND_PREFIXES)


def join_bound_prefixes(text: str) -> str:
    """``text`` (folded) with a bound prefix joined to the word it is hyphenated to.

    >>> join_bound_prefixes("pre-renal aki, hyper-resonant note, pre-2000")
    'prerenal aki, hyperresonant note, pre-2000'
    """
    # Substring scans (C speed) first: most hyphens ("x-ray", "45-year-old") join no bound prefix,
    # and the pattern's leading \b is tried at every position of a paragraph.
    if "-" not in text or not any(prefix in text for prefix in _HYPHENATED_PREFIXES):
        return text
    return BOUND_PREFIX.sub(r"\1", text)


# "cannot" denies the verb after it, as "can't" and "can not" do ("It cannot cross the BBB",
# "Bowel sounds cannot be heard"): it is "can not" there. Only "cannot be" before what is no
# participle refuses an answer ("Cannot be pulmonary embolism"), which REFUSAL_CUES reads.
IRREGULAR_PARTICIPLES = frozenset(
    "heard seen given taken shown known done made found felt drawn broken written left kept held told "
    "said".split()
)
_CANNOT_VERB = re.compile(
    r"\bcannot (?=(?!be\b)[a-z]|be (?:[a-z]{2,}ed|" + "|".join(sorted(IRREGULAR_PARTICIPLES)) + r")\b)"
)


def split_cannot(text: str) -> str:
    """``text`` (folded) with "cannot" before a verb as "can not".

    >>> split_cannot("it cannot cross, cannot be heard; cannot be pulmonary embolism")
    'it can not cross, can not be heard; cannot be pulmonary embolism'
    """
    if "cannot" not in text:  # a substring scan: most texts have none
        return text
    return _CANNOT_VERB.sub("can not ", text)


def split_negating_prefix(text: str) -> str:
    """``text`` with a negating "non" apart from its word.

    >>> split_negating_prefix("nondisplaced fracture, nonetheless")
    'non displaced fracture, nonetheless'
    """
    if not (text.startswith("non") or " non" in text):  # a substring scan: "non" starts no word
        return text
    return NEGATING_PREFIX.sub("non ", text)


def term_tokens(text: str) -> list[str]:
    """The tokens of ``fold_text(text)``, in order."""
    # Anatomical abbreviations are read before case folding: "a." is an artery, "A." a designator
    # ("Hemophilia A.").
    folded = remove_genitives(fold_unicode(expand_anatomical_abbreviations(name_ions(text))))
    spaced = normalize_number_forms(
        split_negating_prefix(
            split_cannot(
                to_same_meaning_phrases(to_arabic_numerals(split_punctuation(join_bound_prefixes(folded))))
            )
        )
    )
    return _mark_designator_tokens(spell_out_blood_levels(spaced).split())


def fold_text(text: str) -> str:
    """Unicode fold, genitives and punctuation removed, whitespace collapsed: the comparison form."""
    return " ".join(term_tokens(text))


def drop_stop_words(tokens: Iterable[str]) -> list[str]:
    """Tokens that are not :data:`STOP_WORDS`."""
    return [t for t in tokens if t not in STOP_WORDS]


# Endings that look plural but are not: "diabetes", "psoriasis", "virus", "pancreas", "stenosis".
_NOT_PLURAL = ("ss", "us", "is", "as", "betes")


# Plurals no suffix rule undoes: Greek and Latin ones ("metastases", "emboli") and the "-ches"
# words whose singular keeps its "e" ("headaches"). Only unambiguous, medically common forms.
IRREGULAR_PLURALS: dict[str, str] = {
    "metastases": "metastasis",
    "diagnoses": "diagnosis",
    "prognoses": "prognosis",
    "stenoses": "stenosis",
    "thromboses": "thrombosis",
    "anastomoses": "anastomosis",
    "fibroses": "fibrosis",
    "necroses": "necrosis",
    "psychoses": "psychosis",
    "neuroses": "neurosis",
    "analyses": "analysis",
    "crises": "crisis",
    "prostheses": "prosthesis",
    "emboli": "embolus",
    "thrombi": "thrombus",
    "bacilli": "bacillus",
    "fungi": "fungus",
    "nuclei": "nucleus",
    "bronchi": "bronchus",
    "calculi": "calculus",
    "diverticula": "diverticulum",
    "vertebrae": "vertebra",
    "ganglia": "ganglion",
    "foramina": "foramen",
    "appendices": "appendix",
    "cervices": "cervix",
    "teeth": "tooth",
    "feet": "foot",
    "children": "child",
    "women": "woman",
    "headaches": "headache",
    "toothaches": "toothache",
    "backaches": "backache",
    "earaches": "earache",
    "stomachaches": "stomachache",
    "aches": "ache",
}


# The Latin plurals of the names of bacteria by their shape ("cocci", "streptococci", "bacilli").
_LATIN_BACTERIA_PLURALS = ("cocci", "bacilli")


# The shortest "-graphy" word read as its "-gram" ("angiography"; not "graphy" alone).
_MIN_IMAGING_WORD = 8


def uninflect(token: str) -> str:
    """A conservative singular: ``"deficiencies"`` -> ``"deficiency"``, ``"cells"`` -> ``"cell"``.

    Regular English plurals are undone, words whose ``-s`` is not a plural ending ("diabetes",
    "psoriasis", "virus") are left alone, and :data:`IRREGULAR_PLURALS` are looked up:
    ``"metastases"`` -> ``"metastasis"``. An imaging technique is the image it makes: ``"angiography"``
    -> ``"angiogram"``, and so is ``"radiograph"`` (``"radiogram"``).
    """
    if token.endswith("graphy") and len(token) > _MIN_IMAGING_WORD:
        # A technique and the image it makes are one test: "cystourethrography" / "cystourethrogram".
        return token[:-3] + "m"
    if token.endswith("graph") and len(token) > _MIN_IMAGING_WORD:
        # ... and so is the older name of the image: "chest radiograph" / "chest radiography".
        return token[:-2] + "m"
    irregular = IRREGULAR_PLURALS.get(token)
    if irregular is not None:
        return irregular
    if token.endswith(_LATIN_BACTERIA_PLURALS):
        # a bacterium's Latin plural: "streptococci", "diplococci", "coccobacilli"
        return token[:-1] + "us"
    if len(token) <= 3 or not token.endswith("s") or not token.isalpha():
        return token
    if token.endswith(_NOT_PLURAL):
        return token
    if token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith(("sses", "xes", "ches", "shes", "zes")):
        return token[:-2]
    return token[:-1]


# Adjectives of organs and bones, each mapped to the noun (its American spelling, singular). Clinical
# English names a part by either: "hepatic abscess" is a liver abscess.
ORGAN_ADJECTIVES: dict[str, str] = {
    "renal": "kidney",
    "nephric": "kidney",
    "hepatic": "liver",
    "cardiac": "heart",
    "pulmonary": "lung",
    "gastric": "stomach",
    "esophageal": "esophagus",
    "oesophageal": "esophagus",
    "duodenal": "duodenum",
    "colonic": "colon",
    "rectal": "rectum",
    "anal": "anus",
    "pancreatic": "pancreas",
    "splenic": "spleen",
    "pupillary": "pupil",
    "cerebral": "brain",
    "cerebellar": "cerebellum",
    "ocular": "eye",
    "corneal": "cornea",
    "retinal": "retina",
    "nasal": "nose",
    "oral": "mouth",
    "lingual": "tongue",
    "dental": "tooth",
    "aural": "ear",
    "otic": "ear",
    "cutaneous": "skin",
    "dermal": "skin",
    "mammary": "breast",
    "ovarian": "ovary",
    "uterine": "uterus",
    "vaginal": "vagina",
    "testicular": "testis",
    "prostatic": "prostate",
    "urethral": "urethra",
    "ureteric": "ureter",
    "ureteral": "ureter",
    "vesical": "bladder",
    "tracheal": "trachea",
    "laryngeal": "larynx",
    "pharyngeal": "pharynx",
    "bronchial": "bronchus",
    "aortic": "aorta",
    "arterial": "artery",
    "venous": "vein",
    "abdominal": "abdomen",
    "thoracic": "chest",
    "thorax": "chest",
    "femoral": "femur",
    "humeral": "humerus",
    "radial": "radius",
    "ulnar": "ulna",
    "tibial": "tibia",
    "fibular": "fibula",
    "vertebral": "vertebra",
    "spinal": "spine",
    "osseous": "bone",
    "articular": "joint",
    "muscular": "muscle",
    "mandibular": "mandible",
    "maxillary": "maxilla",
    "umbilical": "umbilicus",
    "scrotal": "scrotum",
    "penile": "penis",
    "placental": "placenta",
    "fetal": "fetus",
    "foetal": "fetus",
}


# A change a finding names, as a participle and as its noun: one word ("enlarged spleen" and "splenic
# enlargement" say one thing, "dilated pupils" and "pupillary dilation" another). Only changes that
# are findings; a participle that is a comparison ("elevated", "reduced") reads as increased or
# decreased instead (SAME_MEANING).
PARTICIPLE_NOUNS: dict[str, str] = {
    "enlarged": "enlargement",
    "dilated": "dilation",
    "dilatation": "dilation",
    "constricted": "constriction",
    "swollen": "swelling",
    "thickened": "thickening",
    "narrowed": "narrowing",
    "inflamed": "inflammation",
    "distended": "distension",
    "distention": "distension",
    "perforated": "perforation",
    "obstructed": "obstruction",
    "ruptured": "rupture",
    "herniated": "herniation",
    "calcified": "calcification",
    "ulcerated": "ulceration",
    "dislocated": "dislocation",
    "infarcted": "infarction",
    "infected": "infection",
    "depressed": "depression",
}


# Everyday words that answers use for one another, each mapped to the one the opposite-term guard
# knows (medreward.medical.cues.OPPOSITE_PREFIXES): "raised intracranial pressure" is increased
# intracranial pressure, so it is also the opposite of "decreased intracranial pressure".
SAME_MEANING: dict[str, str] = {
    "raised": "increased",
    "elevated": "increased",
    "high": "increased",
    "exaggerated": "increased",
    "brisk": "increased",
    "low": "decreased",
    "slow": "decreased",
    "fast": "increased",
    "rapid": "increased",
    "reduced": "decreased",
    "lowered": "decreased",
    "diminished": "decreased",
    # a level that rises, as a verb or its noun ("does not elevate troponin", "a troponin rise" /
    # "troponin is not raised")
    **dict.fromkeys(
        "rise rises rising risen elevate elevates elevating raise raises raising".split(), "increased"
    ),
    "needed": "required",
    "necessary": "required",
    # starting and stopping a treatment, for the start/stop qualifier family, in every verb form
    # ("metformin should be stopped" / "stop metformin")
    **dict.fromkeys(
        "begin begins began begun beginning commence commenced commencing initiate initiated initiating "
        "started starting starts".split(),
        "start",
    ),
    **dict.fromkeys(
        "discontinue discontinued discontinuing withhold withheld withholding cease ceased ceasing "
        # "hold metformin" (not "holding": "breath-holding spells")
        "hold held stopped stopping stops".split(),
        "stop",
    ),
    **dict.fromkeys("continued continuing continues".split(), "continue"),
    **dict.fromkeys("avoided avoiding avoids".split(), "avoid"),
    # microbiology: a rod is a bacillus ("gram-negative rods")
    "rod": "bacillus",
    # an organ's adjective is its noun ("renal failure" / "kidney failure", "radial head fracture" /
    # "fracture of the radius"); ambiguous ones are left out ("cervical": neck or cervix)
    **ORGAN_ADJECTIVES,
    # a finding as a participle and as its noun ("enlarged spleen" / "splenic enlargement", "dilated
    # pupils" / "pupillary dilation")
    **PARTICIPLE_NOUNS,
    # an adjective that affirms the noun its negated form denies ("calculous" / "acalculous")
    **AFFIRMED_NOUNS,
    # "blood sugar" is blood glucose
    "sugar": "glucose",
    # taking a treatment as prescribed
    "compliance": "adherence",
    "compliant": "adherent",
    # a procedure by its other names ("Hartmann's operation", "voiding cystourethrogram")
    "operation": "procedure",
    "micturating": "voiding",
    "micturition": "voiding",
    # anatomical names that Terminologia Anatomica replaced ("deep peroneal nerve" / "deep fibular nerve")
    "peroneal": "fibula",
    "peroneus": "fibularis",
    # units of time written short, outside a quantity ("100-120/min" / "per minute")
    "min": "minute",
    "hr": "hour",
}


def to_same_meaning(tokens: list[str]) -> list[str]:
    """Words of :data:`SAME_MEANING` as the word they stand for.

    >>> to_same_meaning(["raised", "intracranial", "pressure"])
    ['increased', 'intracranial', 'pressure']
    """
    return [SAME_MEANING.get(t, t) for t in tokens]


# Number words as digits, so that "two doses" and "2 doses" agree (Roman numerals: to_arabic_numerals).
NUMBER_WORDS: dict[str, str] = {w: str(i) for w, i in _CARDINALS.items()} | {
    w: str(i)
    for i, w in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth".split(), start=1)
}


def to_digits(tokens: list[str]) -> list[str]:
    """Number words as digits.

    >>> to_digits(["two", "doses"])
    ['2', 'doses']
    """
    return [NUMBER_WORDS.get(t, t) for t in tokens]


_TermStep = Callable[[list[str]], list[str]]


def _uninflect_all(tokens: list[str]) -> list[str]:
    return [uninflect(t) for t in tokens]


def to_us_spelling(tokens: list[str]) -> list[str]:
    """British spellings to American, from the bundled lexicon: ``"oedema"`` -> ``"edema"``."""
    spelling = load_lexicon().us_spelling
    return [spelling(t) for t in tokens]


# The token steps, in order. One place to add a step (synonyms, ...). Every step maps each token on
# its own (to one token or none), so the pipeline's result is cached per token.
TERM_PIPELINE: tuple[_TermStep, ...] = (
    drop_stop_words,
    to_us_spelling,
    _uninflect_all,
    to_same_meaning,
    to_digits,
)

# token -> its normalized form, "" for a dropped token. Bounded: cleared when full. Plain dict reads
# and writes are atomic in CPython, so threads share it safely (at worst one computes a value twice).
_TOKEN_CACHE: dict[str, str] = {}
_TOKEN_CACHE_SIZE = 200_000


def _normalize_token(token: str) -> str:
    tokens = [token]
    for step in TERM_PIPELINE:
        tokens = step(tokens)
    return tokens[0] if tokens else ""


def normalize_tokens(text: str) -> list[str]:
    """The content terms of ``text`` in text order, repeats kept: :func:`normalize_terms` unsorted.

    >>> normalize_tokens("Haemorrhages of the oesophagus")
    ['hemorrhage', 'esophagus']
    """
    return normalize_folded(term_tokens(text))


def normalize_folded(tokens: list[str]) -> list[str]:
    """:func:`normalize_tokens` for tokens already folded (:func:`term_tokens`): reuse one fold.

    >>> tokens = term_tokens("Haemorrhages of the oesophagus")
    >>> " ".join(tokens), normalize_folded(tokens)
    ('haemorrhages of the oesophagus', ['hemorrhage', 'esophagus'])
    """
    cache = _TOKEN_CACHE
    terms = list(map(cache.get, tokens))  # one C-level pass; None marks a token not seen before
    if None in terms:
        if len(cache) >= _TOKEN_CACHE_SIZE:
            cache.clear()
        for i, term in enumerate(terms):
            if term is None:
                terms[i] = cache[tokens[i]] = _normalize_token(tokens[i])
    return list(filter(None, terms))  # without the dropped tokens (""), in C


def normalize_terms(text: str) -> tuple[str, ...]:
    """The sorted content terms of ``text``: the word-order-free key that answers are compared on."""
    return tuple(sorted(normalize_tokens(text)))


def normalization_fingerprint() -> str:
    """A hash of every table and step that normalization applies: the lexicon records the one it was
    built with, and a test compares them, so a table changed without rebuilding the lexicon (whose
    term keys it shapes) is caught.

    >>> len(normalization_fingerprint())
    16
    """
    import hashlib
    import json

    tables = {
        "stop_words": sorted(STOP_WORDS),
        "same_meaning": SAME_MEANING,
        "irregular_plurals": IRREGULAR_PLURALS,
        "number_words": NUMBER_WORDS,
        "numbering_words": sorted(NUMBERING_WORDS),
        "designating_words": sorted(DESIGNATING_WORDS),
        "blood_level_roots": BLOOD_LEVEL_ROOTS,
        "level_roots": LEVEL_ROOTS,
        "anatomical_abbreviations": ANATOMICAL_ABBREVIATIONS,
        "term_pipeline": [getattr(step, "__name__", repr(step)) for step in TERM_PIPELINE],
        "negating_prefix": NEGATING_PREFIX.pattern,
        "bound_prefix": BOUND_PREFIX.pattern,
        "ions": IONS,
        "number_forms": [
            _TENS_WORDS.pattern,
            _HUNDREDS_WORDS.pattern,
            _NUMBER_SUFFIX.pattern,
            _LEADING_ZEROS.pattern,
            _THOUSANDS.pattern,
        ],
        "same_meaning_phrases": SAME_MEANING_PHRASES,
        "imaging_words": ["graphy", "graph", "gram", _MIN_IMAGING_WORD],
        "latin_bacteria_plurals": list(_LATIN_BACTERIA_PLURALS),
        "levels": _ANY_LEVEL.pattern,
    }
    encoded = json.dumps(tables, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]
