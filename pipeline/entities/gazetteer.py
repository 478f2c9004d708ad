"""Gazetteer lookup over syllables: countries, places, organisations and named forces.

Matching works on the text's syllables (runs of letters/digits and single punctuation marks), not on
underthesea's words: the segmenter splits names unpredictably (``Phi`` | ``đoàn``, ``Mach 2,8`` as one
word), while every name is a sequence of syllables. A trie keyed by lower-cased syllables finds the
longest name at each position in one pass. Case rules: a one-syllable name must match exactly
(``Nga`` the country, not ``nga``); a longer name needs at least one capitalised syllable
(``phương Tây``, ``Các Tiểu vương quốc ...``); acronyms always match exactly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .resources import GazetteerEntry, gazetteer_entries

SYLLABLE = re.compile(r"[^\W_]+|[^\w\s]")

# Cyrillic and Greek letters that look like Latin ones (``МiG-25`` with a Cyrillic М), and spaces that
# are not U+0020. Replacing them one for one keeps every offset valid.
LOOKALIKES = str.maketrans(
    "АВЕКМНОРСТХаеорсухіјѕ" "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ" "\u00a0\u2007\u202f\u2009\u200a",
    "ABEKMHOPCTXaeopcyxijs" "ABEZHIKMNOPTYX" "     ",
)


def matching_text(text: str) -> str:
    """``text`` with look-alike letters and odd spaces replaced, character for character."""
    return text.translate(LOOKALIKES)


class Syllable:
    """One syllable (or punctuation mark) of the text: offsets, surface, lower case, capitalisation."""

    __slots__ = ("start", "end", "text", "lower", "capitalised")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start, self.end, self.text = start, end, text
        self.lower = text.lower()
        self.capitalised = text[:1].isupper()

    def __repr__(self) -> str:
        return f"Syllable({self.start}, {self.end}, {self.text!r})"


def syllables(text: str) -> list[Syllable]:
    return [Syllable(m.start(), m.end(), m.group()) for m in SYLLABLE.finditer(text)]


@lru_cache(maxsize=None)
def vietnamese_words() -> frozenset[str]:
    """The Viet74K word list that ships with underthesea (lower case), to tell words from names."""
    from underthesea.corpus import DictionaryLoader

    return frozenset(w.lower() for w in DictionaryLoader("Viet74K.txt").words)


def continues_word(text: str, syls: list[Syllable], last: int) -> int:
    """How many following syllables complete a dictionary word that syllable ``last`` begins
    (``Chính`` + ``phủ``, ``Khí tượng Thủy`` + ``văn``): 0 if none."""
    words = vietnamese_words()
    for extra in (2, 1):
        j = last + extra
        if j < len(syls) and all(joined(text, syls[n], syls[n + 1]) for n in range(last, j)):
            if " ".join(s.lower for s in syls[last:j + 1]) in words and not syls[last + 1].capitalised:
                return extra
    return 0


def joined(text: str, a: Syllable, b: Syllable) -> bool:
    """Two syllables belong to one name only if nothing but spaces (no line break) separates them."""
    gap = text[a.end:b.start]
    return gap == "" or (gap.isspace() and "\n" not in gap)


@dataclass(frozen=True)
class GazetteerMatch:
    first: int  # syllable indices [first, last]
    last: int
    entry: GazetteerEntry


class Gazetteer:
    """A syllable trie over names; ``find`` returns the longest valid name starting at each syllable."""

    END = "\0"

    def __init__(self, entries: tuple[GazetteerEntry, ...]) -> None:
        self.trie: dict = {}
        for entry in entries:
            node = self.trie
            for syl in SYLLABLE.findall(matching_text(entry.surface)):
                node = node.setdefault(syl.lower(), {})
            node.setdefault(self.END, []).append(entry)

    def find(self, text: str, syls: list[Syllable]) -> list[GazetteerMatch]:
        out: list[GazetteerMatch] = []
        n = len(syls)
        for i in range(n):
            node = self.trie.get(syls[i].lower)
            if node is None:
                continue
            best: GazetteerMatch | None = None
            j = i
            while True:
                for entry in node.get(self.END, ()):
                    if _case_ok(entry.surface, syls[i:j + 1]):
                        best = GazetteerMatch(i, j, entry)
                        break
                if j + 1 >= n or not joined(text, syls[j], syls[j + 1]):
                    break
                node = node.get(syls[j + 1].lower)
                if node is None:
                    break
                j += 1
            if best is not None:
                out.append(best)
        return out


def _case_ok(name: str, surface: list[Syllable]) -> bool:
    name_syls = SYLLABLE.findall(matching_text(name))
    for want, got in zip(name_syls, surface):
        if len(want) > 1 and want.isupper() and got.text != want:
            return False  # acronyms: NATO, not nato
    if len(name_syls) == 1:
        return surface[0].text == name_syls[0]
    return any(s.capitalised for s in surface)


@lru_cache(maxsize=None)
def default_gazetteer() -> Gazetteer:
    return Gazetteer(gazetteer_entries())


class Vocabulary:
    """Lower-case phrases (``không quân``, ``phi đoàn``) matched at a syllable, longest first."""

    def __init__(self, phrases) -> None:
        self.trie: dict = {}
        for phrase in phrases:
            node = self.trie
            for syl in SYLLABLE.findall(phrase.lower()):
                node = node.setdefault(syl, {})
            node[Gazetteer.END] = phrase

    def match(self, text: str, syls: list[Syllable], i: int) -> tuple[str, int] | None:
        """``(phrase, last syllable index)`` of the longest phrase starting at syllable ``i``."""
        if syls[i].lower not in self.trie:
            return None
        node, best, j = self.trie, None, i
        while j < len(syls):
            if j > i and not joined(text, syls[j - 1], syls[j]):
                break
            node = node.get(syls[j].lower)
            if node is None:
                break
            if Gazetteer.END in node:
                best = (node[Gazetteer.END], j)
            j += 1
        return best
