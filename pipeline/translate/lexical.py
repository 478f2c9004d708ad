"""A word-by-word translation engine for lexical packages (``vien.kind == "embedded-lexical"``).

The project's word-by-word baseline (``training/wordbyword.py``: eflomal alignments of the
training data -> the most frequent English for each Vietnamese word) is a fallback translator
that needs no neural model. ``LexicalTranslator`` runs it through the same batched path as the
other engines (``base.Translator``): each Vietnamese word is a source "piece", its English words are the target
pieces, and the attention is one-hot on the word that produced them, so post-editing, alignment
and entity projection work unchanged. Its output is a gloss, not fluent English, and it is
labelled as such in ``doc.translation["model"]["kind"]``.
"""
from __future__ import annotations

import gzip
import re
from pathlib import Path

from ..models import InstalledModel
from ..segment import align_strings
from .base import Translator, _Unit

LEXICON = "lexicon-vi_en.tsv.gz"  # the table's file name inside a lexical package
_ATTACH_LEFT = re.compile(r"^[,.;:!?%)\]}”’…]+$")


def read_lexicon(path: Path) -> dict[str, str]:
    """``vi word (syllables joined by _ , lower case) -> English`` from the package's TSV (gzip)."""
    table: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            vi, en = line.rstrip("\n").split("\t")[:2]
            table[vi] = en
    return table


class LexicalTranslator(Translator):
    """Stage ``translate`` for a lexical package: one English gloss per Vietnamese word."""

    def __init__(self, model: InstalledModel, **settings) -> None:
        super().__init__(model, **settings)
        self.settings = {"engine": "lexical", **self.settings}
        self._table: dict[str, str] | None = None

    def _load(self) -> None:
        if self._table is not None:
            return
        from underthesea import word_tokenize  # the segmenter the lexicon was built with

        self._word_tokenize = word_tokenize
        self._table = read_lexicon(self.model.lexicon_path or self.model.path / LEXICON)

    def _encode(self, text: str, offset: int) -> tuple[list[str], list[tuple[int, int]]]:
        """Vietnamese words of ``text`` and their characters (offset by ``offset``)."""
        words = [w for w in self._word_tokenize(text) if w.strip()]
        spans = align_strings(text, words)
        return ([text[a:b] for a, b in spans], [(offset + a, offset + b) for a, b in spans])

    def gloss(self, word: str, *, sentence_initial: bool = False) -> list[str]:
        """English words for one Vietnamese word.

        The word's own entry if it has one; else its syllables glossed by the longest known runs,
        where a capitalised syllable (a name; the sentence's first one excepted) is copied as it is,
        as are words the lexicon does not know (names, numbers, foreign words).
        """
        self._load()
        key = "_".join(word.lower().split())
        english = self._table.get(key)
        if english is not None:
            return english.split()
        syllables = word.split()
        out: list[str] = []
        i = 0
        while i < len(syllables):
            for j in range(len(syllables), i, -1):
                run = syllables[i:j]
                named = any(s[:1].isupper() for k, s in enumerate(run, i) if k or not sentence_initial)
                entry = None if named else self._table.get("_".join(run).lower())
                if entry is not None:
                    out += entry.split()
                    i = j
                    break
            else:
                out.append(syllables[i])
                i += 1
        return out

    def _run(self, units: list[_Unit]) -> None:
        self._load()
        for unit in units:
            hyp: list[str] = []
            attention: list[list[float]] = []
            for i, word in enumerate(unit.pieces):
                for english in self.gloss(word, sentence_initial=i == 0):
                    first = not hyp
                    hyp.append(english if (_ATTACH_LEFT.match(english) and not first) else "\u2581" + english)
                    row = [0.0] * len(unit.pieces)
                    row[i] = 1.0
                    attention.append(row)
            if hyp:
                hyp[0] = "\u2581" + hyp[0][1:2].upper() + hyp[0][2:]
            unit.result = (hyp, attention)
