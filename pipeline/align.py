"""The alignment stage: English tokens, sentence and word alignment, entities projected onto English.

- **Tokens**: spaCy's rule-based English tokenizer (``spacy.blank("en")``), run per English
  sentence, with offsets into ``doc.en.text``.
- **Sentences**: the translator translates one Vietnamese sentence into one English sentence,
  so the sentence alignment is the record it kept (``[[vi_id, en_id], ...]``).
- **Words**: from the translation model's own attention (CTranslate2 ``return_attention``). The
  attention of every target piece over the source pieces is summed into an English-token x
  Vietnamese-token matrix (pieces map to tokens by character overlap) and each English token is
  linked to the Vietnamese token it attends to most (Pharaoh ``vi-en`` pairs, indices within the
  sentence). Why attention: it is what the model used to produce *this* translation, it costs
  nothing extra, and it needs no parallel corpus or extra dependency (fast_align/eflomal would need
  both). Its known weakness is noise with weak models, which is why entity projection prefers an
  exact match of the expected English rendering and reports the method and score of every link.
- **Entities**: every Vietnamese mention is projected onto an English span: ``name-match`` when its
  canonical English name (or rendered value) occurs in the English sentence, else ``attention``
  (the English words whose strongest attention falls on the mention). A mention that cannot be
  projected is listed in ``doc.translation["unprojected"]`` with the reason; none is dropped.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from .document import Document, Mention, Token
from .postedit import accepted_renderings, best_run
from .translate.base import SentenceTranslation


class Aligner:
    """Stage ``align``: ``doc.en.tokens``, ``doc.en.entities``, ``doc.alignment``."""

    name = "align"
    requires = ("translation",)
    provides = ("alignment", "en_tokens", "en_entities")

    def __init__(self) -> None:
        self._tokenizer = None

    def load(self) -> Aligner:
        """Load spaCy's English tokenizer now (else on first use)."""
        if self._tokenizer is None:
            import spacy

            self._tokenizer = spacy.blank("en").tokenizer
        return self

    def _tokenize(self, text: str):
        return self.load()._tokenizer(text)

    def __call__(self, doc: Document) -> Document:
        if doc.en is None:
            return doc
        work, doc.translation_work = doc.translation_work, []
        by_en = {w.en_sentence: w for w in work}
        self._tokens(doc)
        vi_tokens = _tokens_by_sentence(doc.vi.tokens)
        en_tokens = _tokens_by_sentence(doc.en.tokens)
        pairs, links = [], []
        for s in doc.en.sentences:
            pairs.append([s.source_sentence, s.id])
            w = by_en.get(s.id)
            links.append(word_alignment(w, vi_tokens.get(s.source_sentence, []), en_tokens.get(s.id, []))
                         if w is not None else "")
        doc.alignment = {"sentences": pairs, "tokens": links}
        self._project(doc, by_en, en_tokens)
        return doc

    def _tokens(self, doc: Document) -> None:
        tokens = []
        for s in doc.en.sentences:
            for t in self._tokenize(doc.en.text[s.start:s.end]):
                if not t.is_space:
                    start = s.start + t.idx
                    tokens.append(Token(len(tokens), s.id, start, start + len(t.text), "PUNCT" if t.is_punct else None))
        doc.en.tokens = tokens

    def _project(self, doc: Document, by_en: dict[int, SentenceTranslation],
                 en_tokens: dict[int, list[Token]]) -> None:
        translation = doc.translation if doc.translation is not None else {}
        doc.translation = translation
        unprojected: list[dict[str, Any]] = []
        translation["unprojected"] = unprojected
        entities = {e.id: e for e in doc.entities}
        for e in entities.values():
            e.mentions_en = []
        en_of_vi = {s.source_sentence: s for s in doc.en.sentences}
        used: set[tuple[int, int]] = set()
        mentions: list[Mention] = []
        for m in doc.vi.entities:
            vi_sentence = next((s for s in doc.vi.sentences if s.start <= m.start and m.end <= s.end), None)
            if vi_sentence is None:
                unprojected.append({"mention": m.id, "reason": "the mention crosses a sentence boundary"})
                continue
            en_sentence = en_of_vi.get(vi_sentence.id)
            if en_sentence is None:
                unprojected.append({"mention": m.id, "reason": "its sentence has no translation"})
                continue
            entity = entities.get(m.entity or "")
            span = _name_match(doc.en.text, en_sentence.start, en_sentence.end,
                               accepted_renderings(m, entity), used)
            method, score = "name-match", 1.0
            if span is None:
                w = by_en.get(en_sentence.id)
                found = _attention_span(w, m, en_tokens.get(en_sentence.id, [])) if w is not None else None
                if found is None:
                    unprojected.append({"mention": m.id, "reason": "no English rendering found and no English "
                                                                  "word attends to it"})
                    continue
                (start, end), score = found
                span, method = (start, end), "attention"
            used.add(span)
            en_mention = Mention(id=f"en-m{len(mentions)}", label=m.label, start=span[0], end=span[1],
                                 text=doc.en.text[span[0]:span[1]], entity=m.entity, source="projection",
                                 score=round(float(score), 4), value=m.value, aligns_to=m.id, method=method)
            mentions.append(en_mention)
            if entity is not None:
                entity.mentions_en.append(en_mention.id)
        doc.en.entities = mentions


def _tokens_by_sentence(tokens: list[Token]) -> dict[int, list[Token]]:
    out: dict[int, list[Token]] = {}
    for t in tokens:
        out.setdefault(t.sentence, []).append(t)
    return out


def _overlaps(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> np.ndarray:
    """Boolean matrix: span ``a[i]`` overlaps span ``b[j]``."""
    if not a or not b:
        return np.zeros((len(a), len(b)), dtype=bool)
    sa, sb = np.asarray(a), np.asarray(b)
    return (sa[:, :1] < sb[:, 1][None, :]) & (sb[:, 0][None, :] < sa[:, 1:2])


def token_attention(work: SentenceTranslation, vi_tokens: list[Token], en_tokens: list[Token]) -> np.ndarray:
    """English-token x Vietnamese-token attention mass of one sentence pair.

    Target pieces reach English tokens through the words they spell; source pieces reach the
    Vietnamese tokens they overlap (the first one, when a piece straddles two).
    """
    n_tgt, n_src = work.attention.shape
    pieces_of_words = np.zeros((len(work.words), n_tgt), dtype=np.float32)
    for w, (_, _, pieces) in enumerate(work.words):
        pieces_of_words[w, [p for p in pieces if p < n_tgt]] = 1.0
    en_to_words = _overlaps([(t.start, t.end) for t in en_tokens], [(a, b) for a, b, _ in work.words])
    src_to_vi = _overlaps(work.src_spans[:n_src], [(t.start, t.end) for t in vi_tokens])
    first = np.zeros_like(src_to_vi, dtype=np.float32)
    hit = src_to_vi.any(axis=1)
    first[np.nonzero(hit)[0], src_to_vi[hit].argmax(axis=1)] = 1.0
    # einsum, not ``@``: these matrices are tiny, and OpenBLAS's threads spin after each product,
    # which doubled the stage's CPU time and took the core translation runs on
    en_pieces = np.minimum(np.einsum("ew,wp->ep", en_to_words.astype(np.float32), pieces_of_words), 1.0)
    return np.einsum("es,sv->ev", np.einsum("ep,ps->es", en_pieces, work.attention[:, :len(work.src_spans)]),
                     first)


def word_alignment(work: SentenceTranslation, vi_tokens: list[Token], en_tokens: list[Token]) -> str:
    """Pharaoh ``i-j`` links (Vietnamese token i, English token j, within the sentence pair)."""
    if not vi_tokens or not en_tokens:
        return ""
    matrix = token_attention(work, vi_tokens, en_tokens)
    links = sorted((int(matrix[j].argmax()), j) for j in range(len(en_tokens)) if matrix[j].max() > 0)
    return " ".join(f"{i}-{j}" for i, j in links)


def _name_match(text: str, start: int, end: int, forms: list[str],
                used: set[tuple[int, int]]) -> tuple[int, int] | None:
    """The first unused occurrence of one of ``forms`` (in order) inside ``text[start:end]``."""
    for form in forms:
        for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", text[start:end]):
            span = (start + m.start(), start + m.end())
            if span not in used:
                return span
    return None


def _attention_span(work: SentenceTranslation, mention: Mention,
                    en_tokens: list[Token]) -> tuple[tuple[int, int], float] | None:
    """English tokens whose strongest attention lies on the mention's pieces, as one span."""
    inside = [k for k, (a, b) in enumerate(work.src_spans) if a < mention.end and mention.start < b]
    if not inside or work.attention.size == 0:
        return None
    # a target piece attends to the mention when its strongest attention lies there; ties count
    # (the phrase engine spreads a word evenly over the source words its phrase pair links it to)
    on = work.attention[:, inside].max(axis=1)
    strongest = (on > 0) & (on >= work.attention.max(axis=1))
    n = len(strongest)
    hit_words = [(s, e, float(work.attention[[p for p in pieces if p < n]][:, inside].max()))
                 for s, e, pieces in work.words if any(p < n and strongest[p] for p in pieces)]
    if not hit_words:
        return None
    hits = [i for i, t in enumerate(en_tokens)
            if t.pos != "PUNCT" and any(t.start < e and s < t.end for s, e, _ in hit_words)]
    run = best_run(hits, len(mention.text.split()) + 2)
    if not run:
        return None
    start, end = en_tokens[run[0]].start, en_tokens[run[-1]].end
    scores = [score for s, e, score in hit_words if s < end and start < e]
    return (start, end), sum(scores) / max(len(scores), 1)
