"""Quantities with units, rewritten in one canonical unit per dimension before terms are compared.

"0.5 g" and "500 mg" are the same dose, "1 week" and "7 days" the same time, yet their terms
differ and the number guard (``5 mg`` is not ``50 mg``) would call them different answers. Each
quantity of a known unit is rewritten as one token, its value in the dimension's base unit: mass
in ``mg``, volume in ``ml``, time in ``min`` ("0.5 g" -> "500mg", "1 week" -> "10080min").

One token, because the value means nothing without its unit: as separate terms, "5 hours" would
find both its terms in "5 to 7 days, 120 to 168 hours". Ranges keep their shape ("5 to 7 days" ->
"7200min to 10080min"). Every conversion factor is a whole number or a power of ten and values are
exact decimals, so no rounding makes two doses equal.

Months and years are left alone: their length in days varies, and "6 months" is not "26 weeks" in
any reference answer. Units that are only ratios of others (mg/kg, mmol/L) are rewritten part by part
where a part is a quantity ("0.01 g/kg" -> "10mg/kg") and otherwise left as written.

>>> canonical_quantities("0.5 g")
'500mg'
>>> canonical_quantities("Withhold for 5 to 7 days")
'Withhold for 7200min to 10080min'
>>> canonical_quantities("20 to 23 grams", keep_written=True)
'20 to 23 grams 20000mg to 23000mg'
>>> canonical_quantities("one week") == canonical_quantities("7 days")
True
"""

from __future__ import annotations

import re
from decimal import Context, Decimal
from functools import cache

from medreward.medical.normalize import TENS

__all__ = [
    "TIMES_A_DAY",
    "UNITS",
    "bound_comparisons",
    "canonical_quantities",
    "comparisons",
    "dosing_intervals",
    "fractions_as_percentages",
    "ratios",
]

# unit as written (lowercase) -> (base unit, factor to the base unit). One table for every unit.
UNITS: dict[str, tuple[str, Decimal]] = {
    **dict.fromkeys(("mcg", "µg", "μg", "ug", "microgram", "micrograms"), ("mg", Decimal("0.001"))),
    **dict.fromkeys(("mg", "milligram", "milligrams", "milligramme", "milligrammes"), ("mg", Decimal(1))),
    **dict.fromkeys(("g", "gm", "gram", "grams", "gramme", "grammes"), ("mg", Decimal(1000))),
    **dict.fromkeys(("kg", "kilogram", "kilograms", "kilogramme", "kilogrammes"), ("mg", Decimal(10**6))),
    **dict.fromkeys(
        ("ml", "milliliter", "milliliters", "millilitre", "millilitres", "cc"), ("ml", Decimal(1))
    ),
    **dict.fromkeys(("dl", "deciliter", "deciliters", "decilitre", "decilitres"), ("ml", Decimal(100))),
    **dict.fromkeys(("l", "liter", "liters", "litre", "litres"), ("ml", Decimal(1000))),
    **dict.fromkeys(("mm", "millimeter", "millimeters", "millimetre", "millimetres"), ("mm", Decimal(1))),
    **dict.fromkeys(("cm", "centimeter", "centimeters", "centimetre", "centimetres"), ("mm", Decimal(10))),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), ("min", Decimal(1))),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), ("min", Decimal(60))),
    **dict.fromkeys(("day", "days"), ("min", Decimal(1440))),
    **dict.fromkeys(("wk", "wks", "week", "weeks"), ("min", Decimal(10080))),
    # Intervals under a minute (an ECG's) are their own dimension: a second is no power of ten of a
    # minute, and no answer gives a QRS width in minutes.
    **dict.fromkeys(("ms", "msec", "msecs", "millisecond", "milliseconds"), ("ms", Decimal(1))),
    # ("second" alone is left out: "2 second-degree" is an ordinal, not a time)
    **dict.fromkeys(("s", "sec", "secs", "seconds"), ("ms", Decimal(1000))),
}

_NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
}

# Tens and their compounds as written with a hyphen ("seventy-two hours").
_NUMBER_WORDS |= {w: str(v) for w, v in TENS.items()}
_NUMBER_WORDS |= {
    f"{t}-{u}": str(v + int(_NUMBER_WORDS[u]))
    for t, v in TENS.items()
    for u in "one two three four five six seven eight nine".split()
}
_WORDS = "|".join(f"[{w[0]}{w[0].upper()}]{w[1:]}" for w in sorted(_NUMBER_WORDS, key=len, reverse=True))
# A number in digits, not inside a word or a longer number: the boundary is checked after the first
# digit, so that the pattern starts with a digit and the engine skips to digits in C.
_DIGITS = r"[0-9](?<![\w.][0-9])(?:[0-9]{0,2}(?:,[0-9]{3})+|[0-9]*)(?:\.[0-9]+)?"
_NUMBER = rf"(?:{_DIGITS}|(?:{_WORDS})\b)"


@cache
def _compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``pattern`` compiled on first use: the patterns with every number word cost milliseconds to
    compile, and most texts never reach them (each is behind a cheap scan)."""
    return re.compile(pattern, flags)


# Units as written, and capitalized ("mL", "Days"); case-sensitive, longest first. The lookahead on
# the first letter fails most numbers ("45-year-old", "100%") before the alternation is tried.
_WRITTEN = {v for u in UNITS for v in (u, u.capitalize(), u[:-1] + u[-1].upper(), u.upper())}
_UNIT = "|".join(sorted(map(re.escape, _WRITTEN), key=len, reverse=True))
_FIRST = "".join(sorted({re.escape(u[0]) for u in _WRITTEN}))
_TAIL = rf"(?:\s*(?:-|\u2013|to)\s*({_NUMBER}))?[\s-]?(?=[{_FIRST}])({_UNIT})(?![\w\u00b5\u03bc])"
# A number (or a range of two), an optional space or hyphen, a unit, and no letter after it.
_QUANTITY = re.compile(rf"({_DIGITS}){_TAIL}")
# The same with the number in words ("three days"), searched with a space in front of the text: the
# pattern starts with a literal space, which the engine skips to. Numbers are written in words
# mostly for times and lengths ("three days", "five cm"), so only texts that name one are searched.
_WORD_QUANTITY = rf" ((?:{_WORDS})\b){_TAIL}"
# Any number word, on lower-cased text: the cheap scan before that pattern (most texts that name a
# unit give its number in digits).
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(sorted({w.split("-")[0] for w in _NUMBER_WORDS})) + r")\b")


# Dosing frequencies, each rewritten as the interval it means ("q6h", "6-hourly" and "four times a day"
# are "every 6 hours", then 360min like any time): one table of the Latin and English forms. "bd" and
# "od" are left out, as they also abbreviate "bile duct" and "overdose".
TIMES_A_DAY: dict[str, int] = {
    "once": 1,
    "twice": 2,
    "two times": 2,
    "three times": 3,
    "four times": 4,
    "bid": 2,
    "tid": 3,
    "tds": 3,
    "qid": 4,
    "qds": 4,
}
_IN_WORDS = "|".join(k for k in TIMES_A_DAY if not k.isalpha() or k in ("once", "twice"))
_PER_DAY = re.compile(rf"\b({_IN_WORDS})\s+(?:(?:a|per|each)\s+day|daily)\b", re.IGNORECASE)
# bid, tid, tds, qid, qds, dotted or not; the leading class lets the engine skip to b, q and t in C.
_LATIN = re.compile(r"([bqtBQT](?<=\b[bqtBQT])(?:id|\.i\.d|(?<=[tqTQ])(?:ds|\.d\.s)))\b\.?", re.IGNORECASE)
_EVERY_HOURS = re.compile(
    r"\b(?:q\.?\s?([0-9]{1,2})\s?h(?:rs?|ours?)?\.?|([0-9]{1,2}|"
    + "|".join(list(_NUMBER_WORDS)[:12])
    + r")[\s-]?hourly)\b",
    re.IGNORECASE,
)


_ANY_DIGIT = re.compile(r"[0-9]")
# "q" and a number: the only start of a Latin interval ("q6h", "q 4 hrs").
_Q_HOURS = re.compile(r"q\.?\s?[0-9]")


def _interval(match: re.Match[str]) -> str:
    written = next(g for g in match.groups() if g is not None).lower().replace(".", "")
    return f"every {24 // TIMES_A_DAY[written]} hours"


def _every(match: re.Match[str]) -> str:
    hours = match.group(1) or match.group(2)
    return f"every {_NUMBER_WORDS.get(hours.lower(), hours)} hours"


# A proportion in words, "1 in 4" or "one out of four", is the percentage it means (25%); a share
# that does not end is kept to one decimal ("1 in 3": 33.3%).
_COUNT = rf"(?<![\w.])[0-9]{{1,4}}(?![\w.,:])|(?:{_WORDS})\b"
_PROPORTION = rf"(?<!\w)({_COUNT})\s+(?:in|out of)\s+({_COUNT})(?!\s*(?:{_UNIT})\b)"


# "in" or "out of" and a count after it: a cheap scan (it starts with a character class) before the
# full pattern, whose number words make it slow on a paragraph.
_PROPORTION_HINT = re.compile(rf"\s(?:in|out of)\s+(?:[0-9]|{_WORDS})")


def _percentage(match: re.Match[str]) -> str:
    part, whole = (Decimal(_NUMBER_WORDS.get(g.lower(), g)) for g in match.groups())
    if not 0 < part < whole:
        return match.group(0)
    share = (_EXACT.multiply(part, Decimal(100)) / whole).quantize(Decimal("0.1"))
    return f"{_format(share)}%"


def proportions(text: str) -> str:
    """``text`` with each proportion written as a percentage.

    >>> proportions("a 1 in 4 risk"), proportions("one out of four")
    ('a 25% risk', '25%')
    """
    if (" in " not in text and " out of " not in text) or _PROPORTION_HINT.search(text) is None:
        return text
    return _compiled(_PROPORTION).sub(_percentage, text)


# A fraction of one written as a decimal with no unit after it ("FEV1/FVC below 0.7", "a
# sensitivity of 0.85") is the percentage it means, as a proportion is: "less than 70%" says the
# same. Not a decimal with a unit, a percent sign or a power of ten after it ("0.5 mg", "0.9%
# saline", "0.5 x 10^9/L", "0.3 mmol/L"), nor one inside a longer number or a ratio ("1:0.5").
_FRACTION = re.compile(
    r"(?<![\w.,:/^])0\.([0-9]+)"
    rf"(?![0-9]|[.,][0-9]|\s*(?:%|per\s?cent|[x\u00d7*]\s*10|\^|/|[^\W\d_]+\s*/)|[\s-]?(?:{_UNIT})(?![\w\u00b5\u03bc]))"
)


def _as_percentage(match: re.Match[str], keep_written: bool) -> str:
    share = _format(Decimal(f"0.{match.group(1)}") * 100)
    return f"{match.group(0)} {share}%" if keep_written else f"{share}%"


def fractions_as_percentages(text: str, *, keep_written: bool = False) -> str:
    """``text`` with each decimal fraction of one that has no unit written as a percentage
    (``keep_written``: after the fraction as written).

    >>> fractions_as_percentages("FEV1/FVC below 0.7."), fractions_as_percentages("0.5 mg, 0.9% saline")
    ('FEV1/FVC below 70%.', '0.5 mg, 0.9% saline')
    >>> fractions_as_percentages("0.5 x 10^9/L"), fractions_as_percentages("0.25", keep_written=True)
    ('0.5 x 10^9/L', '0.25 25%')
    """
    if "0." not in text:
        return text
    return _FRACTION.sub(lambda m: _as_percentage(m, keep_written), text)


def dosing_intervals(text: str) -> str:
    """``text`` with each dosing frequency written as the interval it means.

    >>> dosing_intervals("Paracetamol 1 g qds")
    'Paracetamol 1 g every 6 hours'
    >>> dosing_intervals("1000 mg q6h") == dosing_intervals("1000 mg 6-hourly")
    True
    """
    low = text.lower()
    dose = _ANY_DIGIT.search(low) is not None
    if "day" in low or "dai" in low:  # most texts name no frequency: skip the search
        text = _PER_DAY.sub(_interval, text)
    if dose and ("id" in low or "ds" in low):  # the Latin forms only beside a dose ("Bid for help")
        text = _LATIN.sub(_interval, text)
    if "hourly" in low or (dose and _Q_HOURS.search(low) is not None):
        text = _EVERY_HOURS.sub(_every, text)
    return text


# Every factor is a whole number or a power of ten, so a product is exact once the context holds
# enough digits; a number longer than _MAX_DIGITS is no quantity anyone writes, and stays as written.
_MAX_DIGITS = 30
_EXACT = Context(prec=2 * _MAX_DIGITS)


def _value(written: str) -> Decimal:
    return Decimal(_NUMBER_WORDS.get(written.lower()) or written.replace(",", ""))


def _format(value: Decimal) -> str:
    return format(value.normalize(_EXACT), "f")


def _canonical(match: re.Match[str]) -> str:
    low, high, unit = match.groups()
    if len(low) > _MAX_DIGITS or (high is not None and len(high) > _MAX_DIGITS):
        return match.group(0)
    if unit == "s" and match.group(0)[-2:-1].isdigit():
        return match.group(0)  # "1990s" is a decade; seconds are written apart ("0.12 s")
    base, factor = UNITS[unit.lower()]
    value = _format(_EXACT.multiply(_value(low), factor)) + base
    if high is None:
        return value
    return f"{value} to {_format(_EXACT.multiply(_value(high), factor))}{base}"


def _canonical_words(match: re.Match[str]) -> str:
    return " " + _canonical(match)


def _both(match: re.Match[str]) -> str:
    # The match as written (a word quantity's match starts with its space), then its canonical form.
    return f"{match.group(0)} {_canonical(match)}"


# Numbers in words are searched for only before these units: times, lengths and doses ("three days",
# "five cm", "six mg").
_WORD_QUANTITY_UNITS = (
    "day",
    "week",
    "hour",
    "minute",
    "cm",
    "mm",
    "centim",
    "millim",
    "mg",
    "gram",
    "milli",
)

# A mass per volume, once the mass is in mg: per litre ("1.1 g/dL", "1100mg per decilitre" and
# "11 g/L" are all 11000mg/L).
_VOLUMES = {u: factor for u, (base, factor) in UNITS.items() if base == "ml"}
_CONCENTRATION = re.compile(
    r"(?<![\w.])([0-9]+(?:\.[0-9]+)?)mg\s*(?:/|\s+per\s+)("
    + "|".join(sorted(map(re.escape, _VOLUMES), key=len, reverse=True))
    + r")(?![\w\u00b5\u03bc])",
    re.IGNORECASE,
)
_PER_LITRE = Decimal(1000)


def _per_litre(match: re.Match[str]) -> str:
    value, volume = match.groups()
    if len(value) > _MAX_DIGITS:
        return match.group(0)
    per_litre = _EXACT.divide(_EXACT.multiply(Decimal(value), _PER_LITRE), _VOLUMES[volume.lower()])
    return f"{_format(per_litre)}mg/l"


# A temperature in degrees, Celsius or Fahrenheit ("38 °C", "38.0 degrees Celsius", "100.4 °F"): in
# degrees Celsius to one decimal, as one token ("38degc").
_TEMPERATURE = (
    rf"({_NUMBER})\s*(?:\u00b0|\u00ba|degrees?\s*|deg\s*)\s*(c|celsius|centigrade|f|fahrenheit)\b"
    rf"|({_NUMBER})\s*(celsius|centigrade|fahrenheit)\b"
)
_FAHRENHEIT = ("f", "fahrenheit")


def _celsius(match: re.Match[str]) -> str:
    value, scale = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    if len(value) > _MAX_DIGITS:
        return match.group(0)  # no temperature anyone writes: left as written
    degrees = _value(value)
    if scale.lower() in _FAHRENHEIT:
        degrees = _EXACT.divide(_EXACT.multiply(degrees - 32, Decimal(5)), Decimal(9))
    return f"{_format(degrees.quantize(Decimal('0.1'), context=_EXACT))}degc"


# Comparisons with a number, as one word for each direction: "38 °C or higher", "at least 38 °C" and
# "≥38 °C" are "above 38degc"; "less than 70%" and "< 70%" are "below 70%". The words before a number
# count only there ("under 60 a minute", but "under general anaesthesia" is no comparison); "over" is
# left alone, as doses are given over a time ("over 10 minutes"). A limit in time is below it:
# "within 72 hours", "up to 72 hours" and "no later than 72 hours" agree.
_NEGATED_COMPARISON = r"(?:no|not)\s+(?:less|more)\s+than"
_ABOVE_BEFORE = r"\u2265|>=|=>|>|(?:greater|more|higher)\s+than|at\s+least|above|exceeding|in\s+excess\s+of"
_BELOW_BEFORE = (
    r"\u2264|<=|=<|<|(?:less|fewer|lower)\s+than|at\s+most|under|below|within|up\s+to|"
    r"(?:no|not)\s+later\s+than"
)
# The words just before a number, the negated forms first ("no more than" is below, not "no" and
# above); searched in a short window before each number only.
_BEFORE_NUMBER = re.compile(
    rf"(?<![\w<>=])(?:({_NEGATED_COMPARISON})|({_ABOVE_BEFORE})|({_BELOW_BEFORE}))\s*$"
)  # searched in lowercased windows
_WINDOW = 24
# A comparison after a number moves before it, so that "1.1 g/dL or more" and "at least 1.1 g/dL"
# are the same words in the same order ("above 11000mg/l"); the number's unit, when written apart,
# moves with it, as does the mantissa of a number in scientific notation ("0.5 x 10^9/L or lower").
# A bracketed aside may stand between the number and the comparison ("48 mmol/mol
# (6.5%) or higher"): it stays after the number it glosses.
_AFTER_NUMBER = re.compile(
    r"(?:(?<![\w.])([0-9][^\s(),;]*(?:\s*[\u00d7x*]\s*[0-9][^\s(),;]*)?(?:\s+[^\s\d(),;]+)?))?"
    r"(\s*\([^()]{0,40}\))?\s*\b(?:or|and)\s+(?:(more|higher|greater|above|over)|(less|lower|fewer|below|under))\b",
    re.IGNORECASE,
)
# Substrings one of which a comparison before a number holds: scanned for first (IGNORECASE
# patterns are slow on a paragraph, and most texts compare nothing).
_BEFORE_HINTS = (
    "than",
    "least",
    "at most",
    "above",
    "under",
    "below",
    "exceed",
    "excess",
    "within",
    "up to",
    "<",
    ">",
    "\u2264",
    "\u2265",
)
# The same for a comparison after one, searched in the lowercased text.
_AFTER_HINT = re.compile(r" (?:or|and) (?:more|higher|greater|above|over|less|lower|fewer|below|under)\b")
_NUMBER_START = re.compile(r"[0-9]")


def _after_direction(match: re.Match[str]) -> str:
    number, aside, above = match.group(1), match.group(2), match.group(3)
    direction = " above " if above else " below "
    if number is not None:
        return f"{direction}{number}{aside or ''} "
    return f"{direction}{aside.strip()} " if aside else direction


def _before(window: str) -> tuple[int, str] | None:
    """Where the comparison that ends ``window`` starts, and its direction, or ``None``."""
    found = _BEFORE_NUMBER.search(window.lower())
    if found is None:
        return None
    negated, above, _ = found.groups()
    if negated is not None:
        return found.start(), "above" if "less" in negated else "below"
    return found.start(), "above" if above is not None else "below"


def comparisons(text: str) -> str:
    """``text`` with each comparison of a number as ``above`` or ``below``.

    >>> " ".join(comparisons("38 C or higher, \u226538 C, less than 70%, no more than 2").split())
    'above 38 C , above 38 C, below 70%, below 2'
    >>> " ".join(comparisons("48 mmol/mol (6.5%) or higher").split())
    'above 48 mmol/mol (6.5%)'
    """
    low = text.lower()
    if _AFTER_HINT.search(low) is not None:
        text = _AFTER_NUMBER.sub(_after_direction, text)
    if not any(hint in low for hint in _BEFORE_HINTS):
        return text
    pieces: list[str] = []
    done = 0
    for number in _NUMBER_START.finditer(text):
        at = number.start()
        if at <= done or (at > 0 and (text[at - 1].isalnum() or text[at - 1] == ".")):
            continue  # inside a number or a word ("FEV1", "3.5")
        low_start = max(done, at - _WINDOW)
        found = _before(text[low_start:at])
        if found is not None:
            start, direction = found
            pieces += [text[done : low_start + start], f" {direction} "]
            done = at
    if not pieces:
        return text
    return "".join(pieces) + text[done:]


# A decimal's trailing zeros say nothing of its value: "5.0" is "5", "0.70" is "0.7".
_TRAILING_ZEROS = re.compile(r"(?<![\w.])([0-9]+)(?:\.0+|(\.[0-9]*?[1-9])0+)(?![0-9])")


def _without_trailing_zeros(text: str) -> str:
    """``text`` with each decimal's trailing zeros dropped.

    >>> _without_trailing_zeros("INR 2.0-3.0, FEV1/FVC 0.70, 22q11.2")
    'INR 2-3, FEV1/FVC 0.7, 22q11.2'
    """
    if ".0" not in text and "0 " not in text and not text.endswith("0"):
        return text
    return _TRAILING_ZEROS.sub(lambda m: m.group(1) + (m.group(2) or ""), text)


def canonical_quantities(text: str, *, keep_written: bool = False) -> str:
    """``text`` with each quantity of a known unit written in its dimension's base unit.

    ``keep_written`` keeps each quantity as written too, before its canonical form: a long
    reference that says "20 to 23 grams" then also supports the bare answer "23".
    """
    digits, words = (_both, _both) if keep_written else (_canonical, _canonical_words)
    text = _without_trailing_zeros(text)
    if "\u00b0" in text or "deg" in text or "elsius" in text or "ahrenheit" in text:
        text = _compiled(_TEMPERATURE, re.IGNORECASE).sub(_celsius, text)
    text = _QUANTITY.sub(digits, dosing_intervals(proportions(text)))
    low = text.lower()
    if any(unit in low for unit in _WORD_QUANTITY_UNITS) and _NUMBER_WORD.search(low) is not None:
        text = _compiled(_WORD_QUANTITY).sub(words, " " + text)[1:]
    if "mg" in text:
        text = _CONCENTRATION.sub(_per_litre, text)
    return comparisons(fractions_as_percentages(text, keep_written=keep_written))


# A comparison and the number it binds, with a unit written against it ("above 38degc", "below
# 0.5", "above 11000mg"): the direction belongs to that number, not to every number of the text.
# The same pairs come from lowercased canonical text and from its folded form (a unit after a slash
# or a space is left out of both).
_BOUND_COMPARISON = re.compile(r"\b(above|below) ([0-9](?:[0-9.]*[0-9])?[a-z]*)")


def bound_comparisons(text: str) -> frozenset[tuple[str, str]]:
    """The (direction, number) pairs of lowercased canonical text (:func:`canonical_quantities`),
    folded or not.

    >>> sorted(bound_comparisons("count below 0.5 x 10^9/l, temperature above 38degc."))
    [('above', '38degc'), ('below', '0.5')]
    >>> bound_comparisons("above 11000mg/l") == bound_comparisons("above 11000mg l")
    True
    """
    if "above" not in text and "below" not in text:  # substring scans: most texts compare nothing
        return frozenset()
    return frozenset(_BOUND_COMPARISON.findall(text))


# Two numbers joined by a colon: a ratio, whose order is its meaning ("1:6" is not "6:1").
_RATIO = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)(?![\d.])")


def _without_leading_zeros(number: str) -> str:
    whole = number.lstrip("0")
    return "0" + whole if not whole or whole.startswith(".") else whole


def ratios(text: str) -> frozenset[tuple[str, str]]:
    """The ratios of ``text`` as ordered pairs of numbers, leading zeros dropped ("1:06", a ratio a
    spreadsheet wrote as a time, is 1:6).

    >>> sorted(ratios("a ratio of 1:06, not 6 : 1 or 0.5:1"))
    [('0.5', '1'), ('1', '6'), ('6', '1')]
    """
    if ":" not in text:  # a substring scan: most texts hold no ratio
        return frozenset()
    return frozenset((_without_leading_zeros(a), _without_leading_zeros(b)) for a, b in _RATIO.findall(text))
