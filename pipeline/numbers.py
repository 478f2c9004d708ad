"""Vietnamese number notation in, English notation out: the one number parser of the pipeline.

Vietnamese writes ``.`` between groups of thousands and ``,`` before decimals (``1.234.567,5``);
English does the reverse (``1,234,567.5``). :func:`parse_number` reads a number into its parts
(:class:`ParsedNumber`); the translation stage uses it to render numbers the English way, and the
entity stage (``pipeline/entities/quantities.py``) to read QUANTITY values, whose surfaces it finds
with :data:`VI_NUMBER`.

Decisions for the ambiguous forms (each one is a row of ``tests/test_numbers.py``):

- ``1.020``, ``12.246``, ``1.234.567``: dots followed by groups of exactly three digits are
  thousands separators -> integers (1020, 12246, 1234567).
- ``2,8``, ``0,5``, ``1.234,5``: one comma is the decimal mark -> float. ``1,020`` is therefore
  1.02, as Vietnamese writes it: the source language's convention wins over a guess.
- ``1.5``, ``3.14``, ``0.500``: a single dot not followed by exactly three digits cannot be Vietnamese
  grouping; it is read as an English decimal point that leaked into the text -> 1.5, 3.14. A
  leading ``0`` group is never thousands, so ``0.500`` is 0.5 (the quantity parser used to read
  it as 500, a reading no writer means) and ``0.500,5`` is malformed.
- ``1,234,567`` (several commas, all groups of three): cannot be a Vietnamese decimal; read as
  English grouping -> 1234567.
- ``5½``, ``1¾``, ``1.500½``: a vulgar fraction (``½ ¼ ¾ ⅓ ⅔``) right after whole digits adds
  to them -> 5.5 (imperial measures: ``74 ft 5½ in``). After decimals (``2,5½``) it is malformed.
- ``1.650+``, ``Mach 2,5+``: a trailing ``+`` means "at least"; the value is the number (1650)
  and the English keeps the ``+``. A leading ``-``/``+``/``−`` is a sign.
- ``6.9.1976``, ``1.2.3``, ``1.234,5,6``, ``6/9/1976``, ``Mig-25``, ``½``: dates, versions,
  designations or malformed -> ``None`` (not a number; :func:`find_numbers` leaves them alone).
- Spaces inside numbers (``12 246``) are not supported.

Rendering keeps the digits the writer gave (``2,80`` -> ``2.80``, ``1.020`` -> ``1,020``) and
groups only what the writer grouped, so years and codes in running text survive (``1976``). A
measurement is never a year: QUANTITY values are rendered with ``group_thousands``, which
groups every integer part and drops leading zeros (``3000 năm`` -> ``3,000 years``,
``04 tháng`` -> ``4 months``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

FRACTIONS: dict[str, float] = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3}
_SIGNS = "+-\u2212"
_DIGITS = re.compile(r"\d+")
_GROUPED_DOTS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_GROUPED_COMMAS = re.compile(r"\d{1,3}(?:,\d{3}){2,}")
_NUMBER_SHAPE = re.compile(r"[+\-\u2212]?\d+(?:[.,]\d+)*")

# A number in Vietnamese notation, as measurements are written: thousands grouped with dots (not
# after a lone 0: 0.500 is a decimal) or plain digits, then a decimal comma part or a vulgar
# fraction, then an optional "+" ("Mach 2,5+", "1.650+ mph", "5½ in"). parse_number accepts every
# match (a test checks it).
VI_NUMBER = r"(?:(?!0\.)\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+|[½¼¾⅓⅔])?\+?"

# A number in running text: not glued to letters, hyphens or slashes (Mig-25, 6/9/1976, F-4),
# not followed by another separator-digit pair. A sign counts only before the first digit.
_NUMBER_IN_TEXT = re.compile(
    r"(?<![\w.,/\-\u2212+])(?:[\-\u2212+](?=\d))?\d+(?:[.,]\d+)*(?![\w/\-]|[.,]\d)"
)


@dataclass(frozen=True)
class NumberSpan:
    """A number found in a text: ``text[start:end] == surface``; ``en`` is its English form."""

    start: int
    end: int
    surface: str
    value: int | float
    en: str


@dataclass(frozen=True)
class ParsedNumber:
    """A number read into its parts: ``{sign}{integer}[.{decimals}][{fraction}][+]``.

    ``integer`` and ``decimals`` are digits as written, separators removed; ``grouped`` says the
    writer grouped thousands; ``at_least`` is a trailing ``+``.
    """

    sign: str  # "", "-" or "+"
    integer: str
    decimals: str | None = None
    grouped: bool = False
    fraction: str = ""
    at_least: bool = False

    @property
    def value(self) -> int | float:
        """``int`` for whole numbers, ``float`` with decimals or a fraction; the sign applied."""
        if self.decimals is None:
            value: int | float = int(self.integer)
        else:
            value = float(f"{self.integer}.{self.decimals}")
        if self.fraction:
            value += FRACTIONS[self.fraction]
        return -value if self.sign == "-" else value

    def english(self, group_thousands: bool = False) -> str:
        """The number in English notation: ``1.020`` -> ``1,020``, ``2,5+`` -> ``2.5+``.

        Decimals, fraction and ``+`` are kept as written. The integer part is grouped only if the
        writer grouped it, unless ``group_thousands`` (measurements: ``3000`` -> ``3,000``).
        """
        body = f"{int(self.integer):,}" if self.grouped or group_thousands else self.integer
        if self.decimals is not None:
            body = f"{body}.{self.decimals}"
        return f"{self.sign}{body}{self.fraction}{'+' if self.at_least else ''}"


def _split_sign(text: str) -> tuple[str, str]:
    if text and text[0] in _SIGNS:
        return ("-" if text[0] != "+" else "+"), text[1:]
    return "", text


def _thousands_with_dots(digits: str) -> bool:
    """``1.020``, ``12.246.000``: Vietnamese grouping. A lone leading 0 is never a group (``0.500``)."""
    return _GROUPED_DOTS.fullmatch(digits) is not None and not digits.startswith("0.")


def _parts(digits: str) -> tuple[str, str | None, bool] | None:
    """``(integer digits, decimal digits or None, grouped)`` of an unsigned number, or None."""
    if _DIGITS.fullmatch(digits):
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
        if _thousands_with_dots(head):
            return head.replace(".", ""), tail, True
        return None
    if _thousands_with_dots(digits):
        return digits.replace(".", ""), None, True
    if digits.count(".") == 1:  # 1.5, 0.500: an English decimal point
        head, _, tail = digits.partition(".")
        return head, tail, False
    return None


def parse_number(text: str) -> ParsedNumber | None:
    """``text`` (stripped) read as a number, or ``None`` when it is not one of the forms listed in
    the module docstring: ``"1.020"`` -> integer ``"1020"``, grouped; ``"5½"`` -> integer ``"5"``,
    fraction ``"½"``; ``"2,5+"`` -> ``"2"``, decimals ``"5"``, at least.
    """
    sign, rest = _split_sign(text.strip())
    at_least = rest.endswith("+")
    if at_least:
        rest = rest[:-1]
    fraction = rest[-1] if rest and rest[-1] in FRACTIONS else ""
    if fraction:
        rest = rest[:-1]
    parts = _parts(rest)
    if parts is None:
        return None
    integer, decimals, grouped = parts
    if fraction and decimals is not None:  # 2,5½: a fraction follows whole digits only
        return None
    return ParsedNumber(sign, integer, decimals, grouped, fraction, at_least)


def parse_vi_number(text: str) -> int | float | None:
    """The value of a number in Vietnamese notation (``"1.020"`` -> 1020, ``"2,8"`` -> 2.8,
    ``"5½"`` -> 5.5), or ``None`` when :func:`parse_number` rejects ``text``.
    """
    parsed = parse_number(text)
    return None if parsed is None else parsed.value


def to_english_number(text: str) -> str:
    """``text`` in English notation (``"12.246"`` -> ``"12,246"``, ``"2,8"`` -> ``"2.8"``).

    Digits are kept as written; grouping commas are added only where the source grouped the
    number. Text that is not a number (per :func:`parse_number`) comes back unchanged.
    """
    parsed = parse_number(text)
    return text if parsed is None else parsed.english()


def find_numbers(text: str) -> list[NumberSpan]:
    """Every standalone number in ``text`` with its English form, left to right.

    Numbers glued to letters, hyphens or slashes (``Mig-25``, ``F-4``, ``6/9/1976``) are parts
    of names or dates and are skipped, as are forms :func:`parse_number` rejects.
    """
    spans = []
    for m in _NUMBER_IN_TEXT.finditer(text):
        parsed = parse_number(m.group())
        if parsed is not None:
            spans.append(NumberSpan(m.start(), m.end(), m.group(), parsed.value, parsed.english()))
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
