"""Document-level linking: mentions of one real-world entity share one ``Entity``.

Mentions carry a linking key from their component (``LOC:JP`` for both ``Nhật`` and ``Nhật Bản``,
``AIRCRAFT:MiG-25`` for ``Mig-25``, ``MiG 25`` and ``Foxbat``). Here the keys are completed:
a person's surname alone joins the full name it abbreviates (``Belenko`` -> Viktor Belenko), a
standalone nickname joins the designation written with it in the same document (``Phantom`` ->
F-4 Phantom), and placeholders such as ``{country}`` take the document's most-mentioned country.
"""
from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict

from ..document import Entity, Mention
from .candidates import Candidate
from .resources import countries


VIETNAMESE_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ" "ạảãàáặẳẵằắậẩẫầấẹẻẽèéệểễềếịỉĩìíọỏõòóộổỗồốợởỡờớụủũùúựửữừứỵỷỹỳý")


def fold(text: str) -> str:
    """``Duy Sơn`` -> ``Duy Son``: Vietnamese names in English are written without diacritics.
    A name with no Vietnamese-only letter keeps its own accents (``La Pérouse``)."""
    if not any(ch in VIETNAMESE_LETTERS for ch in text) or all(ch in "éÉèÈ" or ch.isascii() for ch in text):
        return text
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _spaces(text: str) -> str:
    return " ".join(text.split())


def link(chosen: list[Candidate]) -> tuple[list[Mention], list[Entity]]:
    """Mentions (``vi-m0``...) and entities (``E0``...) for the resolved candidates, in text order."""
    _complete_keys(chosen)
    groups: dict[str, list[int]] = defaultdict(list)
    for n, cand in enumerate(chosen):
        groups[cand.key or f"{cand.label}:{_spaces(cand.text)}"].append(n)
    entity_of: dict[int, str] = {}
    entities: list[Entity] = []
    for key, members in sorted(groups.items(), key=lambda kv: kv[1][0]):
        cands = [chosen[n] for n in members]
        eid = f"E{len(entities)}"
        entities.append(Entity(eid, cands[0].label, _name_vi(cands), _name_en(cands),
                               mentions_vi=[f"vi-m{n}" for n in members]))
        for n in members:
            entity_of[n] = eid
    mentions = [Mention(f"vi-m{n}", c.label, c.start, c.end, c.text, entity=entity_of[n], source=c.source,
                        score=c.score, value=c.value) for n, c in enumerate(chosen)]
    return mentions, entities


def _name_vi(cands: list[Candidate]) -> str:
    return max((_spaces(c.text) for c in cands), key=len)


def _name_en(cands: list[Candidate]) -> str:
    label = cands[0].label
    if label == "PER":  # a listed person's English form (Giang Trạch Dân -> Jiang Zemin), else the longest name
        listed = [c.name_en for c in cands if c.name_en and c.source.startswith("gazetteer")]
        return listed[0] if listed else fold(max((_spaces(c.text) for c in cands), key=len))
    names = Counter(c.name_en for c in cands if c.name_en)
    if not names:
        return fold(_name_vi(cands))
    return names.most_common(1)[0][0]


def _complete_keys(chosen: list[Candidate]) -> None:
    country_counts = Counter(c.key for c in chosen if c.key.startswith("LOC:") and c.key[4:] in countries())
    dominant = country_counts.most_common(1)[0][0][4:] if country_counts else None
    people = [c for c in chosen if c.label == "PER"]
    full_names = {_spaces(c.text): f"PER:{_spaces(c.text)}" for c in people if " " in _spaces(c.text)}
    owners_of: dict[str, set[str]] = defaultdict(set)  # a first or last name -> full names' keys
    for full, key in full_names.items():
        parts = full.split(" ")
        for n in range(1, len(parts)):
            owners_of[" ".join(parts[n:])].add(key)
            owners_of[" ".join(parts[:n])].add(key)
    nickname_owner: dict[str, str] = {}
    for c in chosen:
        if c.label == "AIRCRAFT" and c.extra.get("nickname") and not c.extra.get("standalone"):
            nickname_owner.setdefault(c.extra["nickname"], c.key)
    for c in chosen:
        if "{country}" in c.name_en:
            c.name_en = c.name_en.format(country=countries()[dominant].name_en if dominant else "").replace(" ()", "")
            c.key = f"{c.label}:{c.name_en}"
        if c.label == "PER":
            name = _spaces(c.text)
            owner = owners_of.get(name, set())
            if len(owner) == 1:
                c.key = next(iter(owner))
            else:
                c.key = f"PER:{name}"
        elif c.label == "AIRCRAFT" and c.extra.get("standalone"):
            owner_key = nickname_owner.get(c.extra["nickname"])
            if owner_key:
                c.key = owner_key
