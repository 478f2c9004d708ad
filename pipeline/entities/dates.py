"""DATE mentions in Vietnamese forms, with an ISO value where the text fixes one.

``6/9/1976`` -> 1976-09-06; ``tháng 11/2008``; ``tháng 2 năm 1976``; ``tháng 6, tháng 7 năm 1975``;
``15/7 cùng năm`` and ``tháng 12 cùng năm`` (the year of the previous date); ``đầu thập niên 1960``;
``cuối năm 1981``; ``1981-97``; a bare year; a year of the sexagenary cycle (``năm Canh Thân``, the one
nearest the last year named) and of an era (``năm Đại Bảo thứ 3`` -> "Dai Bao 3"). A leading ``ngày``/``năm`` before a bare numeral stays
outside the span (guidelines); ``tháng`` and inner words are inside.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from .candidates import Candidate

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
PART = {"đầu": "early", "giữa": "mid", "cuối": "late"}
STEMS = ["Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý"]
BRANCHES = ["Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi"]
BRANCH_ALIASES = {"Mẹo": "Mão", "Tị": "Tỵ"}
CYCLIC = rf"(?:{'|'.join(STEMS)})\s(?:{'|'.join(BRANCHES + list(BRANCH_ALIASES))})(?!\w)"
ORDINALS = {"nhất": 1, "hai": 2, "ba": 3, "tư": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10}
Y = r"(?:1\d\d\d|20\d\d)"
# Words after which a bare D/M or D-M is a date (``Chiều 27/7``, ``từ 24/7 đến 31/7``); elsewhere it may be a
# fraction or a score.
DM_CONTEXT = r"(?:(?<=[Nn]gày )|(?<=[Hh]ôm )|(?<=[Ss]áng )|(?<=[Tt]rưa )|(?<=[Cc]hiều )|(?<=[Tt]ối )|(?<=[Đđ]êm )" \
             r"|(?<=[Tt]ừ )|(?<=[Đđ]ến )|(?<=[Tt]ới )|(?<=[Mm]ùng )|(?<=[Mm]ồng )|(?<=[Vv]ào )|(?<=[Tt]rước )|(?<=[Ss]au )" \
             r"|(?<=[Hh]ạn )|(?<=và ))"
D, M = r"(?:[12]\d|3[01]|0?[1-9])", r"(?:1[0-2]|0?[1-9])"
PATTERN = re.compile(
    rf"(?P<dmy>(?<![\d/.])(?P<d1>{D})[/.-](?P<m1>{M})[/.-](?P<y1>{Y})(?![\d/]))"
    rf"|(?P<dmsame>(?<![\d/.])(?P<d2>{D})/(?P<m2>{M})\s+cùng năm)"
    rf"|(?P<ago>(?<![\d.,])(?P<nago>\d{{1,3}}(?:\.\d{{3}})+|\d+)\s+năm\s+trước)"
    rf"|(?P<bc>(?<![\d.,/])(?P<ybc>\d{{1,4}})\s?(?:TCN|trước Công nguyên)(?!\w))"
    rf"|(?P<dtm>(?<![\d/])(?P<d3>{D})\s+[Tt]háng\s+(?P<m3>{M})(?:\s*(?:năm\s+|,\s*|/)(?P<y3>{Y}|\d{{3}})"
    rf"|\s+năm\s+(?P<cyc3>{CYCLIC}))?(?!\d))"
    rf"|(?P<cyc>[Nn]ăm\s+(?P<cyc4>{CYCLIC}))"
    rf"|(?P<era>[Nn]ăm\s+(?P<eraname>[A-ZĐ][^\W\d_]*(?:\s[A-ZĐ][^\W\d_]*){{0,2}})\s+thứ\s+"
    rf"(?P<eran>\d{{1,2}}|{'|'.join(ORDINALS)})(?!\w))"
    rf"|(?P<mm>[Tt]háng\s+(?P<m4>{M})(?:\s*(?:,|và|-|–|đến)\s*tháng\s+(?P<m4b>{M}))?"
    rf"(?:\s*(?:/|năm\s+|,\s*năm\s+)(?P<y4>{Y})|\s+(?P<same4>cùng năm))?(?![\d/]))"
    rf"|(?P<decade>(?:(?<!lần )(?<!ban )(?P<p5>[Đđ]ầu|[Gg]iữa|[Cc]uối)\s+)?(?:thập niên|thập kỷ|những năm)\s+(?P<y5>(?:1[5-9]|20)\d0|\d0)(?!\d))"
    rf"|(?P<partyear>(?<!lần )(?<!ban )(?<!Lần )(?<!Ban )(?P<p6>[Đđ]ầu|[Gg]iữa|[Cc]uối)\s+(?:năm\s+)?(?P<y6>{Y})(?![\d/]|[.,]\d))"
    rf"|(?P<range>(?<![\d/.,])(?P<y7>{Y})\s?[-–]\s?(?P<y7b>{Y}|\d\d|nay|hiện nay|hiện tại)(?![\d/]|[.,]\d))"
    rf"|(?P<century>(?:(?P<p8>[Đđ]ầu|[Gg]iữa|[Cc]uối)\s+)?[Tt]hế kỷ\s+(?P<c8>[IVX]+|\d{{1,2}})(?![\w]))"
    rf"|(?P<dm>{DM_CONTEXT}(?P<d10>{D})\s?[/-]\s?(?P<m10>{M})(?![\d/]|\s?[-/]\s?\d))"
    rf"|(?P<clock>(?<![\d:.,])(?P<h12>[01]\d|2[0-3]):(?P<mi12>[0-5]\d)(?P<zone>\s(?:UTC|GMT|giờ địa phương))?(?![\d:]))"
    rf"|(?P<time>(?:(?<=lúc )|(?<=Lúc ))(?P<h11>[01]?\d|2[0-3])(?:\s?(?:giờ|h|:)(?:\s?(?P<mi11>[0-5]\d))?)(?:\s?phút)?(?![\d/]))"
    rf"|(?P<year>(?<![\w/.,-])(?P<y9>{Y})(?![\w/-]|[.,]\d))"
)
ROMAN = {"I": 1, "V": 5, "X": 10}
UNIT_AFTER = re.compile(r"\s?(?:km|m|kg|lb|ft|tấn|chiếc|người|máy bay|USD|đô|triệu|tỷ|mét)\b")


def _cyclic_year(name: str, near: int | None) -> int | None:
    """The year of the sexagenary cycle called ``name`` (``Canh Thân``) nearest to the year ``near``."""
    if near is None:
        return None
    stem, branch = name.split()
    stem_n, branch_n = STEMS.index(stem), BRANCHES.index(BRANCH_ALIASES.get(branch, branch))
    n = next(k for k in range(60) if k % 10 == stem_n and k % 12 == branch_n)
    y = near + (n + 4 - near) % 60
    return y - 60 if y - near > 30 else y


def _same_story(text: str, pos: int) -> bool:
    """A day and month without a year take the last year named within the paragraph (``18 tháng 3`` after
    ``11 tháng 3 năm 2011``)."""
    return "\n" not in text[max(0, pos - 600):pos].rstrip("\n")


def _roman(s: str) -> int:
    total = 0
    for a, b in zip(s, s[1:] + " "):
        v = ROMAN[a]
        total += -v if b != " " and ROMAN.get(b, 0) > v else v
    return total


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# Every date starts with a digit or one of these words: searching for them first and trying the full
# pattern only there is several times faster than running the pattern at every position.
TRIGGER = re.compile(r"(?<!\d)\d|[Nn]ăm [A-ZĐẤ]|[Tt]háng|[Tt]hập|[Tt]hế kỷ|[Nn]hững năm|[Đđ]ầu|[Gg]iữa|[Cc]uối")
ZONES = {" UTC": " UTC", " GMT": " GMT", " giờ địa phương": " local time"}


def _matches(text: str) -> Iterator[re.Match[str]]:
    """``PATTERN.finditer(text)``, tried only where a date can start."""
    pos = 0
    while True:
        t = TRIGGER.search(text, pos)
        if t is None:
            return
        m = PATTERN.match(text, t.start())
        if m:
            yield m
            pos = m.end()
        else:
            pos = t.start() + 1


def find_dates(text: str) -> Iterator[Candidate]:
    """DATE candidates with ``value = {"iso": str | None, "en": str}``, in text order."""
    last_year: int | None = None
    for m in _matches(text):
        iso, en = None, None
        if m["dmy"]:
            d, mo, y = int(m["d1"]), int(m["m1"]), int(m["y1"])
            iso, en, last_year = f"{y:04d}-{mo:02d}-{d:02d}", f"{d} {MONTHS[mo - 1]} {y}", y
        elif m["dmsame"]:
            d, mo = int(m["d2"]), int(m["m2"])
            iso = f"{last_year:04d}-{mo:02d}-{d:02d}" if last_year else None
            en = f"{d} {MONTHS[mo - 1]}" + (f" {last_year}" if last_year else "")
        elif m["dtm"]:
            d, mo = int(m["d3"]), int(m["m3"])
            y = int(m["y3"]) if m["y3"] else (_cyclic_year(m["cyc3"], last_year) if m["cyc3"] else None)
            y = y or (last_year if m["d3"] and last_year and _same_story(text, m.start()) else None)
            iso = f"{y:04d}-{mo:02d}-{d:02d}" if y else None
            en = f"{d} {MONTHS[mo - 1]}" + (f" {y}" if y else "")
            last_year = y or last_year
        elif m["mm"]:
            mo = int(m["m4"])
            y = int(m["y4"]) if m["y4"] else (last_year if m["same4"] else None)
            months = MONTHS[mo - 1] + (f"–{MONTHS[int(m['m4b']) - 1]}" if m["m4b"] else "")
            en = months + (f" {y}" if y else "")
            iso = f"{y:04d}-{mo:02d}" if y and not m["m4b"] else None
            last_year = int(m["y4"]) if m["y4"] else last_year
        elif m["decade"]:
            y = int(m["y5"]) if len(m["y5"]) == 4 else 1900 + int(m["y5"])
            en = (f"{PART[m['p5'].lower()]} " if m["p5"] else "") + f"{y}s"
        elif m["partyear"]:
            y = int(m["y6"])
            en, last_year = f"{PART[m['p6'].lower()]} {y}", y
        elif m["cyc"]:
            y = _cyclic_year(m["cyc4"], last_year)
            en = str(y) if y else m["cyc4"]
        elif m["era"]:
            from .linking import fold
            en = f"{fold(m['eraname'])} {ORDINALS.get(m['eran'], m['eran'])}"
        elif m["ago"]:
            en = f"{int(m['nago'].replace('.', '')):,} years ago"
        elif m["bc"]:
            en = f"{int(m['ybc'])} BC"
        elif m["clock"]:
            en = f"{m['h12']}:{m['mi12']}" + ZONES.get(m["zone"] or "", "")
        elif m["range"] and not m["y7b"][0].isdigit():
            en = f"{m['y7']}–present"
        elif m["range"]:
            a, b = m["y7"], m["y7b"]
            b_full = int(a[:2] + b) if len(b) == 2 else int(b)
            if b_full <= int(a):
                continue
            en, last_year = f"{a}–{b_full}", b_full
        elif m["century"]:
            c = m["c8"]
            n = int(c) if c.isdigit() else _roman(c)
            en = (f"{PART[m['p8'].lower()]} " if m["p8"] else "") + f"{_ordinal(n)} century"
        elif m["dm"]:
            en = f"{int(m['d10'])} {MONTHS[int(m['m10']) - 1]}"
        elif m["time"]:
            en = f"{int(m['h11'])}:{m['mi11'] or '00'}"
        elif m["year"]:
            if UNIT_AFTER.match(text, m.end()):
                continue
            y = int(m["y9"])
            iso, en, last_year = f"{y:04d}", str(y), y
        yield Candidate(m.start(), m.end(), "DATE", "date", m.group(), name_en=en, key=f"DATE:{en}",
                        value={"iso": iso, "en": en})
