"""The entity mentions as spaCy spans on a ``Doc`` built from our words, for displaCy and spaCy tools.

The ``Doc`` reproduces ``doc.vi.text`` exactly: each word with its trailing space, extra whitespace
(double spaces, line breaks) as whitespace tokens as spaCy itself does, and words split where a mention
boundary falls inside one, so that every mention is a token-aligned ``Span``. ``doc.ents`` holds the
mentions with the entity's English name as ``kb_id_``; ``doc.spans["vien"]`` holds the same spans.
"""
from __future__ import annotations

from functools import lru_cache

from ..document import Document


def _pieces(doc: Document) -> list[tuple[int, int]]:
    text = doc.vi.text
    cuts = sorted({p for m in doc.vi.entities for p in (m.start, m.end)})
    bounds: list[tuple[int, int]] = []
    pos = 0
    for tok in sorted(doc.vi.tokens, key=lambda t: t.start):
        if tok.start < pos:
            continue
        if tok.start > pos:
            bounds.append((pos, tok.start))
        bounds.append((tok.start, tok.end))
        pos = tok.end
    if pos < len(text):
        bounds.append((pos, len(text)))
    pieces: list[tuple[int, int]] = []
    for a, b in bounds:
        inner = [c for c in cuts if a < c < b]
        pieces.extend((x, y) for x, y in zip([a, *inner], [*inner, b]) if x < y)
    return pieces


@lru_cache(maxsize=1)
def _blank():
    import spacy

    return spacy.blank("xx")  # a multi-language vocabulary; spacy.blank("vi") would need pyvi


def to_spacy(doc: Document, nlp=None):
    """A ``spacy.tokens.Doc`` for ``doc`` with ``ents`` = the Vietnamese mentions (see module docstring)."""
    from spacy.tokens import Doc

    nlp = nlp or _blank()
    text = doc.vi.text
    words, spaces = [], []
    for a, b in _pieces(doc):
        piece = text[a:b]
        if piece.isspace() and words and not spaces[-1] and piece.startswith(" "):
            spaces[-1] = True
            piece = piece[1:]
            if not piece:
                continue
        words.append(piece)
        spaces.append(False)
    sdoc = Doc(nlp.vocab, words=words, spaces=spaces)
    if sdoc.text != text:
        raise ValueError(f"{doc.doc_id}: the spaCy Doc does not reproduce the text")
    names = {e.id: e.name_en for e in doc.entities}
    spans = []
    for m in doc.vi.entities:
        span = sdoc.char_span(m.start, m.end, label=m.label, kb_id=names.get(m.entity or "", ""))
        if span is None:
            raise ValueError(f"mention {m.id} {m.text!r} is not token-aligned")
        spans.append(span)
    sdoc.ents = spans
    sdoc.spans["vien"] = spans
    return sdoc
