"""AIRCRAFT mentions: designations (``Mig-25``, ``F-15J/DJ``, ``Su – 30``), names and nicknames.

A designation may carry a manufacturer before it (``Mitsubishi F-15J/DJ Eagle``) and a nickname after
it (``F-4EJ Phantom II``, ``Mig-25 Foxbat``). Mentions link by the canonical designation, so
``Mig-25``, ``MiG 25`` and ``Foxbat`` are one entity. Matching runs on the look-alike-free text
(``МiG-25`` with a Cyrillic М). Resources: ``resources/aircraft.json``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .candidates import Candidate
from .resources import aircraft

# Nouns that introduce an aircraft: a nickname right after one is an aircraft ("oanh tạc cơ Valkyrie").
AIRCRAFT_NOUNS = ("chiếc", "tiêm kích", "máy bay", "oanh tạc cơ", "chiến đấu cơ", "trực thăng", "phi cơ",
                  "cường kích", "vận tải cơ", "ném bom", "đánh chặn", "tiêm kích bom", "chiến cơ", "phiên bản",
                  "biến thể", "loại")


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=None)
def _designation_re() -> re.Pattern[str]:
    res = aircraft()
    strict = [f for f in res["families"] if f not in res["loose_families"]]
    names = dict(res["nicknames"]) | {k: k for k in res["named_types"]}
    return re.compile(
        rf"(?<![\w/.-])(?:(?P<maker>{_alternation(res['manufacturers'])})\s+)?"
        rf"(?:(?P<loose>(?i:{_alternation(res['loose_families'])}))(?P<lsep>\s?[-–—]\s?|\s)?"
        rf"|(?P<strict>{_alternation(strict)})(?P<ssep>\s?[-–—]\s?))"
        r"(?P<num>\d{1,4})(?P<var>[A-Z]{1,4}\d?[A-Z]{0,3}|bis|[a-z](?![a-z]))?(?P<alt>(?:/[A-Z]{1,3}\d?)*)"
        r"(?![\w-])(?:\s(?P<var2>MK\d?|MK[IKM]|SMT?|SK|SM\d|M\d|UB|UBK|bis)(?![\w-]))?"
        r"(?:\s(?P<block>Block\s\d+))?"
        rf"(?:\s(?P<nick>{_alternation(names)})(?![\w-])(?:\s(?P<roman>II|III|IV)\b)?)?"
        rf"(?:\s(?P<suffix>{_alternation(res['suffixes'])})\b)?",
    )


@lru_cache(maxsize=None)
def _names_re() -> re.Pattern[str]:
    res = aircraft()
    names = set(res["nicknames"]) | set(res["named_types"])
    return re.compile(rf"(?<![\w-])(?:{_alternation(names)})(?:\s(?:II|III|IV)\b)?(?P<variant>-[A-Z](?![\w-]))?(?![\w-])")


def canonical_designation(m: re.Match[str]) -> str:
    """``Mig 25`` -> ``MiG-25``; ``F-15J/DJ`` stays; ``G.222TCM`` stays."""
    families = aircraft()["families"]
    prefix = m["loose"] or m["strict"]
    canon = next((v for k, v in families.items() if k.lower() == prefix.lower()), prefix)
    sep = "" if canon.endswith(".") or canon in ("Boeing", "Airbus A", "JAS", "EMB", "MB") else "-"
    if canon in ("Boeing", "JAS", "EMB", "MB"):
        sep = " "
    return f"{canon}{sep}{m['num']}{m['var'] or ''}{m['alt'] or ''}{m['var2'] or ''}"


# A one-letter family (U-2, C-130, E-3, Z-10...) is read as an aircraft only in a text about aircraft:
# elsewhere U-23 is a football age group and C-4 an explosive. F- and B- are unambiguous enough.
AVIATION_WORDS = re.compile(r"máy bay|tiêm kích|trực thăng|không quân|phi công|oanh tạc|phi cơ|chiến đấu cơ|"
                            r"cất cánh|hạ cánh|aircraft", re.IGNORECASE)


def find_aircraft(text: str) -> Iterator[Candidate]:
    """Designation mentions in the (look-alike-free) ``text``."""
    about_aviation: bool | None = None
    for m in _designation_re().finditer(text):
        prefix = m["loose"] or m["strict"]
        if not prefix[0].isupper():
            continue  # "tu 95", "su 30": a lower-case word, not a designation
        if len(prefix) == 1 and prefix not in "FB" and not m["maker"] and not m["nick"]:
            if about_aviation is None:
                about_aviation = bool(AVIATION_WORDS.search(text))
            if not about_aviation:
                continue
        designation = canonical_designation(m)
        nick = m["nick"]
        if m["block"]:
            designation += f" {m['block']}"
        name_en = (f"{m['maker']} " if m["maker"] else "") + designation + (f" {nick}" if nick else "") + (f" {m['roman']}" if m["roman"] else "")
        if m["suffix"]:
            name_en += f" {m['suffix']}"
        key_designation = designation + (f" {m['suffix']}" if m["suffix"] else "")
        yield Candidate(m.start(), m.end(), "AIRCRAFT", "ruler:aircraft", text[m.start():m.end()],
                        name_en=name_en, key=f"AIRCRAFT:{key_designation}", value={"en": name_en},
                        extra={"designation": designation, "nickname": nick, "maker": m["maker"]})


EASTERN = ("MiG", "Su", "Yak", "Tu", "Il", "An", "Ka", "Mi", "Be", "M-", "A-50", "J-", "H-", "Y-", "Z-", "KJ", "JH")


def _reporting_name(designation: str) -> bool:
    """NATO gives reporting names to Soviet, Russian and Chinese types: ``Foxbat`` (MiG-25), not ``Eagle``."""
    return designation.startswith(EASTERN)


MAKER_CODE_EXCLUDED = {"AAM", "AIM", "AGM", "ASM", "SAM", "ATM", "AT", "R", "Kh", "RD", "AL", "D", "TF", "F100",
                       "J", "RB", "AS", "MK", "Mk", "No"}


@lru_cache(maxsize=None)
def _maker_code_re() -> re.Pattern[str]:
    return re.compile(
        rf"(?<![\w/.-])(?P<maker>{_alternation(aircraft()['manufacturers'])})\s"
        r"(?P<code>(?P<prefix>[A-Z][A-Za-z]{0,2})(?:[-–. ]|\s?[-–]\s?)?\d{1,4}[A-Z]{0,4})(?![\w-])"
        r"(?: (?P<nick>[A-Z][a-z]{3,}(?: [A-Z][a-z]+)?)(?![\w-]))?")


def find_maker_designations(text: str) -> Iterator[Candidate]:
    """A manufacturer and a type code that no family lists (``Polikarpov TB-2``, ``Arado E.381``,
    ``Curtiss F9C Sparrowhawk``); missile, engine and rocket prefixes (AAM, R, RD, AL...) stay out."""
    for m in _maker_code_re().finditer(text):
        if m["prefix"] in MAKER_CODE_EXCLUDED:
            continue
        end = m.end() if m["nick"] and m["nick"].isascii() else m.end("code")
        surface = text[m.start():end]
        name_en = " ".join(surface.split())
        yield Candidate(m.start(), end, "AIRCRAFT", "ruler:aircraft", surface, name_en=name_en,
                        key=f"AIRCRAFT:{' '.join(text[m.start('code'):m.end('code')].split())}", value={"en": name_en},
                        extra={"designation": m["code"], "nickname": None, "maker": m["maker"]})


def find_aircraft_names(text: str, designated_nicknames: set[str]) -> Iterator[Candidate]:
    """Names and nicknames standing alone (``Foxbat``, ``Mirage``, ``Phantom``).

    An ambiguous word (``Eagle``, ``Phantom``) counts only after an aircraft noun, or when the document
    also writes it after a designation (``designated_nicknames``).
    """
    res = aircraft()
    ambiguous = set(res["ambiguous"])
    lowered = text.lower()
    for m in _names_re().finditer(text):
        word = m.group()[:m.start("variant") - m.start()] if m["variant"] else m.group()
        base = word.rsplit(" ", 1)[0] if word.endswith((" II", " III", " IV")) else word
        if base in ambiguous and m.start() > 1 and text[m.start() - 1] == " " and text[m.start() - 2].isalpha() \
                and text[:m.start()].split()[-1].lstrip("\"'“‘(")[:1].isupper():
            continue  # part of a longer name: "Peace Eagle"
        if base in ambiguous and base not in designated_nicknames:
            before = lowered[max(0, m.start() - 16):m.start()].rstrip()
            if not before.endswith(AIRCRAFT_NOUNS):
                continue
        designation = res["nicknames"].get(word) or res["nicknames"].get(base)
        variant = m["variant"] or ""
        if designation:
            key, name_en = f"AIRCRAFT:{designation}", designation
            # a reporting name stands for itself ("Foxbat", "Flanker-D"); a popular name is written with
            # the designation it names ("Eagle" -> "F-15 Eagle")
            written = word + variant if _reporting_name(designation) else f"{designation} {word}"
        else:
            canonical = res["named_types"][base]
            key, name_en, written = f"AIRCRAFT:{canonical}", canonical, word
        yield Candidate(m.start(), m.end(), "AIRCRAFT", "ruler:aircraft-name", text[m.start():m.end()],
                        name_en=name_en, key=key, value={"en": written},
                        extra={"nickname": base, "standalone": True})
