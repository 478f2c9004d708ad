"""Quantities: a number in Vietnamese notation followed by a unit of measurement.

Vietnamese writes ``1.020`` for one thousand and twenty and ``2,8`` for two point eight. A dot before
exactly three digits groups thousands; a comma is the decimal mark. Values are rendered in English
notation (``1,020 m/s``, ``Mach 2.8``). Units come from ``resources/measures.tsv``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from .candidates import Candidate
from .resources import measures

FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3}
# A number: thousands groups with dots, or plain digits, then an optional decimal comma part, an optional
# vulgar fraction, and a trailing "+" ("Mach 2,5+", "1.650+ mph"). Not glued to letters or hyphens
# (``F-15``, ``Su-27``, ``G.222`` are designations, not numbers).
NUMBER = r"(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?[½¼¾⅓⅔]?\+?"
_NUM_RE = re.compile(r"(?P<int>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<dec>\d+))?(?P<frac>[½¼¾⅓⅔])?(?P<plus>\+)?")


def parse_number(text: str) -> tuple[float, str]:
    """``"1.020"`` -> ``(1020.0, "1,020")``; ``"2,8"`` -> ``(2.8, "2.8")``; ``"5½"`` -> ``(5.5, "5½")``."""
    m = _NUM_RE.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"not a Vietnamese number: {text!r}")
    digits = m["int"].replace(".", "")
    value = float(digits + ("." + m["dec"] if m["dec"] else ""))
    english = f"{int(digits):,}" + ("." + m["dec"] if m["dec"] else "")
    if m["frac"]:
        value += FRACTIONS[m["frac"]]
        english += m["frac"]
    return value, english + ("+" if m["plus"] else "")


def _unit_alternation() -> str:
    surfaces = sorted(measures(), key=len, reverse=True)
    return "|".join(re.escape(s) for s in surfaces)


_PATTERN: re.Pattern[str] | None = None


def _pattern() -> re.Pattern[str]:
    global _PATTERN
    if _PATTERN is None:
        units = _unit_alternation()
        _PATTERN = re.compile(
            rf"(?P<mach>\bMach\s?(?P<machnum>{NUMBER}))"
            rf"|(?P<ftin>(?<![\w.,/-])(?P<ft>\d+)\s?ft\s(?P<inch>\d+[½¼¾]?)\s?in\b)"
            rf"|(?P<cmp>[<>≥≤~])?(?<![\w.,/-])(?P<num>{NUMBER})\s?(?P<unit>{units})(?![\w²³/])"
        )
    return _PATTERN


def find_quantities(text: str) -> Iterator[Candidate]:
    """QUANTITY candidates in ``text`` with ``value = {"value", "unit", "en"}``."""
    for m in _pattern().finditer(text):
        if m["mach"]:
            value, english = parse_number(m["machnum"])
            yield _candidate(m.start(), m.end(), text, value, "Mach", f"Mach {english}")
        elif m["ftin"]:
            inches, inch_en = parse_number(m["inch"])
            value = int(m["ft"]) + inches / 12
            yield _candidate(m.start(), m.end(), text, value, "ft", f"{m['ft']} ft {inch_en} in")
        else:
            unit = measures()[m["unit"]]
            if unit.kind == "duration" and _is_date_context(text, m):
                continue
            value, english = parse_number(m["num"])
            start = m.start("cmp") if m["cmp"] else m.start("num")
            prefix = m["cmp"] or ""
            if unit.kind == "duration" and unit.en not in ("h",):
                rendered = f"{prefix}{english} {unit.en[:-1] if value == 1 else unit.en}"
            elif unit.en in ("°", "°C"):
                rendered = f"{prefix}{english}{unit.en}"
            else:
                rendered = f"{prefix}{english} {unit.en}"
            yield _candidate(start, m.end(), text, value, unit.en, rendered)


def _is_date_context(text: str, m: re.Match[str]) -> bool:
    """``tháng 7 năm 1975`` and ``ngày 6 tháng 9`` are dates, not durations."""
    before = text[max(0, m.start("num") - 6):m.start("num")].lower()
    after = text[m.end():m.end() + 6]
    return before.rstrip().endswith(("tháng", "ngày")) or bool(re.match(r"\s?\d", after))


def _candidate(start: int, end: int, text: str, value: float, unit: str, english: str) -> Candidate:
    return Candidate(start, end, "QUANTITY", "quantity", text[start:end], name_en=english,
                     key=f"QUANTITY:{english}", value={"value": value, "unit": unit, "en": english})
