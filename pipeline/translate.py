"""The translation stage: vi->en with CTranslate2 + SentencePiece, batched across documents.

``Translator.pipe`` collects the sentences of a whole batch of documents, sorts them by length and
sends them to ``ctranslate2.Translator.translate_batch`` in chunks of ``batch_size`` sentences
(argostranslate translates one text at a time). Sentences longer than ``max_input_pieces``
SentencePiece pieces are cut at ``;``, then ``,``, then word boundaries, translated as parts and
rejoined. Attention is kept (``return_attention=True``) for the aligner.

Entities and numbers: **post-editing**, not placeholders. A weak model drops, repeats or mangles
placeholder tokens it never saw in training; post-editing leaves the model's output alone except
where evidence says a rendering is wrong, and every edit is recorded in
``doc.translation["post_edits"]`` with its evidence (``method``):

- ``number``: a number left in Vietnamese notation (``12.246``, ``2,8``) becomes English
  notation (``12,246``, ``2.8``), by literal match of the Vietnamese form in the output.
- ``literal``: a mention copied through untranslated (``Mig-25``, ``Liên Xô``) becomes its
  English rendering: the entity's canonical ``name_en`` (``MiG-25``), or ``value["en"]`` for
  QUANTITY/DATE. Latin-script aliases that differ from the canonical name (``Foxbat`` for MiG-25,
  ``Belenko`` for Viktor Belenko) count as rendered and are never rewritten.
- ``attention``: when the rendering is absent and nothing was copied, the output words whose
  strongest attention falls on the mention are replaced by the rendering.

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

from .document import Document, Entity, Mention, Sentence, Side
from .models import InstalledModel, resolve_model
from .numbers import find_numbers

_WORD = re.compile(r"\S+")
_TRAIL_PUNCT = re.compile(r"[.,;:!?)\]\"'”’]+$")


@dataclass
class SentenceTranslation:
    """One translated sentence, as the aligner needs it (offsets are absolute, per side)."""

    vi_sentence: int
    en_sentence: int
    src_spans: list[tuple[int, int]]  # per source piece: its characters in doc.vi.text
    words: list[tuple[int, int, list[int]]]  # per English word: start, end in doc.en.text, piece ids
    attention: np.ndarray  # target pieces x source pieces


@dataclass
class _Word:
    text: str
    pieces: list[int]
    edit: int | None = None  # index into the post-edit list, to fill its final offsets


@dataclass
class _Unit:
    """A part of a sentence sent to the model (a whole sentence unless it was too long)."""

    key: tuple[int, int]  # (document index, sentence index); -1 document for plain texts
    pieces: list[str]
    spans: list[tuple[int, int]]
    result: Any = None


@dataclass
class _Target:
    """What a sentence must contain in English: ``rendering`` for the source ``surface``."""

    start: int
    end: int
    surface: str
    rendering: str
    accepted: tuple[str, ...]
    mention: str | None
    kind: str  # name | value | number


def _is_latin(text: str) -> bool:
    return all(ord(c) < 0xC0 for c in text)


def _norm(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def _find_word(text: str, needle: str, *, ignore_case: bool = False) -> int:
    m = re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", text, re.IGNORECASE if ignore_case else 0)
    return m.start() if m else -1


def accepted_renderings(mention: Mention, entity: Entity | None) -> list[str]:
    """English forms that render ``mention`` correctly, the preferred one first.

    QUANTITY/DATE: ``value["en"]``. Named entities: the canonical ``name_en``; a Latin-script
    alias that differs from it (``Foxbat`` for MiG-25) is accepted too, so it is never rewritten,
    while a case or hyphen variant (``Mig-25``) is. Unlinked Latin-script mentions render as
    themselves; other mentions have no known rendering.
    """
    if mention.value and mention.value.get("en"):
        return [str(mention.value["en"])]
    latin = _is_latin(mention.text)
    if entity is not None and entity.name_en:
        if latin and _norm(mention.text) != _norm(entity.name_en):
            return [entity.name_en, mention.text]
        return [entity.name_en]
    return [mention.text] if latin else []


def best_run(indices: list[int], max_len: int) -> list[int]:
    """The longest run of ``indices`` with gaps of at most one, if it spans ``max_len`` or fewer."""
    runs: list[list[int]] = []
    for i in sorted(indices):
        if runs and i - runs[-1][-1] <= 2:
            runs[-1].append(i)
        else:
            runs.append([i])
    if not runs:
        return []
    run = max(runs, key=len)
    return run if run[-1] - run[0] + 1 <= max_len else []


class Translator:
    """Stage ``translate``: ``doc.en`` (text, sentences) and ``doc.translation`` from ``doc.vi``."""

    name = "translate"
    requires = ("sentences", "tokens", "entities")
    provides = ("translation", "en_sentences")

    def __init__(self, model: InstalledModel | str | None = None, *, beam_size: int = 4,
                 batch_size: int = 32, threads: int | None = None, compute_type: str = "int8",
                 device: str = "cpu", max_input_pieces: int = 200, max_decoding_length: int = 256) -> None:
        self.model = model if isinstance(model, InstalledModel) else resolve_model(model)
        self.settings = {
            "beam_size": beam_size, "batch_size": batch_size, "compute_type": compute_type,
            "device": device, "threads": threads or min(4, os.cpu_count() or 1),
            "max_input_pieces": max_input_pieces, "max_decoding_length": max_decoding_length,
        }
        self._ct2 = None
        self._sp_source = self._sp_target = None

    def describe(self) -> dict[str, Any]:
        """Model name, version, kind, sha256 and the settings that shape the output.

        Threads and batch size are left out: they change speed, not translations, and outputs
        must not differ between a pooled run and a single-process one.
        """
        shaping = {k: v for k, v in self.settings.items() if k not in ("threads", "batch_size")}
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
        """Translate ``units`` in length-sorted batches of at most ``batch_size``, one cap each."""
        self._load()
        s = self.settings
        order = sorted(range(len(units)), key=lambda i: len(units[i].pieces))
        batches: list[list[_Unit]] = []
        for i in order:
            unit = units[i]
            if batches and len(batches[-1]) < s["batch_size"] and \
                    self._cap(len(batches[-1][0].pieces)) == self._cap(len(unit.pieces)):
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
            for unit, result in zip(chunk, results):
                hyp, att = list(result.hypotheses[0]), list(result.attention[0])
                if prefix and hyp and hyp[0] == prefix:
                    hyp, att = hyp[1:], att[1:]
                unit.result = (hyp, att)

    def _words(self, units: list[_Unit]) -> tuple[list[_Word], np.ndarray, list[tuple[int, int]]]:
        """English words of a sentence's units, with the block-diagonal attention matrix."""
        n_src = sum(len(u.pieces) for u in units)
        n_tgt = sum(len(u.result[0]) for u in units)
        attention = np.zeros((n_tgt, n_src), dtype=np.float32)
        words: list[_Word] = []
        current: list[str] = []
        ids: list[int] = []
        row = col = 0

        def flush() -> None:
            text = self._sp_target.decode_pieces(current).strip()
            if text:
                words.append(_Word(text, list(ids)))
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

    # ---- post-editing -----------------------------------------------------------------------
    @staticmethod
    def _targets(doc: Document | None, text: str, start: int, end: int) -> list[_Target]:
        """Renderings the English sentence must contain for vi text ``[start, end)``."""
        targets: list[_Target] = []
        names = {e.id: e for e in doc.entities} if doc is not None else {}
        mentions = [m for m in (doc.vi.entities if doc is not None else [])
                    if start <= m.start and m.end <= end]
        for m in mentions:
            forms = accepted_renderings(m, names.get(m.entity or ""))
            if forms:
                kind = "value" if m.value and m.value.get("en") else "name"
                targets.append(_Target(m.start, m.end, m.text, forms[0], tuple(forms), m.id, kind))
        covered = [(m.start, m.end) for m in mentions]
        for n in find_numbers(text[start:end]):
            a, b = start + n.start, start + n.end
            if n.en != n.surface and not any(s <= a and b <= e for s, e in covered):
                targets.append(_Target(a, b, n.surface, n.en, (n.en,), None, "number"))
        return targets

    @staticmethod
    def _apply(words: list[_Word], attention: np.ndarray, spans: list[tuple[int, int]],
               targets: list[_Target], edits: list[dict[str, Any]], sentence: int) -> list[_Word]:
        for target in sorted(targets, key=lambda t: t.kind != "number"):
            text = " ".join(w.text for w in words)
            if any(_find_word(text, form) >= 0 for form in target.accepted):
                continue
            if target.kind == "number":
                hit = next((i for i, w in enumerate(words) if _TRAIL_PUNCT.sub("", w.text) == target.surface), None)
                lo = hi = hit
                method = "number"
            else:
                lo, hi = Translator._literal(words, target.surface)
                method = "literal"
                if lo is None:
                    lo, hi = Translator._attended(words, attention, spans, target)
                    method = "attention"
            if lo is None:
                continue
            before = " ".join(w.text for w in words[lo:hi + 1])
            tail = _TRAIL_PUNCT.search(words[hi].text)
            after = target.rendering + (tail.group() if tail and not target.rendering.endswith(tail.group()) else "")
            edits.append({"sentence": sentence, "mention": target.mention, "kind": target.kind,
                          "method": method, "before": before, "after": after})
            merged = _Word(after, [p for w in words[lo:hi + 1] for p in w.pieces], len(edits) - 1)
            words = words[:lo] + [merged] + words[hi + 1:]
        return words

    @staticmethod
    def _literal(words: list[_Word], surface: str) -> tuple[int | None, int | None]:
        """Words that spell ``surface`` (copied through untranslated), case-insensitively."""
        n = len(surface.split())
        wanted = _norm(surface) or surface.lower()
        for i in range(len(words) - n + 1):
            joined = " ".join(w.text for w in words[i:i + n])
            if (_norm(_TRAIL_PUNCT.sub("", joined)) or joined.lower()) == wanted:
                return i, i + n - 1
        return None, None

    @staticmethod
    def _attended(words, attention, spans, target) -> tuple[int | None, int | None]:
        """The contiguous words whose strongest attention lies on the target's source pieces."""
        if attention.size == 0:
            return None, None
        inside = {k for k, (a, b) in enumerate(spans) if a < target.end and target.start < b}
        if not inside:
            return None, None
        best = attention.argmax(axis=1)
        hits = [i for i, w in enumerate(words) if any(best[p] in inside for p in w.pieces if p < len(best))]
        run = best_run(hits, len(target.surface.split()) + 2)
        return (run[0], run[-1]) if run else (None, None)

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
            words = self._apply(words, attention, spans, self._targets(doc, doc.vi.text, s.start, s.end),
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
            words = self._apply(words, attention, spans, self._targets(None, text, 0, len(text)), [], 0)
            out.append(" ".join(w.text for w in words))
        return out

