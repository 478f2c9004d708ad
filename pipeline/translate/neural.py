"""The neural engine: vi->en with CTranslate2 + SentencePiece (Argos packages, OPUS-MT conversions).

Sentences of a whole batch of documents are sorted by length and sent to
``ctranslate2.Translator.translate_batch`` in chunks of ``max_batch_sentences`` (argostranslate
translates one text at a time). Attention is kept (``return_attention=True``) for the aligner.
"""
from __future__ import annotations

import os
from typing import Any

from ..models import InstalledModel
from .base import WORD, Translator, _Unit


class NeuralTranslator(Translator):
    """Stage ``translate`` for a CTranslate2 model directory with SentencePiece models."""

    def __init__(self, model: InstalledModel | str | None = None, *, beam_size: int,
                 max_batch_sentences: int = 64, threads: int | None = None, compute_type: str = "int8",
                 device: str = "cpu", max_input_pieces: int = 200, max_decoding_length: int = 256,
                 exact_batches: bool = False) -> None:
        super().__init__(model)
        self.settings = {
            "beam_size": beam_size, "max_batch_sentences": max_batch_sentences, "compute_type": compute_type,
            "device": device, "threads": threads or min(4, os.cpu_count() or 1),
            "max_input_pieces": max_input_pieces, "max_decoding_length": max_decoding_length,
            "exact_batches": exact_batches,
        }
        self._ct2: Any = None
        self._sp_source: Any = None

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
        words = [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]
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
        """Translate ``units`` in length-sorted batches of at most ``max_batch_sentences``, one cap each.

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
            if same and len(batches[-1]) < s["max_batch_sentences"]:
                batches[-1].append(unit)
            else:
                batches.append([unit])
        prefix = self.model.target_prefix
        for chunk in batches:
            results = self._ct2.translate_batch(
                [u.pieces for u in chunk], beam_size=s["beam_size"], return_attention=True,
                replace_unknowns=True, max_batch_size=s["max_batch_sentences"],
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
                                          return_attention=True,
                                          max_batch_size=self.settings["max_batch_sentences"])
        return {k: list(r.attention[0][0]) for k, r in enumerate(steps) if r.attention and r.attention[0]}

