"""Loading the entity stage's data files (``resources/``), once per process.

Each file says where its content comes from in ``resources/SOURCES.md``. Tables are TSV with ``#``
comment lines and a header row; structured lists are JSON.
"""
from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

RESOURCES = Path(__file__).with_name("resources")


@dataclass(frozen=True)
class Unit:
    en: str
    kind: str


@dataclass(frozen=True)
class Country:
    code: str
    name_en: str
    adjective_en: str
    names: tuple[str, ...]  # Vietnamese and English surface forms


@dataclass(frozen=True)
class GazetteerEntry:
    surface: str
    label: str
    key: str
    name_en: str
    kind: str
    every_syllable_capitalised: bool = False  # Vietnamese and Sino-Vietnamese proper names: "Hải Dương", not "hải dương"


def _rows(name: str) -> list[dict[str, str]]:
    with (RESOURCES / name).open(encoding="utf-8") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def _split_names(value: str) -> list[str]:
    """``"Myanmar (Miến Điện)"`` -> both names; ``"a|b"`` -> ``[a, b]``."""
    names: list[str] = []
    for part in value.split("|"):
        part = part.strip()
        if not part:
            continue
        if part.endswith(")") and " (" in part:
            outer, inner = part[:-1].split(" (", 1)
            names.extend([outer.strip(), inner.strip()])
        elif ", " in part and not part.startswith("Washington"):
            continue  # CLDR's "Đặc khu Hành chính Macao, Trung Quốc": aliases give the usable form
        else:
            names.append(part)
    return names


@lru_cache(maxsize=None)
def measures() -> dict[str, Unit]:
    return {r["surface"]: Unit(r["en"], r["kind"]) for r in _rows("measures.tsv")}


@lru_cache(maxsize=None)
def countries() -> dict[str, Country]:
    """Every CLDR territory plus former states, keyed by code, with aliases and English adjectives."""
    base = {r["code"]: r for r in _rows("countries.tsv")}
    extra = {r["code"]: r for r in _rows("country_aliases.tsv")}
    out: dict[str, Country] = {}
    for code in list(base) + [c for c in extra if c not in base]:
        b, x = base.get(code, {}), extra.get(code, {})
        name_en = x.get("name_en") or b.get("name_en", "")
        names = _split_names(x.get("aliases", "")) + _split_names(b.get("name_vi", ""))
        names += _split_names(name_en)
        out[code] = Country(code, name_en, x.get("adjective_en") or name_en, tuple(dict.fromkeys(names)))
    return out


@lru_cache(maxsize=None)
def aircraft() -> dict[str, Any]:
    return json.loads((RESOURCES / "aircraft.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def military() -> dict[str, Any]:
    return json.loads((RESOURCES / "military.json").read_text(encoding="utf-8"))


TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
OPEN_PAIR = re.compile(r"(?i)(?<![qg])([ou])([\u0300\u0301\u0303\u0309\u0323]?)([aey])([\u0300\u0301\u0303\u0309\u0323]?)"
                       r"(?![^\W\d_]|[\u0300-\u036f])")


@lru_cache(maxsize=65536)
def tone_variants(name: str) -> tuple[str, ...]:
    """``name`` and the same name with the other placement of the tone on ``oa``, ``oe``, ``uy`` at a
    syllable's end (``Thanh Hóa`` and ``Thanh Hoá``, ``Khánh Hòa`` and ``Khánh Hoà``): both are in use."""
    nfd = unicodedata.normalize("NFD", name)

    def swap(m: re.Match[str]) -> str:
        tone = m.group(2) or m.group(4)
        if not tone:
            return m.group()
        return m.group(1) + ("" if m.group(2) else tone) + m.group(3) + ("" if m.group(4) else tone)

    other = unicodedata.normalize("NFC", OPEN_PAIR.sub(swap, nfd))
    return (name,) if other == name else (name, other)


@lru_cache(maxsize=None)
def gazetteer_entries() -> tuple[GazetteerEntry, ...]:
    """Countries, organisations, places, Vietnamese and East Asian divisions (in that order of precedence
    for identical surfaces)."""
    entries: list[GazetteerEntry] = []
    for c in countries().values():
        for name in (v for n in c.names for v in tone_variants(n)):
            entries.append(GazetteerEntry(name, "LOC", f"LOC:{c.code}", c.name_en, "country"))
    for r in _rows("organisations.tsv"):
        for name in _split_names(r["names"]):
            entries.append(GazetteerEntry(name, "ORG", f"ORG:{r['name_en']}", r["name_en"], r["kind"]))
    for r in _rows("places.tsv"):
        for name in (v for n in _split_names(r["names"]) for v in tone_variants(n)):
            entries.append(GazetteerEntry(name, "LOC", f"LOC:{r['name_en']}", r["name_en"], r["kind"]))
    for file in ("vn_places.tsv", "vn_historical.tsv", "east_asia.tsv"):  # Vietnam's divisions win a name China shares (Hà Nam)
        for r in _rows(file):
            for name in (v for n in _split_names(r["names"]) for v in tone_variants(n)):
                entries.append(GazetteerEntry(name, "LOC", f"LOC:{r['name_en']}", r["name_en"], r["kind"],
                                              every_syllable_capitalised=True))
    for r in _rows("east_asia_people.tsv"):
        for name in (v for n in _split_names(r["names"]) for v in tone_variants(n)):
            entries.append(GazetteerEntry(name, "PER", f"PER:{r['name_en']}", r["name_en"], r["kind"],
                                          every_syllable_capitalised=True))
    for r in military()["forces"]:
        for name in r["names"]:
            entries.append(GazetteerEntry(name, "UNIT", f"UNIT:{r['en']}", r["en"], "force"))
    return tuple(entries)


@lru_cache(maxsize=1)
def institution_words() -> tuple[dict[str, str], dict[str, str]]:
    """Institution heads (``tổ chức`` -> Organization) and the modifiers that may follow them
    (``y tế`` -> Health), Vietnamese (lower case) -> English."""
    heads: dict[str, str] = {}
    words: dict[str, str] = {}
    for r in _rows("institutions.tsv"):
        (heads if r["kind"] == "head" else words)[r["vi"]] = r["en"]
    return heads, words


@lru_cache(maxsize=1)
def surnames() -> dict[str, str]:
    """Family names (``Nguyễn``, ``Trương``...) -> ``common`` (the ten most frequent Vietnamese ones) or ``other``."""
    return {r["surname"]: r["rank"] for r in _rows("surnames.tsv")}


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Common English given names (``James``, ``Anne``), none of them a Vietnamese word or syllable."""
    return frozenset(r["name"] for r in _rows("first_names.tsv"))
