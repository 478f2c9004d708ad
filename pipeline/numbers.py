"""Vietnamese number notation in, English notation out.

Vietnamese writes ``.`` between groups of thousands and ``,`` before decimals (``1.234.567,5``);
English does the reverse (``1,234,567.5``). This module parses the Vietnamese forms and renders
them the English way, for the translation stage (numbers must come out in English notation) and
the entity stage (QUANTITY values).

Decisions for the ambiguous forms (each one is a row of ``tests/test_numbers.py``):

- ``1.020``, ``12.246``, ``1.234.567``: dots followed by groups of exactly three digits are
  thousands separators -> integers (1020, 12246, 1234567).
- ``2,8``, ``0,5``, ``1.234,5``: one comma is the decimal mark -> float. ``1,020`` is therefore
  1.02, as Vietnamese writes it: the source language's convention wins over a guess.
- ``1.5``, ``3.14``, ``0.500``: a single dot not followed by exactly three digits cannot be Vietnamese
  grouping; it is read as an English decimal point that leaked into the text -> 1.5, 3.14.
- ``1,234,567`` (several commas, all groups of three): cannot be a Vietnamese decimal; read as
  English grouping -> 1234567.
- ``6.9.1976``, ``1.2.3``, ``1.234,5,6``, ``6/9/1976``, ``Mig-25``: dates, versions, designations
  or malformed -> ``None`` (not a number; :func:`find_numbers` leaves them alone).
- Plain digits (``25``, ``1976``, ``10000``) are integers and are rendered *as written*: no
  grouping is added, so years and codes survive unchanged.
- A leading ``-``/``+``/``−`` is a sign. Spaces inside numbers (``12 246``) are not supported.

Rendering keeps the digits the writer gave: ``2,80`` -> ``2.80``, ``1.020`` -> ``1,020``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_SIGNS = "+-\u2212"
_GROUPED_DOTS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_GROUPED_COMMAS = re.compile(r"\d{1,3}(?:,\d{3}){2,}")
_NUMBER_SHAPE = re.compile(r"[+\-\u2212]?\d+(?:[.,]\d+)*")

# A number in running text: not glued to letters, hyphens or slashes (Mig-25, 6/9/1976, F-4),
# not followed by another separator-digit pair. A sign counts only before the first digit.
_NUMBER_IN_TEXT = re.compile(
    r"(?<![\w.,/\-\u2212+])(?:[\-\u2212+](?=\d))?\d+(?:[.,]\d+)*(?![\w/\-]|[.,]\d)"
)

# Vietnamese measurement units -> English, for QUANTITY rendering. Symbols (km, kg, m/s) stay.
VI_UNITS_EN: dict[str, str] = {
    "tấn": "tonnes", "mét": "metres", "cây số": "km", "dặm": "miles", "hải lý": "nautical miles",
    "giờ": "hours", "phút": "minutes", "giây": "seconds", "ngày": "days", "tuần": "weeks",
    "tháng": "months", "năm": "years", "độ": "degrees", "lít": "litres", "gam": "grams",
    "ki-lô-gam": "kg", "ki-lô-mét": "km", "feet": "feet", "bộ": "feet", "inch": "inches",
}


@dataclass(frozen=True)
class NumberSpan:
    """A number found in a text: ``text[start:end] == surface``; ``en`` is its English form."""

    start: int
    end: int
    surface: str
    value: int | float
    en: str


def _split_sign(text: str) -> tuple[str, str]:
    if text and text[0] in _SIGNS:
        return ("-" if text[0] != "+" else "+"), text[1:]
    return "", text


def _parts(digits: str) -> tuple[str, str | None, bool] | None:
    """``(integer digits, decimal digits or None, grouped)`` of an unsigned number, or None."""
    if digits.isdigit():
        return digits, None, False
    if not _NUMBER_SHAPE.fullmatch(digits):
        return None
    if "," in digits:
        head, sep, tail = digits.rpartition(",")
        if _GROUPED_COMMAS.fullmatch(digits):  # 1,234,567: English grouping
            return digits.replace(",", ""), None, True
        if not tail.isdigit():  # 20,011.07: English grouping and decimal point
            grouped, _, decimals = digits.rpartition(".")
            if _GROUPED_COMMAS.fullmatch(grouped) and decimals.isdigit():
                return grouped.replace(",", ""), decimals, True
            return None
        if "," in head:
            return None
        if head.isdigit():
            return head, tail, False
        if _GROUPED_DOTS.fullmatch(head):
            return head.replace(".", ""), tail, True
        return None
    if _GROUPED_DOTS.fullmatch(digits) and not digits.startswith("0."):
        return digits.replace(".", ""), None, True
    if digits.count(".") == 1:  # 1.5, 0.500: an English decimal point
        head, _, tail = digits.partition(".")
        return head, tail, False
    return None


def parse_vi_number(text: str) -> int | float | None:
    """The value of a number in Vietnamese notation (``"1.020"`` -> 1020, ``"2,8"`` -> 2.8).

    Returns an ``int`` when there is no decimal part, a ``float`` otherwise, and ``None`` when
    ``text`` (stripped) is not a number in one of the forms listed in the module docstring.
    """
    sign, digits = _split_sign(text.strip())
    parts = _parts(digits)
    if parts is None:
        return None
    integer, decimals, _ = parts
    if decimals is None:
        value: int | float = int(integer)
    else:
        value = float(f"{integer}.{decimals}")
    return -value if sign == "-" else value


def to_english_number(text: str) -> str:
    """``text`` in English notation (``"12.246"`` -> ``"12,246"``, ``"2,8"`` -> ``"2.8"``).

    Digits are kept as written; grouping commas are added only where the source grouped the
    number. Text that is not a number (per :func:`parse_vi_number`) comes back unchanged.
    """
    stripped = text.strip()
    sign, digits = _split_sign(stripped)
    parts = _parts(digits)
    if parts is None:
        return text
    integer, decimals, grouped = parts
    body = f"{int(integer):,}" if grouped else integer
    if decimals is not None:
        body = f"{body}.{decimals}"
    return f"{sign}{body}"


def find_numbers(text: str) -> list[NumberSpan]:
    """Every standalone number in ``text`` with its English form, left to right.

    Numbers glued to letters, hyphens or slashes (``Mig-25``, ``F-4``, ``6/9/1976``) are parts
    of names or dates and are skipped, as are forms :func:`parse_vi_number` rejects.
    """
    spans = []
    for m in _NUMBER_IN_TEXT.finditer(text):
        value = parse_vi_number(m.group())
        if value is None:
            continue
        spans.append(NumberSpan(m.start(), m.end(), m.group(), value, to_english_number(m.group())))
    return spans


def to_english_numbers_in(text: str) -> str:
    """``text`` with every standalone number rewritten in English notation."""
    out, last = [], 0
    for span in find_numbers(text):
        out.append(text[last:span.start])
        out.append(span.en)
        last = span.end
    out.append(text[last:])
    return "".join(out)


def to_english_quantity(text: str) -> str:
    """A quantity in English: numbers in English notation, Vietnamese unit words translated.

    ``"12.246 kg"`` -> ``"12,246 kg"``; ``"Mach 2,8"`` -> ``"Mach 2.8"``;
    ``"3.500 km/h"`` -> ``"3,500 km/h"``; ``"2 giờ"`` -> ``"2 hours"``.
    """
    rendered = to_english_numbers_in(text.strip())
    for vi, en in sorted(VI_UNITS_EN.items(), key=lambda kv: -len(kv[0])):
        rendered = re.sub(rf"(?<=\d )(?:{re.escape(vi)})(?!\w)", en, rendered, flags=re.IGNORECASE)
    return rendered
