"""Quantities with units: one canonical token per quantity, and what that does to answer judging."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medreward.medical import AnswerMatcher
from medreward.medical.quantities import UNITS, canonical_quantities

MATCHER = AnswerMatcher()


def verdict(solution: str, reference: str) -> str:
    return MATCHER.compare(solution, MATCHER.analyze(reference)).verdict


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.5 g", "500mg"),
        ("250 mcg", "0.25mg"),
        ("250 µg", "0.25mg"),
        ("1,000 mg", "1000mg"),
        ("2 L of saline", "2000ml of saline"),
        ("5 mL", "5ml"),
        ("1 week", "10080min"),
        ("one week", "10080min"),
        ("Three weeks", "30240min"),
        ("30 minutes", "30min"),
        ("2 hours", "120min"),
        ("a 3-day course", "a 4320min course"),
        ("5 to 7 days", "7200min to 10080min"),
        ("5-7 days", "7200min to 10080min"),
        ("two to three days", "2880min to 4320min"),
        ("0.01 g/kg", "10mg/kg"),
        # intervals under a minute, in ms
        ("0.12 s", "120ms"),
        ("120 milliseconds", "120ms"),
        # a mass per volume, per litre
        ("1.1 g/dL", "11000mg/l"),
        ("11 g per litre", "11000mg/l"),
        # temperatures in degrees Celsius, to one decimal
        ("38.0 \u00b0C", "38degc"),
        ("100.4 \u00b0F", "38degc"),
        ("thirty-eight degrees Celsius", "38degc"),
        # a decimal's trailing zeros
        ("2.0-3.0", "2-3"),
        ("1.50", "1.5"),
        ("0.70", "70%"),  # a fraction of one, as a percentage
        ("six mg", "6mg"),
    ],
)
def test_quantities_are_rewritten_in_base_units(text: str, expected: str) -> None:
    assert canonical_quantities(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Type 2 diabetes",  # a number without a unit
        "120 mmHg",  # a unit the table does not convert
        "5 gy",  # a unit that only starts like one
        "6 months",  # months and years vary in length: left alone
        "T4",
        "x1 g",  # a number inside a word
        "1.5.3 g",  # not a number
        "None week",  # a number word inside a word
        "the 1990s",  # a decade, not seconds
        "Mobitz 2 second-degree block",  # an ordinal, not a time
        "pain over the mastoid",
        "infused over 10 minutes".replace("10 minutes", "an hour"),
        "under general anaesthesia",  # no number: no comparison
        "0.9% saline",  # a fraction with a unit, a power of ten or a unit per volume after it
        "0.5 x 10^9/L",
        "0.3 mmol/L",
        "22q11.2",
    ],
)
def test_other_text_is_left_alone(text: str) -> None:
    assert canonical_quantities(text) == text


def test_conversions_are_exact_at_any_size() -> None:
    # Every factor is a whole number or a power of ten: no rounding, however many digits.
    assert canonical_quantities("0.000000000000000000001 mg") == "0.000000000000000000001mg"
    assert canonical_quantities("999999999999999999999999999 mcg") == "999999999999999999999999.999mg"
    assert canonical_quantities("123456789012345678901234567.5 min") == "123456789012345678901234567.5min"
    # A number longer than any dose or time stays as written rather than being rounded.
    absurd = "9" * 40 + " mg"
    assert canonical_quantities(absurd) == absurd


def test_keep_written_puts_the_canonical_form_after_the_written_one() -> None:
    assert canonical_quantities("about 20 to 23 grams a day", keep_written=True) == (
        "about 20 to 23 grams 20000mg to 23000mg a day"
    )
    assert canonical_quantities("for three days", keep_written=True) == "for three days 4320min"


_UNIT_NAMES = sorted(UNITS)


@given(
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10_000), places=3),
    st.sampled_from(_UNIT_NAMES),
)
def test_canonical_form_is_a_fixed_point(value: Decimal, unit: str) -> None:
    once = canonical_quantities(f"{value} {unit}")
    assert canonical_quantities(once) == once


@given(st.integers(min_value=1, max_value=10_000), st.sampled_from(["mg", "ml"]))
def test_the_same_amount_in_another_unit_is_the_same_token(amount: int, base: str) -> None:
    thousandth = format(Decimal(amount) / 1000, "f")
    larger = "g" if base == "mg" else "L"
    assert canonical_quantities(f"{amount} {base}") == canonical_quantities(f"{thousandth} {larger}")


def test_doses_in_other_units_are_equivalent_answers() -> None:
    assert verdict("500 mg", "0.5 g") in {"exact", "equivalent"}
    assert verdict("1 week", "7 days") in {"exact", "equivalent"}
    assert verdict("48 hours", "2 days") in {"exact", "equivalent"}


def test_different_amounts_stay_different() -> None:
    assert verdict("5 mg", "50 mg") == "mismatch"
    assert verdict("0.5 mg", "5 mg") == "mismatch"
    assert verdict("1 day", "1 week") == "mismatch"
    assert verdict("5 g", "5 mg") == "mismatch"


CLOPIDOGREL = (
    "Clopidogrel is typically recommended to be withheld for about 5 to 7 days before surgery. This "
    "timeframe balances the risk of bleeding with the risk of clot formation."
)
SALT = (
    "She is consuming about 8 grams more sodium than needed. Her kidneys would likely excrete "
    "approximately 20 to 23 grams of salt each day."
)


def test_a_long_reference_supports_the_same_time_in_other_units() -> None:
    analysed = MATCHER.analyze(CLOPIDOGREL)
    assert MATCHER.compare("1 week", analysed).verdict == "partial"
    for wrong in ("1 day", "3 weeks", "4 weeks"):
        assert MATCHER.compare(wrong, analysed).verdict == "mismatch", wrong


def test_a_number_and_a_unit_are_one_term_not_two() -> None:
    # "5" and "hours" both occur in "5 to 7 days (120 to 168 hours)" taken apart; together they do not.
    assert MATCHER.compare("5 hours", MATCHER.analyze(CLOPIDOGREL)).verdict == "mismatch"


def test_a_long_reference_still_supports_a_bare_number() -> None:
    analysed = MATCHER.analyze(SALT)
    assert MATCHER.compare("23", analysed).verdict == "partial"
    assert MATCHER.compare("12", analysed).verdict == "mismatch"


def test_tens_in_words_are_one_number_before_a_unit() -> None:
    assert canonical_quantities("within seventy-two hours") == canonical_quantities("within 72 hours")
    assert canonical_quantities("twenty days") == canonical_quantities("20 days")


@pytest.mark.parametrize(("one", "other"), [
    ("Paracetamol 1 g every 6 hours", "acetaminophen 1000 mg q6h"),
    ("Paracetamol 1 g every 6 hours", "paracetamol 1000 mg 6-hourly"),
    ("Paracetamol 1 g every 6 hours", "paracetamol 1 g four times a day"),
    ("amoxicillin 500 mg every 8 hours", "amoxicillin 500 mg TDS"),
    ("amoxicillin 500 mg every 8 hours", "amoxicillin 500 mg three times daily"),
    ("metformin 500 mg every 12 hours", "metformin 500 mg twice a day"),
])  # fmt: skip
def test_a_dosing_frequency_is_the_interval_it_means(one: str, other: str) -> None:
    assert canonical_quantities(one).lower() == canonical_quantities(other).lower().replace(
        "acetaminophen", "paracetamol"
    )


def test_latin_frequencies_are_read_only_beside_a_dose() -> None:
    assert canonical_quantities("Bid for help") == "Bid for help"
    assert canonical_quantities("every 2 hours") != canonical_quantities("every 6 hours")


@pytest.mark.parametrize(("one", "other"), [
    ("1 in 4", "25%"),
    ("one out of four", "25%"),
    ("a 1 in 2 chance", "a 50% chance"),
    ("3 cm", "30 mm"),
    # a fraction of one without a unit is the percentage it means
    ("below 0.7", "below 70%"),
    ("a sensitivity of 0.85.", "a sensitivity of 85%."),
    ("0.15 to 0.20", "15% to 20%"),
])  # fmt: skip
def test_proportions_and_lengths_are_written_one_way(one: str, other: str) -> None:
    assert canonical_quantities(one) == canonical_quantities(other)


@pytest.mark.parametrize("answer", ["FEV1/FVC < 0.70", "FEV1/FVC less than 70%", "FEV1/FVC under 70 percent"])
def test_a_ratio_as_a_fraction_or_a_percentage_is_one_answer(answer: str) -> None:
    assert verdict(answer, "FEV1/FVC below 0.7") in ("exact", "equivalent")
    assert verdict("FEV1/FVC above 70%", "FEV1/FVC below 0.7") == "mismatch"


def test_a_comparison_after_an_aside_stays_with_its_number_in_a_paragraph() -> None:
    # "or higher" after a bracketed equivalent compares the number before the bracket: the passage
    # that holds the number holds the direction too.
    reference = (
        "Diabetes mellitus can be diagnosed when the HbA1c is 48 mmol/mol (6.5%) or higher. A value of "
        "42-47 mmol/mol indicates non-diabetic hyperglycaemia instead."
    )
    analysed = MATCHER.analyze(reference)
    assert MATCHER.compare("HbA1c below 48 mmol/mol", analysed).verdict == "mismatch"
    assert MATCHER.compare("HbA1c of 48 mmol/mol or more", analysed).verdict == "partial"


def test_a_count_in_a_time_is_no_proportion() -> None:
    assert "%" not in canonical_quantities("1 in 4 hours")


@pytest.mark.parametrize("written", ["5 cm", "5 CM", "five cm", "50 mm"])
def test_a_length_in_any_case_or_in_words_is_one_quantity(written: str) -> None:
    assert canonical_quantities(written) == "50mm"


@pytest.mark.parametrize(
    ("above", "below"),
    [
        ("38 \u00b0C or higher", "below 38 \u00b0C"),
        ("\u22651.1 g/dL", "<1.1 g/dL"),
        ("FEV1/FVC greater than 0.7", "FEV1/FVC < 0.70"),
        ("at least 2 doses", "no more than 2 doses"),
        ("not less than 2 doses", "fewer than 2 doses"),
        ("48 mmol/mol (6.5%) or higher", "48 mmol/mol (6.5%) or lower"),
    ],
)
def test_a_comparison_is_one_word_for_each_direction(above: str, below: str) -> None:
    assert "above" in canonical_quantities(above).split()
    assert "below" in canonical_quantities(below).split()
    assert verdict(above, below) == "mismatch"


def test_a_comparison_after_scientific_notation_moves_before_the_mantissa() -> None:
    assert canonical_quantities("0.5 \u00d7 10^9/L or lower").split() == ["below", "0.5", "\u00d7", "10^9/L"]


@pytest.mark.parametrize(
    ("reference", "answer"),
    [
        ("38 \u00b0C or higher", "\u2265100.4 \u00b0F"),
        ("At least 38 degrees Celsius", "38.0 \u00b0C or more"),
        ("1.1 g/dL or more", "11 g/L or greater"),
        ("1.1 g/dL or more", "\u22651.1 g/dL"),
        ("At least 5 mg", "5 mg or more"),
        ("120-200 ms", "0.12 to 0.20 seconds"),
        ("INR 2.0-3.0", "INR 2 to 3"),
    ],
)
def test_a_quantity_written_another_way_is_the_same_answer(reference: str, answer: str) -> None:
    assert verdict(answer, reference) in ("exact", "equivalent")


_PIECES = st.sampled_from(
    ["1", "0.5", ".5", "1.2.3", "9" * 40, "0." + "0" * 35 + "1", "38", "100.4", "six", "thirty-eight",
     "mg", "g", "dL", "/", "per", "L", "s", "ms", "seconds", "°", "°F", "°C", "degrees", "Celsius",
     "F", "≥", "<", "at least", "no more than", "or more", "or less", "than", "1 in 4", ",", ".", " "]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=12).map("".join), st.lists(_PIECES, max_size=12).map(" ".join))
def test_malformed_quantities_never_raise(glued: str, spaced: str) -> None:
    for text in (glued, spaced):
        assert isinstance(canonical_quantities(text), str)
        assert isinstance(canonical_quantities(text, keep_written=True), str)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.2.3mg/dl", "1.2.3mg/dl"),  # no number: left alone (Decimal raised here)
        (".5mg/dl", ".5mg/dl"),  # not read as 5 mg/dL
        ("9" * 29 + ".5 \u00b0C", "9" * 29 + ".5 \u00b0C"),  # too long to be a temperature
        ("9" * 30 + " \u00b0F", "5" * 30 + ".6degc"),  # long, but exact
    ],
)
def test_odd_numbers_before_a_unit_are_left_alone_or_read_exactly(text: str, expected: str) -> None:
    assert canonical_quantities(text) == expected


_ABOVE_WORDS = (
    "greater than", "more than", "higher than", "at least", "above", "exceeding", "in excess of",
    "not less than", "\u2265", ">",
)  # fmt: skip
_BELOW_WORDS = (
    "less than", "fewer than", "lower than", "at most", "under", "below", "no more than", "\u2264", "<",
)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        *((f"{w} 5 mg", "above") for w in _ABOVE_WORDS),
        *((f"{w} 5 mg", "below") for w in _BELOW_WORDS),
        ("5 mg or more", "above"),
        ("5 mg and above", "above"),
        ("5 mg or less", "below"),
    ],
)  # fmt: skip
def test_every_comparison_word_is_read_past_the_fast_path(text: str, direction: str) -> None:
    words = canonical_quantities(text).split()
    assert direction in words and ({"above", "below"} - {direction}).isdisjoint(words), words


@pytest.mark.parametrize(
    ("after", "before"),
    [
        ("5 mg or more", "at least 5 mg"),
        ("38 \u00b0C or higher", "\u226538 \u00b0C"),
        ("2 or fewer", "at most 2"),
    ],
)
def test_a_comparison_reads_the_same_before_or_after_its_number(after: str, before: str) -> None:
    # The same words in the same order: the clause-order guard compares order.
    assert canonical_quantities(after).split() == canonical_quantities(before).split()


@pytest.mark.parametrize("limit", ["Within 72 hours", "Up to 72 hours", "No later than 72 hours", "< 3 days"])
def test_a_limit_in_time_is_below_it_however_it_is_said(limit: str) -> None:
    assert canonical_quantities(limit).split()[-2:] == ["below", "4320min"]
    assert verdict(limit, "Within 3 days") in ("exact", "equivalent")
    assert verdict(limit, "Within 7 days") == "mismatch"
    assert canonical_quantities("within normal limits") == "within normal limits"


def test_a_unit_of_time_written_short_is_the_unit() -> None:
    assert verdict("100-120/min", "100–120 compressions per minute") == "partial"  # noqa: RUF001 (the en dash as written)
    assert verdict("60-80/min", "100–120 compressions per minute") == "mismatch"  # noqa: RUF001
