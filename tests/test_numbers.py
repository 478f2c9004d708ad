"""Vietnamese number notation -> values and English notation, over tables."""
from __future__ import annotations

import pytest

from pipeline.numbers import (
    find_numbers,
    parse_vi_number,
    to_english_number,
    to_english_numbers_in,
    to_english_quantity,
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


QUANTITIES = [
    ("12.246 kg", "12,246 kg"),
    ("11.113 kg", "11,113 kg"),
    ("Mach 2,8", "Mach 2.8"),
    ("Mach 3", "Mach 3"),
    ("3.500 km/h", "3,500 km/h"),
    ("1.020 m/s", "1,020 m/s"),
    ("24 km", "24 km"),
    ("2 giờ", "2 hours"),
    ("1.500 tấn", "1,500 tonnes"),
    ("20 hải lý", "20 nautical miles"),
    ("2,5%", "2.5%"),
]


@pytest.mark.parametrize(("text", "english"), QUANTITIES)
def test_to_english_quantity(text, english):
    assert to_english_quantity(text) == english


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
