"""The translation stage: vi->en with CTranslate2 + SentencePiece, batched across documents.

``Translator.pipe`` collects the sentences of a whole batch of documents, sorts them by length and
sends them to ``ctranslate2.Translator.translate_batch`` in chunks of ``batch_size`` sentences
(argostranslate translates one text at a time). Sentences longer than ``max_input_pieces``
SentencePiece pieces are cut at ``;``, then ``,``, then word boundaries, translated as parts and
rejoined. Attention is kept (``return_attention=True``) for the aligner.

Entities and numbers are post-edited (``pipeline.postedit``: why post-editing and not
placeholders, and the methods); every edit is recorded in ``doc.translation["post_edits"]``.

The aligner reads the per-sentence work (pieces, attention, word spans) that this stage leaves
on the document as ``doc.__dict__["_mt"]`` (never serialised).
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .document import Document, Sentence, Side
from .models import InstalledModel, resolve_model
from .postedit import Word, apply_post_edits, targets_for

_WORD = re.compile(r"\S+")


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


def make_translator(model: InstalledModel | str | None = None, **settings: Any) -> Translator:
    """The translation stage for ``model`` (a name, an installed model, or None for the preferred
    one): CTranslate2 for neural packages, ``lexical.LexicalTranslator`` for lexical ones."""
    model = model if isinstance(model, InstalledModel) else resolve_model(model)
    if model.kind == "embedded-lexical":
        from .lexical import LexicalTranslator

        return LexicalTranslator(model, **settings)
    return Translator(model, **settings)


class Translator:
    """Stage ``translate``: ``doc.en`` (text, sentences) and ``doc.translation`` from ``doc.vi``."""

    name = "translate"
    requires = ("sentences", "tokens", "entities")
    provides = ("translation", "en_sentences")

    def __init__(self, model: InstalledModel | str | None = None, *, beam_size: int = 4,
                 batch_size: int = 64, threads: int | None = None, compute_type: str = "int8",
                 device: str = "cpu", max_input_pieces: int = 200, max_decoding_length: int = 256,
                 exact_batches: bool = False) -> None:
        self.model = model if isinstance(model, InstalledModel) else resolve_model(model)
        self.settings = {
            "beam_size": beam_size, "batch_size": batch_size, "compute_type": compute_type,
            "device": device, "threads": threads or min(4, os.cpu_count() or 1),
            "max_input_pieces": max_input_pieces, "max_decoding_length": max_decoding_length,
            "exact_batches": exact_batches,
        }
        self._ct2 = None
        self._sp_source = self._sp_target = None

    def describe(self) -> dict[str, Any]:
        """Model name, version, kind, sha256 and the settings that shape the output.

        Threads and batch size are left out: they change speed, not translations, and outputs
        must not differ between a pooled run and a single-process one.
        """
        shaping = {k: v for k, v in self.settings.items() if k not in ("threads", "batch_size", "exact_batches")}
        return {**self.model.describe(), "settings": shaping}

    def _load(self) -> None:
        if self._ct2 is not None:
            return
        import ctranslate2
        import sentencepiece

        s = self.settings
        self._ct2 = ctranslate2.Translator(str(self.model.model_dir), device=s["device"],
                                           compute_type=s["compute_type"], inter_threads=1,
                                           intra_threads=s["threads"])
        self._sp_source = sentencepiece.SentencePieceProcessor(model_file=str(self.model.sp_source))
        self._sp_target = (self._sp_source if self.model.sp_target == self.model.sp_source else
                           sentencepiece.SentencePieceProcessor(model_file=str(self.model.sp_target)))

    # ---- source side ------------------------------------------------------------------------
    def _encode(self, text: str, offset: int) -> tuple[list[str], list[tuple[int, int]]]:
        """Pieces of ``text`` and each piece's characters (offset by ``offset``), word by word."""
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        pieces, spans = [], []
        for (start, end, word), word_pieces in zip(words, self._sp_source.encode([w for *_, w in words], out_type=str)):
            pos = start
            for piece in word_pieces:
                surface = piece.lstrip("\u2581")
                if surface and text.startswith(surface, pos):
                    spans.append((offset + pos, offset + pos + len(surface)))
                    pos += len(surface)
                else:  # normalised or byte-fallback piece: it belongs to the word as a whole
                    spans.append((offset + start, offset + end))
                pieces.append(piece)
        return pieces, spans

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

    # ---- the model --------------------------------------------------------------------------
    def _cap(self, n_pieces: int) -> int:
        """Decoding limit for a source of ``n_pieces``: twice its length bucket plus 10.

        It depends on the sentence alone (never on the batch it lands in), so a document gets
        the same translation in any batch; it stops weak models that loop long before 256 pieces.
        """
        bucket = 8
        while bucket < n_pieces:
            bucket *= 2
        return min(self.settings["max_decoding_length"], 2 * bucket + 10)

    def _run(self, units: list[_Unit]) -> None:
        """Translate ``units`` in length-sorted batches of at most ``batch_size``, one cap each.

        With beam search (beam > 1), CTranslate2 4.8 can decode a sentence padded in a batch
        differently from the same sentence alone (near ties; measured with the fixture on the
        seed article). Greedy decoding (beam 1) is batch-independent; so is ``exact_batches``,
        which batches only sources of equal length (no padding) at some cost in speed. Use
        either where a re-run must reproduce earlier outputs exactly.
        """
        self._load()
        s = self.settings
        order = sorted(range(len(units)), key=lambda i: len(units[i].pieces))
        batches: list[list[_Unit]] = []
        for i in order:
            unit = units[i]
            same = (len(batches[-1][0].pieces) == len(unit.pieces) if s["exact_batches"] else
                    self._cap(len(batches[-1][0].pieces)) == self._cap(len(unit.pieces))) if batches else False
            if same and len(batches[-1]) < s["batch_size"]:
                batches[-1].append(unit)
            else:
                batches.append([unit])
        prefix = self.model.target_prefix
        for chunk in batches:
            results = self._ct2.translate_batch(
                [u.pieces for u in chunk], beam_size=s["beam_size"], return_attention=True,
                replace_unknowns=True, max_batch_size=s["batch_size"],
                target_prefix=[[prefix]] * len(chunk) if prefix else None,
                max_decoding_length=self._cap(len(chunk[0].pieces)))
            first_steps = self._first_step_attention(chunk) if not prefix else {}
            for k, (unit, result) in enumerate(zip(chunk, results)):
                hyp, att = list(result.hypotheses[0]), list(result.attention[0])
                if prefix and hyp and hyp[0] == prefix:
                    hyp, att = hyp[1:], att[1:]
                if k in first_steps and att:
                    att[0] = first_steps[k]
                unit.result = (hyp, att)

    def _first_step_attention(self, chunk: list[_Unit]) -> dict[int, list[float]]:
        """The first-step attention of every source of a beam-search batch, from a greedy step.

        CTranslate2 4.8 returns a wrong first attention row for most sources of a beam-search
        batch (mass leaks onto padding; the hypotheses and later rows are unaffected, measured on
        the fixture). The first step is the same for every beam, so one greedy step, which is
        exact in batches, gives the right row. Without this, alignments and attention post-edits
        would depend on which sentences share a batch, and a resumed run would differ.
        """
        if self.settings["beam_size"] == 1 or len(chunk) == 1:
            return {}
        steps = self._ct2.translate_batch([u.pieces for u in chunk], beam_size=1, max_decoding_length=1,
                                          return_attention=True, max_batch_size=self.settings["batch_size"])
        return {k: list(r.attention[0][0]) for k, r in enumerate(steps) if r.attention and r.attention[0]}

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
                if w.edit is not None:
                    edits[w.edit].update(start=pos, end=pos + len(w.text))
                parts.append(w.text)
                pos += len(w.text)
            en_id = len(en_sentences)
            en_sentences.append(Sentence(en_id, start, pos, source_sentence=s.id))
            work.append(SentenceTranslation(s.id, en_id, spans, placed, attention))
        doc.en = Side(text="".join(parts), sentences=en_sentences)
        described = self.describe()
        doc.translation = {"model": self.model.describe(), "settings": described["settings"],
                           "post_edits": edits, "unprojected": []}
        doc.__dict__["_mt"] = work

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

