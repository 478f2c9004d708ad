"""Frames: the pandas stage. Documents as tables, and the output JSON written from those tables.

``COLUMNS`` is the one place that lists every table's columns, dtypes and meaning. Each table has
one row per thing (document, sentence, token, entity mention, entity, alignment link), and a
``doc_id`` column to join on. ``document_frames`` turns a ``Document`` into ``Frames``;
``frames_to_json`` writes the article's JSON from them (``json_text`` makes it the file's text) and
``json_to_frames`` reads it back, so the JSON and the tables can never disagree.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, fields

import orjson
import pandas as pd

from .document import Document

SCHEMA_ID = "vien-annotation/1"

#: table -> [(column, dtype, description)]
COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "documents": [
        ("doc_id", "string", "document id (the input file's stem)"),
        ("path", "string", "input file path"),
        ("sha256", "string", "sha256 of the input file's bytes"),
        ("encoding", "string", "encoding the file was decoded with"),
        ("size", "Int64", "input size in bytes"),
        ("vi_text", "string", "normalised Vietnamese text (all vi offsets point into it)"),
        ("en_text", "string", "English translation (all en offsets point into it); <NA> if untranslated"),
        ("title_start", "Int64", "title span in vi_text, <NA> if none"),
        ("title_end", "Int64", ""),
        ("byline_start", "Int64", "byline span in vi_text, <NA> if none"),
        ("byline_end", "Int64", ""),
        ("edits", "object", "normalisation edits [norm_start, norm_end, orig_start, orig_end, reason]"),
        ("producer", "object", "versions and settings that produced the document"),
        ("translation", "object", "translation model, post-edits and unprojected mentions, or None"),
    ],
    "sentences": [
        ("doc_id", "string", ""),
        ("side", "string", "'vi' or 'en'"),
        ("sentence_id", "Int64", "sentence index on its side"),
        ("start", "Int64", "character offset into the side's text"),
        ("end", "Int64", ""),
        ("text", "string", "text[start:end]"),
        ("source_sentence", "Int64", "en only: the vi sentence it translates"),
    ],
    "tokens": [
        ("doc_id", "string", ""),
        ("side", "string", "'vi' or 'en'"),
        ("token_id", "Int64", "token index on its side (document-wide)"),
        ("sentence_id", "Int64", ""),
        ("start", "Int64", ""),
        ("end", "Int64", ""),
        ("text", "string", "text[start:end]; a Vietnamese word may hold several syllables"),
        ("pos", "string", "POS tag (underthesea's VLSP tagset on vi), <NA> if none"),
    ],
    "mentions": [
        ("doc_id", "string", ""),
        ("side", "string", "'vi' or 'en'"),
        ("mention_id", "string", "'vi-m3', 'en-m3'"),
        ("label", "string", "PER, LOC, ORG, AIRCRAFT, UNIT, QUANTITY or DATE"),
        ("start", "Int64", ""),
        ("end", "Int64", ""),
        ("text", "string", "text[start:end]"),
        ("entity_id", "string", "the linked entity ('E0'...)"),
        ("source", "string", "what found it (vi) or projected it (en)"),
        ("score", "Float64", "confidence in [0, 1]"),
        ("value", "object", "QUANTITY {value, unit, en} / DATE {iso, en} / AIRCRAFT {en}: the designation as written, else None"),
        ("aligns_to", "string", "en only: the vi mention it projects"),
        ("method", "string", "en only: projection method"),
    ],
    "entities": [
        ("doc_id", "string", ""),
        ("entity_id", "string", "'E0'..., one per real-world entity in the document"),
        ("label", "string", ""),
        ("name_vi", "string", "canonical Vietnamese name"),
        ("name_en", "string", "canonical English name"),
        ("mentions_vi", "object", "list of vi mention ids"),
        ("mentions_en", "object", "list of en mention ids"),
    ],
    "alignments": [
        ("doc_id", "string", ""),
        ("vi_sentence", "Int64", "vi sentence id"),
        ("en_sentence", "Int64", "en sentence id"),
        ("vi_word", "Int64", "word index within the vi sentence; <NA> on the sentence-link row"),
        ("en_word", "Int64", "word index within the en sentence; <NA> on the sentence-link row"),
    ],
}


@dataclass
class Frames:
    documents: pd.DataFrame
    sentences: pd.DataFrame
    tokens: pd.DataFrame
    mentions: pd.DataFrame
    entities: pd.DataFrame
    alignments: pd.DataFrame

    @classmethod
    def concat(cls, parts: Iterable[Frames]) -> Frames:
        parts = list(parts)
        return cls(**{f.name: _typed(f.name, pd.concat([getattr(p, f.name) for p in parts],
                                                     ignore_index=True) if parts else None)
                      for f in fields(cls)})


def _typed(table: str, df: pd.DataFrame | list[dict] | None) -> pd.DataFrame:
    """``df`` (a frame, a list of row dicts, or None) with exactly the table's columns and dtypes."""
    spec = COLUMNS[table]
    if isinstance(df, pd.DataFrame):
        return df.astype({name: dtype for name, dtype, _ in spec})[[name for name, _, _ in spec]]
    rows = df or []
    # column by column: far cheaper than a frame of objects cast afterwards
    columns = {}
    for name, dtype, _ in spec:
        values = [row.get(name) for row in rows]
        columns[name] = (pd.Series(values, dtype=object) if dtype == "object"
                         else pd.array(values, dtype=_DTYPES[dtype]))
    return pd.DataFrame(columns, copy=False)


#: dtype names resolved once: pandas looks a name up in its registry on every call
_DTYPES = {dtype: pd.api.types.pandas_dtype(dtype) for spec in COLUMNS.values() for _, dtype, _ in spec}


def _span(span: tuple[int, int] | None, i: int) -> int | None:
    return None if span is None else span[i]


def document_frames(doc: Document) -> Frames:
    """The tables of one document."""
    return json_to_frames(document_record(doc))


def document_record(doc: Document) -> dict:
    """The document as a plain dict of the JSON's shape (what ``json_to_frames`` reads)."""
    def side(s, name: str) -> dict | None:
        if s is None:
            return None
        mention_keys = ("id", "label", "start", "end", "text", "entity", "source", "score", "value")
        if name == "en":
            mention_keys += ("aligns_to", "method")
        # explicit fields, not dataclasses.asdict: its deep copies cost more than the rest of the stage
        return {"text": s.text,
                "sentences": [{"id": x.id, "start": x.start, "end": x.end,
                               "source_sentence": x.source_sentence} for x in s.sentences],
                "tokens": [{"id": t.id, "sentence": t.sentence, "start": t.start, "end": t.end, "pos": t.pos}
                           for t in s.tokens],
                "entities": [{k: getattr(m, k) for k in mention_keys} for m in s.entities]}

    vi = side(doc.vi, "vi")
    vi.update(title=list(doc.title) if doc.title else None, byline=list(doc.byline) if doc.byline else None)
    return {
        "schema": SCHEMA_ID, "doc_id": doc.doc_id,
        "source": {"path": doc.source.path, "sha256": doc.source.sha256, "encoding": doc.source.encoding,
                   "size": doc.source.size,
                   "edits": [[e.norm_start, e.norm_end, e.orig_start, e.orig_end, e.reason]
                             for e in doc.source.edits]},
        "producer": doc.producer, "vi": vi, "en": side(doc.en, "en"), "alignment": doc.alignment,
        "translation": doc.translation,
        "entities": [{"id": e.id, "label": e.label, "name_vi": e.name_vi, "name_en": e.name_en,
                      "mentions_vi": e.mentions_vi, "mentions_en": e.mentions_en} for e in doc.entities],
    }


def _column(values: pd.api.extensions.ExtensionArray) -> list:
    """A column as a list of plain Python values (int, float, str, or the object), missing ones None."""
    out = values.tolist()  # masked and string arrays give Python scalars, with pd.NA where missing
    missing = pd.isna(values)
    if missing.any():
        out = [None if m else v for v, m in zip(out, missing.tolist())]
    return out


def _records(df: pd.DataFrame, columns: dict[str, str]) -> list[dict]:
    """Rows as JSON-ready dicts, renaming frame columns to JSON keys; missing values become None."""
    keys = list(columns.values())
    return [dict(zip(keys, row)) for row in zip(*(_column(df[name].array) for name in columns))]


def _side_records(df: pd.DataFrame, columns: dict[str, str],
                  en_only: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    """``_records`` of a table with a ``side`` column, per side; ``en_only`` columns are left out on vi.

    Each column is converted once for both sides: one pass, not a filtered frame per side.
    """
    values = {name: _column(df[name].array) for name in columns}
    sides = df["side"].array.tolist()
    out = {}
    for side_name in ("vi", "en"):
        names = [name for name in columns if side_name == "en" or name not in en_only]
        keys = [columns[name] for name in names]
        out[side_name] = [dict(zip(keys, row)) for row, s in zip(zip(*(values[n] for n in names)), sides)
                          if s == side_name]
    return out


def frames_to_json(frames: Frames) -> dict:
    """The article JSON (schema ``vien-annotation/1``) of a one-document ``Frames``."""
    doc = frames.documents.iloc[0]
    d = doc["doc_id"]
    sentences = _side_records(frames.sentences, {"sentence_id": "id", "start": "start", "end": "end",
                                                 "source_sentence": "source_sentence"},
                              en_only=("source_sentence",))
    tokens = _side_records(frames.tokens, {"token_id": "id", "sentence_id": "sentence", "start": "start",
                                           "end": "end", "pos": "pos"})
    mentions = _side_records(frames.mentions,
                             {"mention_id": "id", "label": "label", "start": "start", "end": "end",
                              "text": "text", "entity_id": "entity", "source": "source", "score": "score",
                              "value": "value", "aligns_to": "aligns_to", "method": "method"},
                             en_only=("aligns_to", "method"))

    def side(name: str) -> dict:
        return {"sentences": sentences[name], "tokens": tokens[name], "entities": mentions[name]}

    vi = {"text": doc["vi_text"],
          "title": None if pd.isna(doc["title_start"]) else [int(doc["title_start"]), int(doc["title_end"])],
          "byline": None if pd.isna(doc["byline_start"]) else [int(doc["byline_start"]), int(doc["byline_end"])],
          **side("vi")}
    en = None if pd.isna(doc["en_text"]) else {"text": doc["en_text"], **side("en")}
    alignment = None
    if len(frames.alignments):
        vi_s, en_s, vi_w, en_w = (_column(frames.alignments[c].array)
                                  for c in ("vi_sentence", "en_sentence", "vi_word", "en_word"))
        pairs, links = [], {}  # sentence-link rows in order; word links of each sentence pair
        for key, i, j in zip(zip(vi_s, en_s), vi_w, en_w):
            if i is None:
                pairs.append(key)
            else:
                links.setdefault(key, []).append(f"{i}-{j}")
        alignment = {"sentences": [list(pair) for pair in pairs],
                     "tokens": [" ".join(links.get(pair, ())) for pair in pairs]}
    return {
        "schema": SCHEMA_ID,
        "doc_id": d,
        "source": {"path": doc["path"], "sha256": doc["sha256"], "encoding": doc["encoding"],
                   "size": int(doc["size"]), "edits": doc["edits"]},
        "producer": doc["producer"],
        "vi": vi,
        "en": en,
        "alignment": alignment,
        "translation": doc["translation"],
        "entities": _records(frames.entities, {"entity_id": "id", "label": "label", "name_vi": "name_vi",
                                               "name_en": "name_en", "mentions_vi": "mentions_vi",
                                               "mentions_en": "mentions_en"}),
    }


def json_text(data: dict, *, indent: int | None = None) -> str:
    """An article JSON as the text written to its file: compact (``indent`` None) or indented by
    ``indent`` spaces, non-ASCII characters unescaped.

    orjson writes it some 20x faster than ``json.dumps(..., indent=...)``, whose indenting encoder is
    pure Python, but indents by 2 only; non-string keys are written as strings, as ``json`` does.
    """
    if indent is None or indent == 2:
        option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
        return orjson.dumps(data, option=option).decode("utf-8")
    return json.dumps(data, ensure_ascii=False, indent=indent)


def json_to_frames(data: dict | Iterable[dict]) -> Frames:
    """``Frames`` of one article JSON (the inverse of ``frames_to_json``) or of many.

    Rows of all the articles are gathered first and typed once per table, so reading many
    articles costs one conversion, not one per article.
    """
    rows: dict[str, list[dict]] = {table: [] for table in COLUMNS}
    for record in [data] if isinstance(data, dict) else data:
        for table, table_rows in json_rows(record).items():
            rows[table] += table_rows
    return Frames(**{table: _typed(table, table_rows) for table, table_rows in rows.items()})


def json_rows(data: dict) -> dict[str, list[dict]]:
    """The rows of each table for one article JSON."""
    d = data["doc_id"]
    vi, en, src = data["vi"], data.get("en"), data["source"]
    title, byline = vi.get("title"), vi.get("byline")
    documents = [{"doc_id": d, "path": src["path"], "sha256": src["sha256"], "encoding": src["encoding"],
                  "size": src["size"], "vi_text": vi["text"], "en_text": en["text"] if en else None,
                  "title_start": _span(title, 0), "title_end": _span(title, 1),
                  "byline_start": _span(byline, 0), "byline_end": _span(byline, 1),
                  "edits": src["edits"], "producer": data["producer"],
                  "translation": data.get("translation")}]
    sentences, tokens, mentions = [], [], []
    for side_name, side in (("vi", vi), ("en", en)):
        if side is None:
            continue
        text = side["text"]
        sentences += [{"doc_id": d, "side": side_name, "sentence_id": s["id"], "start": s["start"],
                       "end": s["end"], "text": text[s["start"]:s["end"]],
                       "source_sentence": s.get("source_sentence")} for s in side["sentences"]]
        tokens += [{"doc_id": d, "side": side_name, "token_id": t["id"], "sentence_id": t["sentence"],
                    "start": t["start"], "end": t["end"], "text": text[t["start"]:t["end"]],
                    "pos": t.get("pos")} for t in side["tokens"]]
        mentions += [{"doc_id": d, "side": side_name, "mention_id": m["id"], "label": m["label"],
                      "start": m["start"], "end": m["end"], "text": m["text"], "entity_id": m.get("entity"),
                      "source": m.get("source"), "score": m.get("score"), "value": m.get("value"),
                      "aligns_to": m.get("aligns_to"), "method": m.get("method")}
                     for m in side["entities"]]
    entities = [{"doc_id": d, "entity_id": e["id"], "label": e["label"], "name_vi": e["name_vi"],
                 "name_en": e["name_en"], "mentions_vi": e["mentions_vi"], "mentions_en": e["mentions_en"]}
                for e in data["entities"]]
    alignments = []
    if data.get("alignment"):
        for (vi_s, en_s), pharaoh in zip(data["alignment"]["sentences"], data["alignment"]["tokens"]):
            alignments.append({"doc_id": d, "vi_sentence": vi_s, "en_sentence": en_s,
                               "vi_word": None, "en_word": None})
            for link in pharaoh.split():
                i, j = link.split("-")
                alignments.append({"doc_id": d, "vi_sentence": vi_s, "en_sentence": en_s,
                                   "vi_word": int(i), "en_word": int(j)})
    return {"documents": documents, "sentences": sentences, "tokens": tokens, "mentions": mentions,
            "entities": entities, "alignments": alignments}
