"""Quantities: a number in Vietnamese notation followed by a unit of measurement.

Vietnamese writes ``1.020`` for one thousand and twenty and ``2,8`` for two point eight; numbers are
found with :data:`pipeline.numbers.VI_NUMBER` and read by :func:`pipeline.numbers.parse_number`, the
pipeline's one number parser. Values are rendered in English notation with every thousand grouped
(``1,020 m/s``, ``3,000 years``, ``Mach 2.8``). Units come from ``resources/measures.tsv``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from ..numbers import VI_NUMBER, parse_number
from .candidates import Candidate
from .resources import measures


def _number(surface: str) -> tuple[float, str]:
    """Value and English of a ``VI_NUMBER`` match: ``"1.650+"`` -> ``(1650.0, "1,650+")``."""
    parsed = parse_number(surface)
    if parsed is None:
        raise ValueError(f"VI_NUMBER matched {surface!r}, which parse_number rejects")
    return float(parsed.value), parsed.english(group_thousands=True)


def _unit_alternation() -> str:
    surfaces = sorted(measures(), key=len, reverse=True)
    return "|".join(re.escape(s) for s in surfaces)


_PATTERN: re.Pattern[str] | None = None


def _pattern() -> re.Pattern[str]:
    global _PATTERN
    if _PATTERN is None:
        units = _unit_alternation()
        _PATTERN = re.compile(
            rf"(?P<mach>\bMach\s?(?P<machnum>{VI_NUMBER}))"
            rf"|(?P<ftin>(?<![\w.,/-])(?P<ft>\d+)\s?ft\s(?P<inch>\d+[½¼¾]?)\s?in\b)"
            rf"|(?P<cmp>[<>≥≤~])?(?:(?<![\w.,/-])(?P<neg>[-−])(?=\d)|(?<![\w.,/-]))(?P<num>{VI_NUMBER})\s?"
            rf"(?P<unit>{units})(?![\w²³/])"
            rf"|(?<![\w])(?P<word>{'|'.join(SPELLED)}|{'|'.join(w.capitalize() for w in SPELLED)})\s(?P<wunit>{units})"
            rf"(?![\w²³/])(?!\s(?:nọ|kia|nào|đó|ấy)\b)"
        )
    return _PATTERN


def find_quantities(text: str) -> Iterator[Candidate]:
    """QUANTITY candidates in ``text`` with ``value = {"value", "unit", "en"}``."""
    for m in _pattern().finditer(text):
        if m["mach"]:
            value, english = _number(m["machnum"])
            yield _candidate(m.start(), m.end(), text, value, "Mach", f"Mach {english}")
        elif m["ftin"]:
            inches, inch_en = _number(m["inch"])
            value = int(m["ft"]) + inches / 12
            yield _candidate(m.start(), m.end(), text, value, "ft", f"{m['ft']} ft {inch_en} in")
        elif m["word"]:
            unit = measures()[m["wunit"]]
            if unit.kind == "duration" and _is_date_context(text, m, "word"):
                continue
            value = float(SPELLED[m["word"].lower()])
            yield _candidate(m.start(), m.end(), text, value, unit.en, _render(value, str(int(value)), unit))
        else:
            unit = measures()[m["unit"]]
            if unit.kind == "duration" and _is_date_context(text, m):
                continue
            if m["unit"].isupper() and MODEL_BEFORE.search(text, max(0, m.start("num") - 30), m.start("num")):
                continue  # "iPhone 3G", "Galaxy S 4G": a model name, not 3 g of acceleration
            value, english = _number(m["num"])
            if m["neg"]:
                value, english = -value, f"-{english}"
            start = m.start("cmp") if m["cmp"] else m.start("neg") if m["neg"] else m.start("num")
            yield _candidate(start, m.end(), text, value, unit.en, (m["cmp"] or "") + _render(value, english, unit))


# Numbers written as words before a unit ("hai năm", "một mét"); "năm" (five) is left out: "năm tháng" is
# "years and months" far more often than five months.
SPELLED = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10}


def _render(value: float, english: str, unit) -> str:
    """``5 hours``, ``1 year``, ``114.09 min``, ``68.42°``, ``100 °C`` (SI: a space before °C, none before °)."""
    if unit.kind == "duration" and len(unit.en) > 3:
        return f"{english} {unit.en[:-1] if value == 1 else unit.en}"
    if unit.en == "°":
        return f"{english}{unit.en}"
    return f"{english} {unit.en}"


MODEL_BEFORE = re.compile(r"[^\W\d_]*[A-Z][\w-]* $")


def _is_date_context(text: str, m: re.Match[str], group: str = "num") -> bool:
    """``tháng 7 năm 1975`` and ``ngày 6 tháng 9`` are dates, not durations."""
    before = text[max(0, m.start(group) - 6):m.start(group)].lower()
    after = text[m.end():m.end() + 6]
    return before.rstrip().endswith(("tháng", "ngày")) or bool(re.match(r"\s?\d", after))


def _candidate(start: int, end: int, text: str, value: float, unit: str, english: str) -> Candidate:
    return Candidate(start, end, "QUANTITY", "quantity", text[start:end], name_en=english,
                     key=f"QUANTITY:{english}", value={"value": value, "unit": unit, "en": english})
