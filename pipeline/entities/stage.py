"""The entity stage: components propose candidates, precedence picks flat spans, linking groups them.

Components (each in its own module): gazetteers (``gazetteer``), aircraft designations and names
(``aircraft``), forces, formations and facilities (``military``, ``formations``), quantities, dates,
title- and head-word patterns (``names``), names typed by their context (``context``: administrative
nouns, family names, armies, regions, teams), and underthesea's CRF on our own words (``crf``). Rules
outrank the CRF; among rules the longest span wins (guidelines); no candidate may cut a word token
unless ``tokens`` allows it. Offsets index ``doc.vi.text`` itself: matching
runs on a copy with look-alike letters and no-break spaces replaced one for one.
"""
from __future__ import annotations

import re

from ..document import Document
from .aircraft import find_aircraft, find_aircraft_names, find_maker_designations
from .candidates import Candidate, resolve
from .context import (find_admin_places, find_armies, find_family_names, find_initialled_names,
                      find_initials_after_titles, find_national_bodies, find_national_teams,
                      find_regions)
from .crf import tag_sentence
from .dates import find_dates
from .formations import find_ordinal_formations, with_owner_country
from .gazetteer import SYLLABLE, default_gazetteer, matching_text, syllables, vietnamese_words
from .linking import link
from .military import find_units
from .names import clean_crf_spans, find_institutions, find_organisations, find_people
from .quantities import find_quantities
from .resources import surnames
from .tokens import split_tokens, token_agreement

ACRONYM = re.compile(r"\(\s?([A-Z][A-Za-z&]*[A-Z])\s?[),]")


class EntityRecognizer:
    """Stage ``entities``: fills ``doc.vi.entities`` (mentions) and ``doc.entities`` (linked entities), and
    splits a word token where a kept mention starts or ends inside it (``tokens.py`` says when).

    ``use_crf`` adds underthesea's CRF proposals for names no rule knows (most useful for people).
    """

    name = "entities"
    requires = ("sentences", "tokens")
    provides = ("entities", "links")

    def __init__(self, *, use_crf: bool = True) -> None:
        self.use_crf = use_crf
        self.gazetteer = default_gazetteer()

    def __call__(self, doc: Document) -> Document:
        doc.vi.entities, doc.entities = link(self.recognise(doc))
        split_tokens(doc)
        return doc

    def recognise(self, doc: Document) -> list[Candidate]:
        """The resolved, sorted, non-overlapping candidates for ``doc``."""
        text = doc.vi.text
        mt = matching_text(text)
        syls = syllables(mt)
        cands: list[Candidate] = []
        places = {}
        for match in self.gazetteer.find(mt, syls):
            entry = match.entry
            start, end = syls[match.first].start, syls[match.last].end
            if entry.kind == "sea" and match.first > 0 and syls[match.first - 1].lower == "bờ":
                continue  # "bờ biển Nhật Bản": the coast of Japan, not the Sea of Japan
            if entry.kind == "country" and _language(syls, match.first):
                continue  # "tiếng Anh", "chữ Hán": a language or a script, not the country (guidelines)
            cands.append(Candidate(start, end, entry.label, f"gazetteer:{entry.label.lower()}", text[start:end],
                                   name_en=entry.name_en, key=entry.key, extra={"kind": entry.kind}))
            places.setdefault(match.first, match)
        planes = list(find_aircraft(mt)) + list(find_maker_designations(mt))
        nicknames = {p.extra["nickname"] for p in planes if p.extra.get("nickname")}
        planes += find_aircraft_names(mt, nicknames)
        cands += planes
        cands += find_quantities(mt)
        cands += find_dates(mt)
        aircraft_at = {p.start: p for p in planes}
        cands += find_units(mt, syls, {i: m for i, m in places.items() if m.entry.label == "LOC"}, aircraft_at)
        cands += find_ordinal_formations(mt)
        cands += with_owner_country(mt, syls, cands, places)
        cands += find_organisations(mt, syls)
        cands += find_institutions(mt, syls, places)
        covered = _covered_by_syllable(syls, cands)
        cands += find_people(mt, syls, covered)
        cands += find_admin_places(mt, syls) + find_family_names(mt, syls) + find_initialled_names(mt)
        cands += find_initials_after_titles(mt, syls) + find_armies(mt, syls, places) + find_regions(mt)
        cands += find_national_bodies(mt) + find_national_teams(mt, syls, places)
        if doc.byline:
            a, b = doc.byline
            cands.append(Candidate(a, b, "PER", "byline", text[a:b], key=f"PER:{' '.join(text[a:b].split())}"))
        if self.use_crf:
            cands += clean_crf_spans(mt, syls, self._crf_spans(doc, _unexplained_capitals(mt, cands)))
        cands = [c for c in cands if not _part_of_code_name(mt, c)]
        cands = _attach_abbreviations(mt, cands)
        for c in cands:
            c.text = text[c.start:c.end]
        chosen = resolve(token_agreement(doc, cands))
        chosen = resolve(chosen + token_agreement(doc, _repeats(text, mt, syls, chosen)))
        return _without_pronoun_anh(mt, chosen)

    def _crf_spans(self, doc: Document, wanted: bytearray) -> list[tuple[int, int, str]]:
        """CRF spans around the proper nouns that no rule explains (``wanted``: their first letters).

        The CRF reads a window of ``CRF_WINDOW`` words on each side of such a word rather than the whole
        sentence: its features look two words away, and tagging the rest of a long sentence costs time."""
        text, spans, dictionary = doc.vi.text, [], vietnamese_words()
        by_sentence: dict[int, list] = {}
        for tok in doc.vi.tokens:
            by_sentence.setdefault(tok.sentence, []).append(tok)
        for toks in by_sentence.values():
            hits = [n for n, t in enumerate(toks)
                    if t.pos == "Np" and wanted[t.start] and text[t.start:t.end].lower() not in dictionary]
            for a, b in _windows(hits, len(toks), CRF_WINDOW):
                window = toks[a:b]
                tags = tag_sentence([" ".join(text[t.start:t.end].split()) for t in window],
                                    [t.pos or "X" for t in window])
                spans.extend(_bio_spans(window, tags))
        return spans


CRF_WINDOW = 8


def _without_pronoun_anh(text: str, chosen: list[Candidate]) -> list[Candidate]:
    """``Anh`` opening a sentence is the pronoun "he" unless the document names Britain elsewhere too
    (``sang Anh``, ``người Anh``): a story about a footballer says ``Anh được gọi...`` many times."""
    def opens_sentence(c: Candidate) -> bool:
        before = text[max(0, c.start - 3):c.start].rstrip(" \t\"'“(")
        return not before or before[-1] in ".!?:\n\r-–"

    initial = [c for c in chosen if c.key == "LOC:GB" and c.text == "Anh" and opens_sentence(c)]
    if not initial or any(c.key == "LOC:GB" and c not in initial for c in chosen):
        return chosen
    return [c for c in chosen if c not in initial]


def _language(syls, first: int) -> bool:
    """``tiếng``/``chữ`` before syllable ``first`` names a language, unless it ends a word (``nổi tiếng``)."""
    if first == 0 or syls[first - 1].lower not in ("tiếng", "chữ"):
        return False
    return first < 2 or f"{syls[first - 2].lower} {syls[first - 1].lower}" not in vietnamese_words()


def _windows(hits: list[int], n: int, width: int) -> list[tuple[int, int]]:
    """Merged ``[start, end)`` token ranges of ``width`` tokens on each side of each hit."""
    out: list[list[int]] = []
    for h in hits:
        a, b = max(0, h - width), min(n, h + width + 1)
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _bio_spans(toks, tags) -> list[tuple[int, int, str]]:
    spans, open_span = [], None
    for tok, tag in zip(toks, tags):
        if tag.startswith("B-") or (tag.startswith("I-") and (open_span is None or open_span[2] != tag[2:])):
            if open_span:
                spans.append(tuple(open_span))
            open_span = [tok.start, tok.end, tag[2:]]
        elif tag.startswith("I-"):
            open_span[1] = tok.end
        else:
            if open_span:
                spans.append(tuple(open_span))
            open_span = None
    if open_span:
        spans.append(tuple(open_span))
    return spans


CODE = re.compile(r"\s?[A-Z]{1,4}\d|\s?-\d")
CODE_BEFORE = re.compile(r"[A-Z]{1,4}-?\d+[A-Z]?\s$")


def _part_of_code_name(text: str, c: Candidate) -> bool:
    """A maker or a name glued to an engine or weapon code is part of that code's name, which the
    guidelines leave unannotated: ``Pratt & Whitney F100-100``, ``Mitsubishi AAM-3``, ``M61 Vulcan``."""
    if not (c.label in ("ORG", "AIRCRAFT") or c.source == "crf") or c.source == "ruler:aircraft":
        return False  # a country before a code ("Mỹ B52") stays a country
    return bool(CODE.match(text, c.end)) or bool(CODE_BEFORE.search(text[max(0, c.start - 12):c.start]))


ABBREVIATION = re.compile(r"(?:St|Mt|Ft|Ste|Pt)\.\s$")


def _attach_abbreviations(text: str, cands: list[Candidate]) -> list[Candidate]:
    """``St. Louis``: a name after an abbreviation takes it in (the sentence splitter may cut at its dot)."""
    out = []
    for c in cands:
        m = ABBREVIATION.search(text, max(0, c.start - 5), c.start)
        if m and c.label in ("LOC", "PER", "ORG"):
            c = Candidate(m.start(), c.end, c.label, c.source, text[m.start():c.end], name_en=text[m.start():c.end],
                          key=f"{c.label}:{text[m.start():c.end]}", score=c.score, extra=c.extra)
        elif c.text in ("St", "Mt", "Ft", "Ste", "Pt"):
            continue
        out.append(c)
    return out


def _unexplained_capitals(text: str, cands: list[Candidate]) -> bytearray:
    """1 at the first letter of each capitalised word that does not begin a sentence or a line and that
    no rule candidate covers: the places where the CRF may still find a name."""
    covered = bytearray(len(text))
    for c in cands:
        covered[c.start:c.end] = b"\x01" * (c.end - c.start)
    wanted = bytearray(len(text))
    for m in CAPITAL.finditer(text):
        if m.group(1).isupper() and not covered[m.start(1)]:
            wanted[m.start(1)] = 1
    return wanted


CAPITAL = re.compile(r"(?<=[\w,;(\"“])[ \t]+([^\W\d_])")


def _covered_by_syllable(syls, cands: list[Candidate]) -> dict[int, Candidate]:
    """Syllable index -> the longest rule candidate starting there (and marks syllables inside one)."""
    starts = {}
    for c in cands:
        if c.label in ("UNIT", "LOC", "ORG", "AIRCRAFT") and (c.start not in starts or
                                                             c.end - c.start > starts[c.start].end - starts[c.start].start):
            starts[c.start] = c
    covered: dict[int, Candidate] = {}
    for i, s in enumerate(syls):
        if s.start in starts:
            covered[i] = starts[s.start]
    return covered


NOT_A_NAME_BEFORE = {"tiếng", "người", "miền", "nước", "phía", "chữ", "dân", "hướng", "phương", "vùng", "ở", "tại"}


def _repeats(text: str, mt: str, syls, chosen: list[Candidate]) -> list[Candidate]:
    """Every other occurrence of a person's name (and a foreign surname alone), of a company's brand word
    alone (``Suzuki`` after ``Công ty Mô tô Suzuki``; not when a person of the document bears it too), and
    of an acronym introduced in brackets after a mention (``Lực lượng ... Nhật Bản (JASDF)``). They take
    the place of the CRF's own guesses there."""
    forms: dict[str, Candidate] = {}
    claims: dict[str, set[str]] = {}
    words = vietnamese_words()
    for c in chosen:
        if c.label == "PER":
            name = " ".join(c.text.split())
            parts = name.split(" ")
            if name.lower() not in words and (len(parts) > 1 or c.source != "crf"):
                forms.setdefault(name, c)
            if len(parts) > 1 and parts[-1].isascii() and parts[-1].lower() not in words and len(parts[-1]) > 2:
                forms.setdefault(parts[-1], c)
            elif len(parts) > 2 and parts[0] in surnames():
                forms.setdefault(parts[-1], c)  # "Dương Hồng Sơn" ... "Sơn": Vietnamese use the given name
        if c.label == "ORG" and c.source in ("ruler:org", "ruler:institution"):
            brand = c.text.split()[-1]
            if brand.isascii() and brand.isalpha() and brand[:1].isupper() and brand.lower() not in words:
                claims.setdefault(brand, set()).add("ORG")
                forms.setdefault(brand, c)  # "Công ty Mô tô Suzuki" ... "Suzuki" alone is the company
        if c.label == "PER":
            for part in c.text.split()[1:]:
                claims.setdefault(part, set()).add("PER")
        m = ACRONYM.match(mt, c.end + 1) or ACRONYM.match(mt, c.end)
        if m and c.label in ("ORG", "UNIT", "LOC") and c.extra.get("kind") != "country":
            forms.setdefault(m.group(1), c)  # not a country: "viễn thông Mali (SOTELMA)" is the company's
    forms = {f: c for f, c in forms.items() if len(claims.get(f, ())) < 2}  # "Suzuki" the man and the firm
    out: list[Candidate] = []
    taken = bytearray(len(mt))
    for c in chosen:
        if c.source != "crf":  # the CRF's guesses give way to a name the document has already typed
            taken[c.start:c.end] = b"\x01" * (c.end - c.start)
    by_first: dict[str, list[tuple[list[str], Candidate]]] = {}
    for form, owner in sorted(forms.items(), key=lambda kv: -len(kv[0])):
        parts = SYLLABLE.findall(form)
        by_first.setdefault(parts[0], []).append((parts, owner))
    for i, syl in enumerate(syls):
        for parts, owner in by_first.get(syl.text, ()):
            j = i + len(parts) - 1
            if j >= len(syls) or [s.text for s in syls[i:j + 1]] != parts:
                continue
            start, end = syl.start, syls[j].end
            if 1 in taken[start:end] or (end < len(mt) and (mt[end].isalnum() or mt[end] == "-")) \
                    or (start > 0 and mt[start - 1] == "-"):
                continue
            if i == j and i > 0 and syls[i - 1].lower in NOT_A_NAME_BEFORE:
                continue  # "tiếng Việt", "người Nam": a given name alone after these is a language or people
            out.append(Candidate(start, end, owner.label, "propagated", text[start:end],
                                 name_en=owner.name_en, key=owner.key, extra=dict(owner.extra)))
            taken[start:end] = b"\x01" * (end - start)
            break
    return out
