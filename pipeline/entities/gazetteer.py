"""Gazetteer lookup over syllables: countries, places, organisations and named forces.

Matching works on the text's syllables (runs of letters/digits and single punctuation marks), not on
underthesea's words: the segmenter splits names unpredictably (``Phi`` | ``đoàn``, ``Mach 2,8`` as one
word), while every name is a sequence of syllables. The names are phrase patterns of a spaCy
``SpanRuler`` run on a syllable-tokenised ``Doc``; small closed vocabularies (force nouns, titles)
use ``Vocabulary``, a trie. Case rules: a one-syllable name must match exactly
(``Nga`` the country, not ``nga``); a longer name needs at least one capitalised syllable
(``phương Tây``, ``Các Tiểu vương quốc ...``), and a Vietnamese or Sino-Vietnamese place name needs
every syllable capitalised (``Hải Dương``, not the ocean ``hải dương``); acronyms always match exactly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .resources import GazetteerEntry, gazetteer_entries, tone_variants

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

    def __init__(self, start: int, end: int, text: str, lower: str | None = None) -> None:
        self.start, self.end, self.text = start, end, text
        self.lower = text.lower() if lower is None else lower
        self.capitalised = text[:1].isupper()

    def __repr__(self) -> str:
        return f"Syllable({self.start}, {self.end}, {self.text!r})"


def syllables(text: str) -> list[Syllable]:
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer (rare): lower each syllable
        return [Syllable(m.start(), m.end(), m.group()) for m in SYLLABLE.finditer(text)]
    return [Syllable(a, b, text[a:b], lowered[a:b]) for a, b in (m.span() for m in SYLLABLE.finditer(text))]


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
            phrase = " ".join(s.lower for s in syls[last:j + 1])
            if not syls[last + 1].capitalised and any(v in words for v in tone_variants(phrase)):
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


class SyllableTokenizer:
    """A spaCy tokenizer that cuts text into the syllables of ``SYLLABLE``, so that spaCy tokens and
    our ``Syllable`` list share indices (``doc[i]`` is ``syllables(text)[i]``)."""

    def __init__(self, vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str):
        from spacy.tokens import Doc

        matches = list(SYLLABLE.finditer(text))
        words = [m.group() for m in matches]
        spaces = [m.end() < len(text) and text[m.end()].isspace() for m in matches]
        return Doc(self.vocab, words=words, spaces=spaces)


class Gazetteer:
    """Names found by a spaCy ``SpanRuler`` (phrase patterns on lower-cased syllables) over a
    syllable-tokenised ``Doc``; ``find`` keeps the longest name that passes the case rules at each
    starting syllable. Each pattern's ``id`` indexes the entry it came from."""

    def __init__(self, entries: tuple[GazetteerEntry, ...]) -> None:
        import spacy

        self.entries = entries
        self.nlp = spacy.blank("xx")
        self.nlp.tokenizer = SyllableTokenizer(self.nlp.vocab)
        self.ruler = self.nlp.add_pipe("span_ruler", config={"spans_key": "gazetteer", "phrase_matcher_attr": "LOWER",
                                                             "validate": False})
        self.ruler.add_patterns([{"label": e.label, "pattern": matching_text(e.surface), "id": str(n)}
                                 for n, e in enumerate(entries)])
        self.entry_syllables = [SYLLABLE.findall(matching_text(e.surface)) for e in entries]
        self.known = {syl.lower() for syls in self.entry_syllables for syl in syls}

    def find(self, text: str, syls: list[Syllable]) -> list[GazetteerMatch]:
        from spacy.tokens import Doc

        # Syllables that occur in no name become one placeholder: the Doc's vocabulary stays the patterns'
        # own (no growth over a long run), and matching is on lower case anyway (case rules come after).
        known = self.known
        words = [s.lower if s.lower in known else "_" for s in syls]
        doc = self.ruler(Doc(self.nlp.vocab, words=words, spaces=[True] * len(words)))
        best: dict[int, tuple[int, int]] = {}  # first syllable -> (last syllable, entry index)
        for span in doc.spans["gazetteer"]:
            first, last, index = span.start, span.end - 1, int(span.id_)
            held = best.get(first)
            if held is not None and (held[0] > last or (held[0] == last and held[1] < index)):
                continue
            if any(not joined(text, syls[n], syls[n + 1]) for n in range(first, last)):
                continue
            if not _case_ok(self.entry_syllables[index], syls[first:last + 1],
                            self.entries[index].every_syllable_capitalised):
                continue
            best[first] = (last, index)
        return [GazetteerMatch(first, last, self.entries[index]) for first, (last, index) in sorted(best.items())]


def _case_ok(name_syls: list[str], surface: list[Syllable], every_syllable: bool = False) -> bool:
    for want, got in zip(name_syls, surface):
        if len(want) > 1 and want.isupper() and got.text != want:
            return False  # acronyms: NATO, not nato
    if len(name_syls) == 1:
        return surface[0].text == name_syls[0]
    if every_syllable:
        return all(s.capitalised or not s.text[:1].isalpha() for s in surface)
    return any(s.capitalised for s in surface)


@lru_cache(maxsize=None)
def default_gazetteer() -> Gazetteer:
    return Gazetteer(gazetteer_entries())


class Vocabulary:
    """Lower-case phrases (``không quân``, ``phi đoàn``) matched at a syllable, longest first."""

    END = "\0"

    def __init__(self, phrases) -> None:
        self.trie: dict = {}
        for phrase in phrases:
            node = self.trie
            for syl in SYLLABLE.findall(phrase.lower()):
                node = node.setdefault(syl, {})
            node[self.END] = phrase

    def starts(self, syls: list[Syllable]) -> list[int]:
        """Indices of the syllables where a phrase may start."""
        trie = self.trie
        return [i for i, s in enumerate(syls) if s.lower in trie]

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
            if self.END in node:
                best = (node[self.END], j)
            j += 1
        return best
