"""UNIT mentions (forces and formations) and military facilities (LOC).

- a force noun and a country: ``không quân Liên Xô``, ``lực lượng không quân Ai Cập``,
  ``Không quân Hoàng gia Thái Lan`` -> "Soviet Air Force", "Egyptian Air Force", "Royal Thai Air Force";
  only the first conjunct of ``không quân Ai Cập, Iraq và Syria`` (guidelines);
- a formation noun, modifiers, and a number or an aircraft type: ``Phi đoàn tiêm kích chiến thuật (TFS) 201``
  -> "201st Tactical Fighter Squadron", ``phi đội tiêm kích Mig-25`` -> "MiG-25 Fighter Squadron";
- facilities: ``Căn cứ không quân Chitose``, ``căn cứ Chitose``, ``sân bay Hakodate`` -> "Chitose Air Base".
Vocabulary: ``resources/military.json``. Bare ``không quân`` is never a UNIT.
"""
from __future__ import annotations

import re

from functools import lru_cache

from .candidates import Candidate
from .gazetteer import GazetteerMatch, Syllable, Vocabulary, joined, vietnamese_words
from .linking import fold
from .names import capitalised_run
from .resources import countries, military

FACILITIES = {"căn cứ không quân": "{name} Air Base", "căn cứ hải quân": "{name} Naval Base",
              "căn cứ": "{name} Air Base", "sân bay": "{name} Airport", "phi trường": "{name} Airfield",
              "sân bay quân sự": "{name} Air Base", "quân cảng": "{name} Naval Base", "cảng": "Port of {name}",
              "trường bay": "{name} Airfield", "nhà máy": "{name} plant", "trung tâm thử nghiệm": "{name} Test Center"}
AFB = {"AFB": "{name} Air Force Base", "NAS": "Naval Air Station {name}", "AB": "{name} Air Base"}


@lru_cache(maxsize=None)
def _vocab() -> dict[str, Vocabulary]:
    res = military()
    return {"force": Vocabulary(res["force_nouns"]), "police": Vocabulary(res["police_nouns"]),
            "geo": Vocabulary(res["geo_nouns"]), "formation": Vocabulary(res["formations"]),
            "modifier": Vocabulary(res["modifiers"]), "force_mod": Vocabulary(res["force_modifiers"]),
            "facility": Vocabulary(FACILITIES)}


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _acronym_in_parens(text: str, syls: list[Syllable], j: int) -> tuple[str, int] | None:
    """``( TFS )`` starting at syllable ``j``: the acronym and the index after ``)``."""
    if j + 2 < len(syls) and syls[j].text == "(" and syls[j + 2].text == ")" and syls[j + 1].text.isupper():
        return syls[j + 1].text, j + 3
    return None


def find_units(text: str, syls: list[Syllable], places: dict[int, GazetteerMatch],
               aircraft_at: dict[int, Candidate]) -> list[Candidate]:
    """UNIT and facility candidates. ``places`` maps a syllable index to the country/place match that
    starts there; ``aircraft_at`` maps a character offset to the aircraft mention starting there."""
    vocab, res = _vocab(), military()
    out: list[Candidate] = []
    starts = sorted(set().union(*(v.starts(syls) for v in vocab.values())))
    for i in starts:
        syl = syls[i]
        fac = vocab["facility"].match(text, syls, i)
        if fac:
            cand = _facility(text, syls, i, fac, places)
            if cand:
                out.append(cand)
        for kind, label in (("force", "UNIT"), ("police", "ORG")):
            force = vocab[kind].match(text, syls, i)
            if force and (kind == "force" or syl.capitalised):  # "cảnh sát Nhật": Japanese police officers
                cand = _force(text, syls, i, force, places, kind, label)
                if cand:
                    out.append(cand)
        geo = vocab["geo"].match(text, syls, i)
        if geo:
            cand = _geo(text, syls, i, geo, places)
            if cand:
                out.append(cand)
        formation = vocab["formation"].match(text, syls, i)
        if formation:
            cand = _formation(text, syls, i, formation, aircraft_at, res, places)
            if cand:
                out.append(cand)
    return out


def _next(text: str, syls: list[Syllable], j: int) -> int | None:
    """``j`` if syllable ``j`` continues the phrase ending at ``j - 1``, else None."""
    return j if j < len(syls) and joined(text, syls[j - 1], syls[j]) else None


def _force(text, syls, i, force, places, kind="force", label="UNIT") -> Candidate | None:
    phrase, j = force
    pre, post = [], []
    k = _next(text, syls, j + 1)
    while k is not None:
        mod = _vocab()["force_mod"].match(text, syls, k)
        if not mod:
            break
        word, position = military()["force_modifiers"][mod[0]]
        (pre if position == "pre" else post).append(word)
        k = _next(text, syls, mod[1] + 1)
    if k is None or k not in places or places[k].entry.kind != "country":
        return None
    place = places[k]
    country = countries().get(place.entry.key.split(":", 1)[1])
    adjective = country.adjective_en if country else place.entry.name_en
    name_en = " ".join([*pre, adjective, *post, military()[f"{kind}_nouns"][phrase]])
    start, end = syls[i].start, syls[place.last].end
    return Candidate(start, end, label, f"ruler:{kind}", text[start:end], name_en=name_en, key=f"{label}:{name_en}",
                     extra={"country": place.entry.key})


def _formation(text, syls, i, formation, aircraft_at, res, places) -> Candidate | None:
    phrase, j = formation
    mods: list[str] = []
    k = _next(text, syls, j + 1)
    acronym = None
    while k is not None:
        paren = _acronym_in_parens(text, syls, k)
        if paren:
            acronym, k = paren[0], _next(text, syls, paren[1])
            continue
        mod = _vocab()["modifier"].match(text, syls, k)
        if not mod:
            break
        mods.append(res["modifiers"][mod[0]])
        k = _next(text, syls, mod[1] + 1)
    template = res["formations"][phrase]
    unnumbered = phrase in res["unnumbered"] and syls[i].capitalised
    if k is None or (unnumbered and mods and not syls[k].text.isdigit()):
        if not (unnumbered and mods):
            return None
        end = syls[(k if k is not None else len(syls)) - 1].end
        name_en = " ".join(template.format(ord="", num="", mods=" ".join(reversed(mods))).split())
        start = syls[i].start
        return Candidate(start, end, "UNIT", "ruler:formation", text[start:end], name_en=name_en,
                         key=f"UNIT:{name_en}")
    if unnumbered and k in places and places[k].entry.kind in ("sea", "region"):
        place = places[k]
        name_en = " ".join(f"{place.entry.name_en.replace(' Ocean', '')} {template.format(ord='', num='', mods='')}"
                           .split())
        start, end = syls[i].start, syls[place.last].end
        return Candidate(start, end, "UNIT", "ruler:formation", text[start:end], name_en=name_en,
                         key=f"UNIT:{name_en}")
    nxt = syls[k]
    if nxt.text.isdigit() and len(nxt.text) <= 4 and not _continues_number(text, nxt):
        n = int(nxt.text)
        name_en = " ".join(template.format(ord=ordinal(n), num=n, mods=" ".join(reversed(mods))).split())
        end = nxt.end
    elif nxt.start in aircraft_at and mods:
        plane = aircraft_at[nxt.start]
        name_en = " ".join(template.format(ord=plane.extra["designation"], num="",
                                           mods=" ".join(reversed(mods))).split())
        end = plane.end
    else:
        return None
    start = syls[i].start
    return Candidate(start, end, "UNIT", "ruler:formation", text[start:end], name_en=name_en, key=f"UNIT:{name_en}",
                     extra={"acronym": acronym})


def _continues_number(text: str, syl: Syllable) -> bool:
    """``201`` in ``201/2``, ``3.500`` or ``2,5``, or a number followed by a unit is not a unit number."""
    after = text[syl.end:syl.end + 2]
    return after[:1] in "/.,%" and after[1:2].isdigit() or after[:1] == "/"


ROMAN_NUMERAL = re.compile(r"[IVXL]+")
ADMINISTRATIVE = {"thành phố", "thủ đô", "tỉnh", "bang", "tiểu bang", "vùng", "khu vực", "quận", "huyện"}


def _geo(text, syls, i, geo, places) -> Candidate | None:
    """``eo biển La Pérouse`` (a natural feature keeps its noun); ``tỉnh Aichi`` -> ``Aichi`` (name only)."""
    phrase, j = geo
    k = _next(text, syls, j + 1)
    if k is None or not syls[k].capitalised or not syls[k].text[:1].isalpha() or k in places:
        return None
    if i > 0 and syls[i - 1].lower == "bờ":
        return None  # "bờ biển X": the coast of X
    if phrase == "hồ" and syls[i].capitalised:
        return None  # "Hồ" before a name is the surname far more often than a lake
    last = capitalised_run(text, syls, k, limit=4, complete_words=True)
    name = text[syls[k].start:syls[last].end]
    if any(len(s.text) == 1 or ROMAN_NUMERAL.fullmatch(s.text) for s in syls[k:last + 1]):
        return None  # "Vùng III", "vùng Đông B": a numbered or lettered zone, not a place's name
    if last > k and " ".join(name.lower().split()) in vietnamese_words():
        return None  # "bang ... Hiến pháp": a common word written with a capital ("sông Hồng" is a name)
    start = syls[k].start if phrase in ADMINISTRATIVE else syls[i].start
    name_en = military()["geo_nouns"][phrase].format(name=fold(name))
    return Candidate(start, syls[last].end, "LOC", "ruler:place", text[start:syls[last].end], name_en=name_en,
                     key=f"LOC:{name_en}", score=0.8)


def _facility(text, syls, i, fac, places) -> Candidate | None:
    phrase, j = fac
    if i > 0 and syls[i - 1].lower == "tàu":
        return None  # "tàu sân bay Admiral Kuznetsov": an aircraft carrier, not an airport
    template = FACILITIES[phrase]
    k = _next(text, syls, j + 1)
    if k is not None:
        paren = _acronym_in_parens(text, syls, k)
        if paren and paren[0] in AFB:
            template, k = AFB[paren[0]], _next(text, syls, paren[1])
    if k is None or not syls[k].capitalised or not syls[k].text[:1].isalpha():
        return None
    if k in places and places[k].entry.kind == "country":
        return None  # "căn cứ Mỹ": a US base, not a base named Mỹ
    last = capitalised_run(text, syls, k, limit=5, complete_words=True)
    name = text[syls[k].start:syls[last].end]
    start, end = syls[i].start, syls[last].end
    name_en = template.format(name=fold(name))
    return Candidate(start, end, "LOC", "ruler:facility", text[start:end], name_en=name_en,
                     key=f"LOC:facility:{name_en}")
