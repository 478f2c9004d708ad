"""spaCy ``Doc`` objects from the outputs, and the corpus as a ``DocBin`` or CoNLL-style BIO columns.

``record_docs(record)`` turns one article JSON (or ``Corpus.record(doc_id)``) into a Vietnamese and
an English ``Doc`` (None when the article has no English side), with no pipeline run:

- the words are the JSON's tokens, cut where a mention boundary falls inside one (``phi công
  Mig-25`` holds the mention ``Mig-25``) so every mention is a token-aligned span; text between
  tokens is kept (a single space as the word's trailing space, other whitespace and stray
  characters as tokens of their own), so ``doc.text`` is the side's text exactly;
- ``token.tag_`` is the JSON's POS tag (VLSP on the Vietnamese side), ``token.pos_`` its Universal
  POS where the tag has one; sentence starts are the JSON's sentences;
- ``doc.ents`` (and ``doc.spans["vien"]``) are the mentions: ``label_``, ``kb_id_`` = the entity's
  English name, ``id_`` = the mention id;
- ``doc.user_data["vien"]``: ``doc_id``, ``side``, ``tokens`` (the JSON token id of each spaCy token,
  -1 for text outside every token), ``sentence_pairs`` ([vi, en] sentence ids), ``word_links``
  ([vi spaCy token, en spaCy token]: the Pharaoh links, on both Docs) and ``mention_links``
  ([vi mention id, en mention id]).

``export_docbin`` writes a ``DocBin`` (``spacy train`` reads it: ``--paths.train corpus.spacy``);
``export_conll`` writes one ``word<TAB>tag<TAB>BIO`` line per token, a blank line after each sentence
and ``-DOCSTART-`` before each document, spaces inside a word written as ``_``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from .export import atomic_open, checked_records

SIDES = ("vi", "en")
# VLSP 2013 tags (underthesea) -> Universal POS
VLSP_TO_UPOS = {"N": "NOUN", "Nc": "NOUN", "Nu": "NOUN", "Ny": "NOUN", "Nb": "NOUN", "Np": "PROPN",
                "V": "VERB", "Vb": "VERB", "Vy": "VERB", "A": "ADJ", "Ab": "ADJ", "P": "PRON", "R": "ADV",
                "L": "DET", "M": "NUM", "E": "ADP", "C": "CCONJ", "CC": "CCONJ", "I": "INTJ", "T": "PART",
                "CH": "PUNCT", "PUNCT": "PUNCT", "FW": "X", "X": "X", "Y": "X", "B": "X", "S": "X", "Z": "X"}
UPOS = set(VLSP_TO_UPOS.values()) | {"AUX", "SCONJ", "SYM"}
_RUNS = re.compile(r"\s+|\S+")


@lru_cache(maxsize=1)
def _vocab():
    import spacy

    return spacy.blank("xx").vocab  # multi-language: spacy.blank("vi") would need pyvi


def _words(side: dict) -> list[tuple[int, int, int]]:
    """``(start, end, JSON token id or -1)`` pieces covering the text, cut at token, mention and
    sentence boundaries; outside tokens, runs of whitespace and of other characters apart."""
    text = side["text"]
    cuts = {0, len(text)} | {p for item in side["entities"] + side["sentences"] for p in (item["start"], item["end"])}
    owner = {}
    for t in side["tokens"]:
        cuts.update((t["start"], t["end"]))
        owner[t["start"]] = t
    ordered = sorted(c for c in cuts if 0 <= c <= len(text))
    pieces, token = [], None
    for a, b in zip(ordered, ordered[1:]):
        token = owner.get(a, token if token is not None and a < token["end"] else None)
        if token is not None:
            pieces.append((a, b, token["id"]))
        else:
            pieces += [(a + m.start(), a + m.end(), -1) for m in _RUNS.finditer(text[a:b])]
    return pieces


def _side_doc(record: dict, side_name: str, names: dict[str, str]):
    from spacy.tokens import Doc

    side = record[side_name]
    text = side["text"]
    words: list[str] = []
    spaces: list[bool] = []
    spans: list[tuple[int, int, int]] = []
    for a, b, token_id in _words(side):
        piece = text[a:b]
        if token_id < 0 and piece.isspace() and words and not spaces[-1] and piece.startswith(" "):
            spaces[-1] = True
            piece, a = piece[1:], a + 1
            if not piece:
                continue
        trailing = token_id >= 0 and len(piece) > 1 and piece.endswith(" ") and not piece[-2].isspace()
        words.append(piece[:-1] if trailing else piece)  # a word cut at a mention: "phi công |Mig-25"
        spaces.append(trailing)
        spans.append((a, b, token_id))
    pos = {t["id"]: t.get("pos") for t in side["tokens"]}
    starts = {s["start"] for s in side["sentences"]}
    doc = Doc(_vocab(), words=words, spaces=spaces,
              tags=[(pos.get(k) or "") if k >= 0 else "" for _, _, k in spans],
              sent_starts=[i == 0 or a in starts for i, (a, _, _) in enumerate(spans)])
    for token, (_, _, k) in zip(doc, spans):
        tag = pos.get(k) or "" if k >= 0 else ""
        upos = VLSP_TO_UPOS.get(tag, tag if tag in UPOS else "SPACE" if token.is_space else "")
        if upos:
            token.pos_ = upos
    if doc.text != text:
        raise ValueError(f"{record['doc_id']}: the {side_name} Doc does not reproduce the text")
    mentions = []
    for m in sorted(side["entities"], key=lambda m: (m["start"], -m["end"])):
        span = doc.char_span(m["start"], m["end"], label=m["label"], kb_id=names.get(m["entity"] or "", ""),
                             span_id=m["id"])
        mentions.append(span)
    doc.spans["vien"] = mentions
    doc.ents = _without_overlaps(mentions)
    doc.user_data["vien"] = {"doc_id": record["doc_id"], "side": side_name, "tokens": [k for _, _, k in spans]}
    return doc


def _without_overlaps(spans: list) -> list:
    kept, end = [], -1
    for span in spans:  # sorted by start, longest first: the outer of nested mentions wins
        if span.start >= end:
            kept.append(span)
            end = span.end
    return kept


def _links(record: dict, docs: dict[str, Any]) -> dict[str, list]:
    """Sentence pairs, word links (spaCy token indices on each side) and mention links."""
    first_piece = {name: {} for name in docs}
    for name, doc in docs.items():
        for i, k in enumerate(doc.user_data["vien"]["tokens"]):
            if k >= 0:
                first_piece[name].setdefault(k, i)
    in_sentence = {name: {} for name in docs}
    for name in docs:
        for t in sorted(record[name]["tokens"], key=lambda t: t["id"]):
            in_sentence[name].setdefault(t["sentence"], []).append(t["id"])
    alignment = record["alignment"] or {"sentences": [], "tokens": []}
    words = []
    for (vi_s, en_s), pharaoh in zip(alignment["sentences"], alignment["tokens"]):
        vi_ids, en_ids = in_sentence["vi"].get(vi_s, []), in_sentence["en"].get(en_s, [])
        for link in pharaoh.split():
            i, j = map(int, link.split("-"))
            if i < len(vi_ids) and j < len(en_ids):
                words.append([first_piece["vi"][vi_ids[i]], first_piece["en"][en_ids[j]]])
    mentions = [[m["aligns_to"], m["id"]] for m in record["en"]["entities"] if m["aligns_to"]]
    return {"sentence_pairs": [list(p) for p in alignment["sentences"]], "word_links": words,
            "mention_links": mentions}


def record_docs(record: dict):
    """``(vi Doc, en Doc or None)`` of one article JSON dict (see the module docstring)."""
    names = {e["id"]: e["name_en"] for e in record["entities"]}
    docs = {name: _side_doc(record, name, names) for name in SIDES if record.get(name)}
    if "en" in docs:
        links = _links(record, docs)
        for doc in docs.values():
            doc.user_data["vien"].update(links)
    return docs["vi"], docs.get("en")


def iter_docs(source: str | Path | Iterable[str | Path] | Any) -> Iterator[tuple[Any, Any]]:
    """``(vi Doc, en Doc or None)`` per article of ``source``: an outputs folder, a ``<doc>.json``,
    a list of them (each checked first, E411 if damaged), or a ``Corpus`` from ``pipeline.load``."""
    if hasattr(source, "record") and hasattr(source, "documents"):
        records = (source.record(doc_id) for doc_id in source.documents.doc_id)
    else:
        records = checked_records(source)
    for record in records:
        yield record_docs(record)


def export_docbin(source, path: str | Path, side: str = "vi") -> tuple[int, int]:
    """Write the ``side`` Docs ("vi", "en" or "both") of ``source`` as a ``DocBin`` to ``path``.

    Returns ``(documents, Docs written)``; an article without English has no English Doc.
    """
    from spacy.tokens import DocBin

    if side not in (*SIDES, "both"):
        raise ValueError(f"unknown side {side!r}; expected vi, en or both")
    docbin = DocBin(attrs=["ORTH", "TAG", "POS", "SENT_START", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID", "ENT_ID"],
                    store_user_data=True)
    documents = 0
    for vi_doc, en_doc in iter_docs(source):
        documents += 1
        for name, doc in (("vi", vi_doc), ("en", en_doc)):
            if doc is not None and side in (name, "both"):
                docbin.add(doc)
    with atomic_open(Path(path), "wb") as fh:
        fh.write(docbin.to_bytes())
    return documents, len(docbin)


def export_conll(source, path: str | Path, side: str = "vi") -> tuple[int, int]:
    """Write the ``side`` ("vi" or "en") of ``source`` as CoNLL-style BIO columns to ``path``.

    Returns ``(documents, sentences written)``; whitespace tokens are left out.
    """
    if side not in SIDES:
        raise ValueError(f"unknown side {side!r}; expected vi or en")
    documents = sentences = 0
    with atomic_open(Path(path)) as fh:
        for docs in iter_docs(source):
            doc = docs[SIDES.index(side)]
            if doc is None:
                continue
            documents += 1
            fh.write("-DOCSTART-\t-X-\tO\n\n")
            for sent in doc.sents:
                rows = [("_".join(t.text.split()), t.tag_ or "-", f"{t.ent_iob_}-{t.ent_type_}" if t.ent_type_ else "O")
                        for t in sent if not t.is_space]
                if rows:
                    fh.write("".join("\t".join(row) + "\n" for row in rows) + "\n")
                    sentences += 1
    return documents, sentences
