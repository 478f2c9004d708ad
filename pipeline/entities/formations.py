"""Formation names that ``military.py``'s patterns leave incomplete.

- A country after a formation names its owner and belongs to the name: ``Hạm đội Thái Bình Dương Hoa Kỳ``
  (United States Pacific Fleet), ``Bộ Tư lệnh Thái Bình Dương Hoa Kỳ``; a capitalised formation noun with
  only a country is that country's formation (``Hạm đội Hoa Kỳ``, United States Fleet).
- Sino-Vietnamese ordinals before a formation noun: ``Đệ tam Hạm đội`` (Third Fleet), ``Đệ nhất Hải đoàn``.
"""
from __future__ import annotations

import re

from .candidates import Candidate
from .gazetteer import Syllable, joined
from .resources import military

ORDINALS = {"nhất": "First", "nhị": "Second", "tam": "Third", "tứ": "Fourth", "ngũ": "Fifth", "lục": "Sixth",
            "thất": "Seventh", "bát": "Eighth", "cửu": "Ninth", "thập": "Tenth"}


def _formation_nouns() -> dict[str, str]:
    """Formation noun (lower case) -> its English noun (``hạm đội`` -> Fleet)."""
    return {vi: template.replace("{ord}", "").replace("{mods}", "").strip()
            for vi, template in military()["formations"].items() if "{num}" not in template}


def find_ordinal_formations(text: str) -> list[Candidate]:
    """``Đệ tam Hạm đội`` -> UNIT "Third Fleet"."""
    nouns = _formation_nouns()
    pattern = re.compile(rf"(?<!\w)[Đđ]ệ (?P<ord>{'|'.join(ORDINALS)}) (?P<noun>(?i:{'|'.join(nouns)}))(?!\w)")
    out = []
    for m in pattern.finditer(text):
        name_en = f"{ORDINALS[m['ord']]} {nouns[m['noun'].lower()]}"
        out.append(Candidate(m.start(), m.end(), "UNIT", "ruler:formation", m.group(), name_en=name_en,
                             key=f"UNIT:{name_en}"))
    return out


def with_owner_country(text: str, syls: list[Syllable], cands: list[Candidate], places: dict) -> list[Candidate]:
    """Longer UNIT candidates for formations followed by their country, and for a capitalised formation noun
    followed only by a country. ``places`` maps a syllable index to the gazetteer match starting there."""
    by_start = {s.start: n for n, s in enumerate(syls)}
    nouns = _formation_nouns()
    out = []
    for c in cands:
        if c.label != "UNIT" or not c.source.startswith("ruler:formation"):
            continue
        k = _after(text, syls, c.end)
        if k is not None and k in places and places[k].entry.kind == "country":
            country = places[k].entry.name_en
            end = syls[places[k].last].end
            name_en = c.name_en if country in c.name_en else f"{country} {c.name_en}"
            out.append(Candidate(c.start, end, "UNIT", "ruler:formation", text[c.start:end], name_en=name_en,
                                 key=f"UNIT:{name_en}"))
    for n, syl in enumerate(syls):
        if not syl.capitalised or n + 2 >= len(syls):
            continue
        phrase = f"{syl.lower} {syls[n + 1].lower}"
        k = n + 2
        if phrase in nouns and joined(text, syl, syls[n + 1]) and joined(text, syls[n + 1], syls[k]) \
                and k in places and places[k].entry.kind == "country" and syl.start in by_start:
            end = syls[places[k].last].end
            name_en = f"{places[k].entry.name_en} {nouns[phrase]}"
            out.append(Candidate(syl.start, end, "UNIT", "ruler:formation", text[syl.start:end], name_en=name_en,
                                 key=f"UNIT:{name_en}"))
    return out


def _after(text: str, syls: list[Syllable], end: int) -> int | None:
    """Index of the syllable that follows offset ``end`` after one space, if any."""
    if text[end:end + 1] != " " or end + 1 >= len(text):
        return None
    lo, hi = 0, len(syls)
    while lo < hi:
        mid = (lo + hi) // 2
        if syls[mid].start < end + 1:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < len(syls) and syls[lo].start == end + 1 else None
