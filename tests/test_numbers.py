"""Vietnamese number notation -> values and English notation, over tables and properties.

``pipeline.numbers`` is the one number parser: the forms the translation stage needs (signs, English
forms that leaked into the text) and those the quantity finder needs (fractions, a trailing ``+``,
thousands grouped in measurements) are rows of the same tables."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.numbers import (
    FRACTIONS,
    VI_NUMBER,
    find_numbers,
    parse_number,
    parse_vi_number,
    to_english_number,
    to_english_numbers_in,
)

# text, value, English rendering (None: not a number, rendered unchanged)
NUMBERS = [
    ("25", 25, "25"),
    ("1976", 1976, "1976"),  # plain digits: kept as written (years, codes)
    ("10000", 10000, "10000"),
    ("1.020", 1020, "1,020"),
    ("12.246", 12246, "12,246"),
    ("11.113", 11113, "11,113"),
    ("3.500", 3500, "3,500"),
    ("3.920", 3920, "3,920"),
    ("1.234.567", 1234567, "1,234,567"),
    ("2,8", 2.8, "2.8"),
    ("3,2", 3.2, "3.2"),
    ("0,5", 0.5, "0.5"),
    ("2,80", 2.8, "2.80"),  # digits as written
    ("1.234.567,5", 1234567.5, "1,234,567.5"),
    ("12.246,75", 12246.75, "12,246.75"),
    ("1,020", 1.02, "1.020"),  # Vietnamese convention: one comma is the decimal mark
    ("1.5", 1.5, "1.5"),  # a single dot without three digits: English decimal point
    ("3.14", 3.14, "3.14"),
    ("0.500", 0.5, "0.500"),  # a leading 0 group is never thousands
    ("1,234,567", 1234567, "1,234,567"),  # several comma groups of three: English grouping
    ("-12.246", -12246, "-12,246"),
    ("\u221212,5", -12.5, "-12.5"),
    ("+3", 3, "+3"),
    (" 3.500 ", 3500, "3,500"),
    ("6.9.1976", None, "6.9.1976"),  # dates and versions are not numbers
    ("1.2.3", None, "1.2.3"),
    ("1.234,5,6", None, "1.234,5,6"),
    ("1.23.456", None, "1.23.456"),
    ("6/9/1976", None, "6/9/1976"),
    ("Mig-25", None, "Mig-25"),
    ("", None, ""),
    ("abc", None, "abc"),
    ("1,", None, "1,"),
    (".5", None, ".5"),
    ("20,011.07", None, "20,011.07"),  # mixed notation, found in real text: refused, not a crash
    ("1,234,567.25", 1234567.25, "1,234,567.25"),  # English grouping and decimal point
    ("0.005", 0.005, "0.005"),  # never 5: a lone leading 0 is not a thousands group
    ("0.500,5", None, "0.500,5"),  # ... so with a decimal comma after it, malformed
    ("5½", 5.5, "5½"),  # vulgar fractions after whole digits (imperial measures)
    ("1¾", 1.75, "1¾"),
    ("2¼", 2.25, "2¼"),
    ("2⅓", 2 + 1 / 3, "2⅓"),
    ("1⅔", 1 + 2 / 3, "1⅔"),
    ("1.500½", 1500.5, "1,500½"),
    ("-5½", -5.5, "-5½"),
    ("2,5½", None, "2,5½"),  # a fraction after decimals is malformed
    ("½", None, "½"),  # a fraction needs whole digits before it
    ("5½½", None, "5½½"),
    ("1.650+", 1650, "1,650+"),  # a trailing "+": at least; the value is the number
    ("2,5+", 2.5, "2.5+"),
    ("5½+", 5.5, "5½+"),
    ("2+", 2, "2+"),
    ("+", None, "+"),
    ("5++", None, "5++"),
    ("5+½", None, "5+½"),
    ("²", None, "²"),  # a superscript is a digit to str.isdigit, not a number
    ("5²", None, "5²"),
]


@pytest.mark.parametrize(("text", "value", "english"), NUMBERS)
def test_parse_vi_number(text, value, english):
    parsed = parse_vi_number(text)
    assert parsed == value
    if value is not None:
        assert type(parsed) is type(value)


@pytest.mark.parametrize(("text", "value", "english"), NUMBERS)
def test_to_english_number(text, value, english):
    assert to_english_number(text) == english


# text, value, English as a measurement (QUANTITY values): every integer part grouped
MEASUREMENTS = [
    ("1.020", 1020, "1,020"),
    ("2,8", 2.8, "2.8"),
    ("12.246", 12246, "12,246"),
    ("19,43", 19.43, "19.43"),
    ("22,70", 22.7, "22.70"),
    ("1.234.567", 1234567, "1,234,567"),
    ("1.650+", 1650, "1,650+"),
    ("2,5+", 2.5, "2.5+"),
    ("5½", 5.5, "5½"),
    ("3000", 3000, "3,000"),  # a measurement is never a year: 3000 năm -> 3,000 years
    ("1568,7", 1568.7, "1,568.7"),
    ("04", 4, "4"),  # 04 tháng -> 4 months
    ("0,5", 0.5, "0.5"),
]


@pytest.mark.parametrize(("text", "value", "english"), MEASUREMENTS)
def test_measurement_rendering(text, value, english):
    parsed = parse_number(text)
    assert parsed.value == pytest.approx(value)
    assert parsed.english(group_thousands=True) == english


@pytest.mark.parametrize(("text", "value", "english"), [row for row in NUMBERS if row[1] is not None])
def test_vi_number_matches_read_as_the_table_says(text, value, english):
    """The quantity finder's pattern never matches what the parser rejects or reads otherwise."""
    if re.fullmatch(VI_NUMBER, text.strip()):
        assert parse_number(text).value == value


@pytest.mark.parametrize("text", [row[0] for row in NUMBERS if row[1] is None] + ["0.500", "0.500½", "1.5"])
def test_vi_number_refuses_what_is_not_vietnamese_notation(text):
    assert not re.fullmatch(VI_NUMBER, text)


WHOLE = st.integers(min_value=0, max_value=10**12)
DECIMALS = st.none() | st.text(alphabet="0123456789", min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(WHOLE, st.booleans(), DECIMALS, st.sampled_from(["", *FRACTIONS]), st.booleans(),
       st.sampled_from(["", "-", "\u2212"]))
def test_vietnamese_notation_round_trips(whole, grouped, decimals, fraction, at_least, sign):
    """Any number written the Vietnamese way reads back to its value and its English forms."""
    if decimals is not None:
        fraction = ""  # a fraction follows whole digits only
    tail = ("," + decimals if decimals is not None else "") + fraction + ("+" if at_least else "")
    text = sign + (f"{whole:,}".replace(",", ".") if grouped else str(whole)) + tail
    magnitude = (float(f"{whole}.{decimals}") if decimals is not None else whole) + FRACTIONS.get(fraction, 0)
    english_tail = tail.replace(",", ".")
    english_sign = "-" if sign else ""

    parsed = parse_number(text)
    assert parsed is not None, text
    assert parsed.value == pytest.approx(-magnitude if sign else magnitude)
    assert parsed.english() == english_sign + (f"{whole:,}" if grouped else str(whole)) + english_tail
    assert parsed.english(group_thousands=True) == english_sign + f"{whole:,}" + english_tail
    assert re.fullmatch(VI_NUMBER, text.removeprefix(sign))


@settings(max_examples=300, deadline=None)
@given(st.from_regex(VI_NUMBER, fullmatch=True))
def test_everything_the_quantity_finder_matches_parses(text):
    assert parse_number(text) is not None


SENTENCES = [
    ("vận tốc Mach 2,8 ( 3.500 km/h) thay vì Mach 3,2 (3.920 km/h).",
     "vận tốc Mach 2.8 ( 3,500 km/h) thay vì Mach 3.2 (3,920 km/h)."),
    ("Ngày 6/9/1976, tiêm kích Mig-25 và F-4 bay.", "Ngày 6/9/1976, tiêm kích Mig-25 và F-4 bay."),
    ("lực đẩy tới 12.246 kg chứ không phải 11.113 kg.", "lực đẩy tới 12,246 kg chứ không phải 11,113 kg."),
    ("năm 1976.", "năm 1976."),
    ("từ 10-20 km", "từ 10-20 km"),  # ranges are left as written
    ("3, 4 và 5", "3, 4 và 5"),
]


@pytest.mark.parametrize(("text", "english"), SENTENCES)
def test_numbers_in_running_text(text, english):
    assert to_english_numbers_in(text) == english


def test_find_numbers_offsets_hold():
    text = "Mach 2,8 ( 3.500 km/h) và 12.246 kg, năm 1976."
    spans = find_numbers(text)
    assert [s.surface for s in spans] == ["2,8", "3.500", "12.246", "1976"]
    assert all(text[s.start:s.end] == s.surface for s in spans)
    assert [s.en for s in spans] == ["2.8", "3,500", "12,246", "1976"]
