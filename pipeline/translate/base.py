"""The interface every translation engine implements, and the batching the runner uses.

``Translator.pipe`` collects the sentences of a whole batch of documents and hands them to the
engine's ``_run`` at once; ``translate_texts`` does the same for plain sentences (evaluation,
benchmarks). An engine supplies three things:

- ``_load()``: load its model (once, on first use);
- ``_encode(text, offset)``: the source "pieces" of a sentence and each piece's characters;
- ``_run(units)``: for every ``_Unit``, ``unit.result = (target pieces, attention rows)``, where
  target pieces that start a word begin with U+2581 and each attention row spreads one target
  piece over the unit's source pieces (one-hot where the engine knows the exact link).

Sentences longer than ``max_input_pieces`` pieces are cut at ``;``, then ``,``, then word
boundaries, translated as parts and rejoined. Entities and numbers are post-edited
(``pipeline.postedit``: why post-editing and not placeholders, and the methods); every edit is
recorded in ``doc.translation["post_edits"]``. What the aligner needs (per-sentence pieces,
attention, word spans) is left on ``doc.translation_work`` (never serialised).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..document import Document, Sentence, Side
from ..models import InstalledModel, resolve_model
from ..postedit import Word, apply_post_edits, targets_for

WORD = re.compile(r"\S+")


@dataclass
class SentenceTranslation:
    """One translated sentence, as the aligner needs it (offsets are absolute, per side)."""

    vi_sentence: int
    en_sentence: int
    src_spans: list[tuple[int, int]]  # per source piece: its characters in doc.vi.text
    words: list[tuple[int, int, list[int]]]  # per English word: start, end in doc.en.text, piece ids
    attention: np.ndarray  # target pieces x source pieces


@dataclass
class _Unit:
    """A part of a sentence sent to the model (a whole sentence unless it was too long)."""

    key: tuple[int, int]  # (document index, sentence index); -1 document for plain texts
    pieces: list[str]
    spans: list[tuple[int, int]]
    result: Any = None


class _Decoder:
    """Stands in for a SentencePiece processor: pieces marked with U+2581 start a new word."""

    @staticmethod
    def decode_pieces(pieces: list[str]) -> str:
        return "".join(p.replace("\u2581", " ") for p in pieces)


class Translator:
    """Stage ``translate``: ``doc.en`` (text, sentences) and ``doc.translation`` from ``doc.vi``.

    The base of every engine; ``settings`` is what shapes the output (recorded in the producer).
    """

    name = "translate"
    requires = ("sentences", "tokens", "entities")
    provides = ("translation", "en_sentences")

    def __init__(self, model: InstalledModel | str | None = None, *, max_input_pieces: int = 200,
                 **unused: Any) -> None:
        """``model``: a name, an installed model, or None for the preferred one. Settings that
        other engines take (beam size, threads, ...) are accepted and ignored, so the runner can
        pass the same ones to any engine."""
        self.model = model if isinstance(model, InstalledModel) else resolve_model(model)
        self.settings: dict[str, Any] = {"max_input_pieces": max_input_pieces}
        self._sp_target: Any = _Decoder()

    def describe(self) -> dict[str, Any]:
        """Model name, version, kind, sha256 and the settings that shape the output.

        Threads and batch size are left out: they change speed, not translations, and outputs
        must not differ between a pooled run and a single-process one.
        """
        shaping = {k: v for k, v in self.settings.items()
                   if k not in ("threads", "max_batch_sentences", "exact_batches")}
        return {**self.model.describe(), "settings": shaping}

    def _load(self) -> None:
        """Load the engine's model (once)."""
        raise NotImplementedError

    def _encode(self, text: str, offset: int) -> tuple[list[str], list[tuple[int, int]]]:
        """Source pieces of ``text`` and each piece's characters (offset by ``offset``)."""
        raise NotImplementedError

    def _run(self, units: list[_Unit]) -> None:
        """Set ``unit.result = (target pieces, attention rows)`` for every unit."""
        raise NotImplementedError

    def _units(self, key: tuple[int, int], text: str, offset: int) -> list[_Unit]:
        """``text`` as one unit, or several when it is longer than ``max_input_pieces``."""
        self._load()
        pieces, spans = self._encode(text, offset)
        limit = self.settings["max_input_pieces"]
        units, begin = [], 0
        while len(pieces) - begin > limit:
            cut = self._cut(pieces, spans, text, offset, begin, begin + limit)
            units.append(_Unit(key, pieces[begin:cut], spans[begin:cut]))
            begin = cut
        units.append(_Unit(key, pieces[begin:], spans[begin:]))
        return [u for u in units if u.pieces]

    @staticmethod
    def _cut(pieces, spans, text, offset, begin, stop) -> int:
        """Where to end a part in ``(begin, stop]``: after ``;``, else ``,``, else a word."""
        word_starts = [k for k in range(begin + 1, stop + 1) if pieces[k].startswith("\u2581")]
        for mark in (";", ","):
            after = [k for k in word_starts if text[:spans[k][0] - offset].rstrip().endswith(mark)]
            if after:
                return after[-1]
        return word_starts[-1] if word_starts else stop

    def _words(self, units: list[_Unit]) -> tuple[list[Word], np.ndarray, list[tuple[int, int]]]:
        """English words of a sentence's units, with the block-diagonal attention matrix."""
        n_src = sum(len(u.pieces) for u in units)
        n_tgt = sum(len(u.result[0]) for u in units)
        attention = np.zeros((n_tgt, n_src), dtype=np.float32)
        words: list[Word] = []
        current: list[str] = []
        ids: list[int] = []
        row = col = 0

        def flush() -> None:
            text = self._sp_target.decode_pieces(current).strip()
            if text:
                words.append(Word(text, list(ids)))
            current.clear()
            ids.clear()

        for unit in units:
            hyp, att = unit.result
            for t, piece in enumerate(hyp):
                if piece.startswith("\u2581") and current:
                    flush()
                current.append(piece)
                ids.append(row + t)
                if t < len(att):
                    a = np.asarray(att[t], dtype=np.float32)[: len(unit.pieces)]
                    attention[row + t, col:col + len(a)] = a
            flush()
            row += len(hyp)
            col += len(unit.pieces)
        spans = [sp for u in units for sp in u.spans]
        return words, attention, spans

    # ---- documents --------------------------------------------------------------------------
    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Document]:
        """Translate ``batch_size`` documents at a time, their sentences batched together."""
        batch: list[Document] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._translate_docs(batch)
                batch = []
        if batch:
            yield from self._translate_docs(batch)

    def __call__(self, doc: Document) -> Document:
        return self._translate_docs([doc])[0]

    def _translate_docs(self, docs: list[Document]) -> list[Document]:
        self._load()
        units: dict[tuple[int, int], list[_Unit]] = {}
        for d, doc in enumerate(docs):
            for k, s in enumerate(doc.vi.sentences):
                units[(d, k)] = self._units((d, k), doc.vi.text[s.start:s.end], s.start)
        self._run([u for us in units.values() for u in us])
        for d, doc in enumerate(docs):
            self._assemble(doc, [units[(d, k)] for k in range(len(doc.vi.sentences))])
        return docs

    def _assemble(self, doc: Document, sentence_units: list[list[_Unit]]) -> None:
        edits: list[dict[str, Any]] = []
        parts: list[str] = []
        pos = 0
        en_sentences: list[Sentence] = []
        work: list[SentenceTranslation] = []
        for k, (s, us) in enumerate(zip(doc.vi.sentences, sentence_units)):
            if not us:
                continue
            words, attention, spans = self._words(us)
            words = apply_post_edits(words, attention, spans, targets_for(doc, doc.vi.text, s.start, s.end),
                                edits, len(en_sentences))
            if not words:
                continue
            if parts:
                gap = doc.vi.text[doc.vi.sentences[k - 1].end:s.start] if k else ""
                sep = "\n" if "\n" in gap else " "
                parts.append(sep)
                pos += len(sep)
            start = pos
            placed = []
            for i, w in enumerate(words):
                if i:
                    parts.append(" ")
                    pos += 1
                placed.append((pos, pos + len(w.text), w.pieces))
                if w.edit is not None:  # an edit's words are consecutive: from the first to the last
                    edits[w.edit].setdefault("start", pos)
                    edits[w.edit]["end"] = pos + len(w.text)
                parts.append(w.text)
                pos += len(w.text)
            en_id = len(en_sentences)
            en_sentences.append(Sentence(en_id, start, pos, source_sentence=s.id))
            work.append(SentenceTranslation(s.id, en_id, spans, placed, attention))
        doc.en = Side(text="".join(parts), sentences=en_sentences)
        described = self.describe()
        doc.translation = {"model": self.model.describe(), "settings": described["settings"],
                           "post_edits": edits, "unprojected": []}
        doc.translation_work = work

    # ---- plain texts (evaluation, benchmarks) -----------------------------------------------
    def translate_texts(self, texts: list[str]) -> list[str]:
        """Translate one sentence per string through the same batched path, numbers post-edited."""
        self._load()
        units = {i: self._units((-1, i), t, 0) for i, t in enumerate(texts)}
        self._run([u for us in units.values() for u in us])
        out = []
        for i, text in enumerate(texts):
            if not units[i]:
                out.append("")
                continue
            words, attention, spans = self._words(units[i])
            words = apply_post_edits(words, attention, spans, targets_for(None, text, 0, len(text)), [], 0)
            out.append(" ".join(w.text for w in words))
        return out

