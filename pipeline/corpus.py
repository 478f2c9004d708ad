"""Reading the outputs: ``load("outputs/")`` gives a ``Corpus`` of pandas tables for notebooks and scripts.

The tables are the ``frames`` tables (columns and dtypes documented once, in ``frames.COLUMNS``) for
every article JSON of a folder. Files are parsed one at a time and their rows gathered
(``frames.json_to_frames``), each table typed once per chunk of ``CHUNK_SIZE`` files, and the chunks
joined once at the end: a folder of thousands of articles is never held twice (1000 files: ~3 s).
``manifest.json``, the run journal, hidden or temporary files and the outputs the manifest lists as
``stale`` (their input is gone) are skipped.

``Corpus`` adds the views people ask for first: ``entity_frequency`` (by label, across the corpus),
``mention_pairs`` (each Vietnamese mention beside its English projection), ``kwic`` (an entity's
mentions in context on both sides), ``sentence_pairs`` (the aligned sentence pairs of an entity),
``select`` (by document or label) and ``displacy`` (a document side in displaCy's manual format).
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

from .errors import NotAnnotationOutput, OptionalDependencyMissing, OutputsNotFound
from .frames import SCHEMA_ID, Frames, frames_to_json, json_to_frames

#: article files turned into tables at a time (bounds the JSON held in memory at once)
CHUNK_SIZE = 500
#: files of an outputs folder that are not article JSON
SKIPPED_NAMES = {"manifest.json"}

#: derived table ``mention_pairs``: one row per mention, the Vietnamese side beside its English projection
MENTION_PAIR_COLUMNS: list[tuple[str, str, str]] = [
    ("doc_id", "string", ""),
    ("entity_id", "string", "the linked entity ('E0'...), unique within its document"),
    ("label", "string", "PER, LOC, ORG, AIRCRAFT, UNIT, QUANTITY or DATE"),
    ("name_vi", "string", "the entity's canonical Vietnamese name"),
    ("name_en", "string", "the entity's canonical English name"),
    ("vi_mention_id", "string", "<NA> for an English mention that projects no Vietnamese one"),
    ("vi_sentence", "Int64", "vi sentence holding the mention's start"),
    ("vi_start", "Int64", ""),
    ("vi_end", "Int64", ""),
    ("vi_text", "string", ""),
    ("vi_source", "string", "what found the Vietnamese mention"),
    ("vi_score", "Float64", ""),
    ("value", "string", "QUANTITY/DATE value as JSON text, else <NA>"),
    ("en_mention_id", "string", "<NA> where the mention was not projected onto English"),
    ("en_sentence", "Int64", ""),
    ("en_start", "Int64", ""),
    ("en_end", "Int64", ""),
    ("en_text", "string", ""),
    ("method", "string", "projection method (name-match, attention, ...)"),
    ("en_score", "Float64", "projection confidence"),
]

#: derived table ``kwic``: keyword in context on both sides
KWIC_COLUMNS: list[tuple[str, str, str]] = [
    ("doc_id", "string", ""),
    ("entity_id", "string", ""),
    ("label", "string", ""),
    ("name_en", "string", ""),
    ("vi_left", "string", "up to ``width`` characters of the sentence before the mention"),
    ("vi_match", "string", ""),
    ("vi_right", "string", ""),
    ("en_left", "string", "<NA> where the mention was not projected"),
    ("en_match", "string", ""),
    ("en_right", "string", ""),
    ("method", "string", ""),
]


def typed_table(spec: list[tuple[str, str, str]], rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    names = [name for name, _, _ in spec]
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame.from_records(rows, columns=names)
    if df.empty:
        df = pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype, _ in spec})
    return df[names].astype({name: dtype for name, dtype, _ in spec}).reset_index(drop=True)


# ---- reading files --------------------------------------------------------------------------------
def output_files(path: str | Path) -> list[Path]:
    """The article JSON files of an outputs folder (sorted), or ``[path]`` for one file.

    Raises ``OutputsNotFound`` for a missing path or a folder without article JSON.
    """
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise OutputsNotFound(path=str(path), reason="no such file or directory")
    skipped = SKIPPED_NAMES | _stale_outputs(path)
    files = sorted(p for p in path.glob("*.json") if p.name not in skipped and not p.name.startswith("."))
    if not files:
        raise OutputsNotFound(path=str(path), reason="no article JSON files in the folder")
    return files


def _stale_outputs(folder: Path) -> set[str]:
    """The outputs the folder's ``manifest.json`` lists as ``stale``: their input is gone."""
    try:
        stale = json.loads((folder / "manifest.json").read_text("utf-8")).get("stale", [])
    except (OSError, ValueError, AttributeError):
        return set()
    return {name for name in stale if isinstance(name, str)} if isinstance(stale, list) else set()


def read_record(path: Path) -> dict:
    """One article JSON as a dict; raises ``NotAnnotationOutput`` for any other JSON."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotAnnotationOutput(path=str(path), reason=f"{type(exc).__name__}: {exc}") from exc
    found = data.get("schema") if isinstance(data, dict) else None
    if found != SCHEMA_ID:
        raise NotAnnotationOutput(path=str(path), reason=f"schema is {found!r}, expected {SCHEMA_ID!r}")
    return data


def _all_files(path: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(path, (str, Path)):
        return output_files(path)
    return [p for item in path for p in output_files(item)]


def iter_records(path: str | Path | Iterable[str | Path]) -> Iterator[dict]:
    """Article JSON dicts of a folder, a file, or a list of them, one at a time."""
    for p in _all_files(path):
        yield read_record(p)


def read_frames(paths: Iterable[Path]) -> Frames:
    """``Frames`` of these article JSON files: each file parsed in turn, every table typed once."""
    return json_to_frames(read_record(Path(p)) for p in paths)


def iter_frames(path: str | Path | Iterable[str | Path], chunk_size: int = CHUNK_SIZE) -> Iterator[Frames]:
    """``Frames`` of ``chunk_size`` files at a time: memory stays bounded by one chunk's JSON."""
    files = _all_files(path)
    for start in range(0, len(files), chunk_size):
        yield read_frames(files[start:start + chunk_size])


def load(path: str | Path | Iterable[str | Path], *, chunk_size: int = CHUNK_SIZE,
         engine: str = "pandas") -> Corpus | Frames:
    """A ``Corpus`` of every article JSON in ``path`` (a folder, a file, or a list of them).

    Files are parsed one at a time and turned into tables a chunk at a time; the chunks are joined
    once at the end. Raises ``OutputsNotFound`` or ``NotAnnotationOutput``.
    With ``engine="dask"``: ``Frames`` of Dask DataFrames instead (see ``dask_frames``).
    """
    if engine == "dask":
        return dask_frames(path, chunk_size)
    if engine != "pandas":
        raise ValueError(f"unknown engine {engine!r}; choose 'pandas' or 'dask'")
    parts = list(iter_frames(path, chunk_size))
    return Corpus(parts[0] if len(parts) == 1 else Frames.concat(parts))


def dask_frames(path: str | Path | Iterable[str | Path], chunk_size: int = CHUNK_SIZE) -> Frames:
    """``Frames`` whose tables are Dask DataFrames, one partition per ``chunk_size`` files.

    Same columns and dtypes as the pandas tables (``frames.COLUMNS``); nothing is read until a result
    is computed, and the tables of one partition share one reading of its files when computed
    together (``dask.compute(f.mentions, f.entities)``). Works on any Dask scheduler, a
    ``distributed`` cluster included (its workers must see the files). Needs ``vien[dask]``.
    """
    try:
        import dask
        import dask.dataframe as dd
    except ImportError:
        raise OptionalDependencyMissing(feature="load(engine='dask')", package="dask", extra="dask") from None
    from .frames import COLUMNS

    files = _all_files(path)
    chunks = [dask.delayed(read_frames, pure=True)(files[start:start + chunk_size])
              for start in range(0, len(files), chunk_size)]
    with dask.config.set({"dataframe.convert-string": False}):  # keep the documented dtypes
        return Frames(**{f.name: dd.from_delayed([dask.delayed(getattr, pure=True)(chunk, f.name) for chunk in chunks],
                                                 meta=typed_table(COLUMNS[f.name], []), verify_meta=False)
                         for f in fields(Frames)})


# ---- the corpus ---------------------------------------------------------------------------------
@dataclass
class Corpus:
    """The tables of many articles (see ``frames.COLUMNS``) and the views built on them."""

    frames: Frames

    documents = property(lambda self: self.frames.documents)
    sentences = property(lambda self: self.frames.sentences)
    tokens = property(lambda self: self.frames.tokens)
    mentions = property(lambda self: self.frames.mentions)
    entities = property(lambda self: self.frames.entities)
    alignments = property(lambda self: self.frames.alignments)

    @property
    def mentions_vi(self) -> pd.DataFrame:
        return self.mentions[self.mentions.side == "vi"].reset_index(drop=True)

    @property
    def mentions_en(self) -> pd.DataFrame:
        return self.mentions[self.mentions.side == "en"].reset_index(drop=True)

    @property
    def sentence_links(self) -> pd.DataFrame:
        """The sentence-level alignment: one row per (doc_id, vi_sentence, en_sentence)."""
        a = self.alignments
        return a[a.vi_word.isna()][["doc_id", "vi_sentence", "en_sentence"]].reset_index(drop=True)

    @property
    def word_links(self) -> pd.DataFrame:
        """The word alignment: one row per Pharaoh link, indices within the sentence pair."""
        a = self.alignments
        return a[a.vi_word.notna()].reset_index(drop=True)

    def __len__(self) -> int:
        return len(self.documents)

    def __repr__(self) -> str:
        return (f"<Corpus: {len(self.documents)} documents, {len(self.sentences)} sentences, "
                f"{len(self.tokens)} tokens, {len(self.mentions)} mentions, {len(self.entities)} entities>")

    # -- selecting -------------------------------------------------------------------------------
    def select(self, doc_id: str | Iterable[str] | None = None,
               label: str | Iterable[str] | None = None) -> Corpus:
        """A corpus of only the given document(s) and/or entity label(s).

        ``doc_id`` keeps every table's rows of those documents; ``label`` keeps the mentions and
        entities of those labels (texts, sentences and tokens stay whole).
        """
        tables = {f.name: getattr(self.frames, f.name) for f in fields(Frames)}
        if doc_id is not None:
            ids = [doc_id] if isinstance(doc_id, str) else list(doc_id)
            tables = {k: df[df.doc_id.isin(ids)].reset_index(drop=True) for k, df in tables.items()}
        if label is not None:
            labels = [label] if isinstance(label, str) else list(label)
            for k in ("mentions", "entities"):
                tables[k] = tables[k][tables[k].label.isin(labels)].reset_index(drop=True)
        return Corpus(Frames(**tables))

    def record(self, doc_id: str) -> dict:
        """The article JSON of one document, rebuilt from the tables."""
        one = self.select(doc_id=doc_id)
        if not len(one.documents):
            raise KeyError(doc_id)
        return frames_to_json(one.frames)

    # -- views -----------------------------------------------------------------------------------
    def entity_frequency(self, label: str | None = None, *, by: str = "name_en") -> pd.DataFrame:
        """Entities across the corpus, most mentioned first.

        Entities of different documents are the same when their ``label`` and ``by`` name agree.
        Columns: label, name_en, name_vi (the commonest), documents, mentions_vi, mentions_en.
        """
        e = self.entities if label is None else self.entities[self.entities.label == label]
        e = e.assign(n_vi=e.mentions_vi.map(len).astype("Int64"), n_en=e.mentions_en.map(len).astype("Int64"))
        other = "name_vi" if by == "name_en" else "name_en"
        out = (e.groupby(["label", by], sort=False, dropna=False)
               .agg(**{other: (other, lambda s: s.mode().iloc[0] if len(s.mode()) else pd.NA),
                       "documents": ("doc_id", "nunique"), "mentions_vi": ("n_vi", "sum"),
                       "mentions_en": ("n_en", "sum")})
               .reset_index())
        out = out.sort_values(["mentions_vi", "documents", by], ascending=[False, False, True], kind="stable")
        cols = ["label", "name_en", "name_vi", "documents", "mentions_vi", "mentions_en"]
        return out[cols].astype({"documents": "Int64", "mentions_vi": "Int64",
                                 "mentions_en": "Int64"}).reset_index(drop=True)

    def mention_pairs(self) -> pd.DataFrame:
        """One row per mention with both sides (``MENTION_PAIR_COLUMNS``): each Vietnamese mention
        beside the English mention that projects it, then English mentions that project none."""
        return mention_pairs(self.frames)

    def find_entities(self, name: str, label: str | None = None) -> pd.DataFrame:
        """Rows of ``entities`` whose English or Vietnamese name, or id, equals ``name`` (any case)."""
        e = self.entities if label is None else self.entities[self.entities.label == label]
        key = name.casefold()
        hit = (e.name_en.str.casefold() == key) | (e.name_vi.str.casefold() == key) | (e.entity_id == name)
        return e[hit.fillna(False)].reset_index(drop=True)

    def kwic(self, name: str, label: str | None = None, *, width: int = 40) -> pd.DataFrame:
        """Every mention of the entity named ``name`` in context, both sides (``KWIC_COLUMNS``).

        Context is the mention's sentence, cut to ``width`` characters either side.
        """
        pairs = self._pairs_of(name, label)
        texts = self.documents.set_index("doc_id")
        sents = self.sentences.set_index(["doc_id", "side", "sentence_id"])
        rows = []
        for r in pairs.itertuples(index=False):
            row = {"doc_id": r.doc_id, "entity_id": r.entity_id, "label": r.label, "name_en": r.name_en,
                   "method": r.method}
            for side in ("vi", "en"):
                start, end, sentence = getattr(r, f"{side}_start"), getattr(r, f"{side}_end"), getattr(r, f"{side}_sentence")
                if pd.isna(start):
                    continue
                text = texts.at[r.doc_id, f"{side}_text"]
                s = sents.loc[(r.doc_id, side, sentence)] if not pd.isna(sentence) else None
                lo = s["start"] if s is not None else 0
                hi = s["end"] if s is not None else len(text)
                row[f"{side}_left"] = text[max(lo, start - width):start]
                row[f"{side}_match"] = text[start:end]
                row[f"{side}_right"] = text[end:min(hi, end + width)]
            rows.append(row)
        return typed_table(KWIC_COLUMNS, rows)

    def sentence_pairs(self, name: str, label: str | None = None) -> pd.DataFrame:
        """The aligned sentence pairs holding a mention of the entity named ``name``.

        Columns: doc_id, vi_sentence, en_sentence, vi, en (``<NA>`` where untranslated), mentions_vi
        (the mention texts in that Vietnamese sentence), mentions_en.
        """
        pairs = self._pairs_of(name, label)
        pairs = pairs[pairs.vi_sentence.notna()]
        links = self.sentence_links
        s = self.sentences
        vi = s[s.side == "vi"][["doc_id", "sentence_id", "text"]].rename(columns={"sentence_id": "vi_sentence", "text": "vi"})
        en = s[s.side == "en"][["doc_id", "sentence_id", "text"]].rename(columns={"sentence_id": "en_sentence", "text": "en"})
        grouped = (pairs.groupby(["doc_id", "vi_sentence"], sort=False)
                   .agg(mentions_vi=("vi_text", lambda x: list(x.dropna())),
                        mentions_en=("en_text", lambda x: list(x.dropna())))
                   .reset_index())
        out = (grouped.merge(vi, on=["doc_id", "vi_sentence"], how="left")
               .merge(links, on=["doc_id", "vi_sentence"], how="left")
               .merge(en, on=["doc_id", "en_sentence"], how="left"))
        return out[["doc_id", "vi_sentence", "en_sentence", "vi", "en", "mentions_vi", "mentions_en"]].reset_index(drop=True)

    def displacy(self, doc_id: str, side: str = "vi") -> dict:
        """One side of a document in displaCy's manual format: ``{"text", "ents", "title"}``.

        Render with ``spacy.displacy.render(corpus.displacy(doc, "en"), style="ent", manual=True)``.
        """
        doc = self.documents[self.documents.doc_id == doc_id]
        if not len(doc):
            raise KeyError(doc_id)
        text = doc[f"{side}_text"].iloc[0]
        m = self.mentions[(self.mentions.doc_id == doc_id) & (self.mentions.side == side)].sort_values(["start", "end"])
        ents, last_end = [], -1
        for r in m.itertuples(index=False):
            if r.start >= last_end:  # displaCy draws no overlapping spans: keep the first of a pair
                ents.append({"start": int(r.start), "end": int(r.end), "label": r.label})
                last_end = int(r.end)
        return {"text": "" if pd.isna(text) else text, "ents": ents, "title": f"{doc_id} ({side})"}

    def _pairs_of(self, name: str, label: str | None) -> pd.DataFrame:
        found = self.find_entities(name, label)[["doc_id", "entity_id"]]
        return self.mention_pairs().merge(found, on=["doc_id", "entity_id"], how="inner")


def _sentence_of(mentions: pd.DataFrame, sentences: pd.DataFrame) -> pd.Series:
    """The id of the sentence (same document and side) that holds each mention's start."""
    if mentions.empty or sentences.empty:
        return pd.Series(pd.NA, index=mentions.index, dtype="Int64")
    left = mentions[["doc_id", "side", "start"]].astype({"start": "int64", "doc_id": object, "side": object})
    left = left.assign(_row=range(len(left))).sort_values("start")
    right = (sentences[["doc_id", "side", "start", "end", "sentence_id"]]
             .astype({"start": "int64", "end": "int64", "doc_id": object, "side": object}).sort_values("start"))
    merged = pd.merge_asof(left, right, on="start", by=["doc_id", "side"], direction="backward")
    merged = merged.sort_values("_row")
    inside = merged["start"].to_numpy() < merged["end"].to_numpy()
    ids = pd.array(merged["sentence_id"].to_numpy(), dtype="Int64")
    ids[~inside] = pd.NA
    return pd.Series(ids, index=mentions.index, dtype="Int64")


def mention_pairs(frames: Frames) -> pd.DataFrame:
    """``MENTION_PAIR_COLUMNS`` from ``Frames``: both sides of every mention on one row."""
    m = frames.mentions.assign(sentence=_sentence_of(frames.mentions, frames.sentences))
    keep = ["doc_id", "mention_id", "entity_id", "label", "start", "end", "text", "sentence"]
    vi = m[m.side == "vi"][keep + ["source", "score", "value"]].rename(columns={
        "mention_id": "vi_mention_id", "start": "vi_start", "end": "vi_end", "text": "vi_text",
        "sentence": "vi_sentence", "source": "vi_source", "score": "vi_score"})
    en = m[m.side == "en"][keep + ["score", "method", "aligns_to"]].rename(columns={
        "mention_id": "en_mention_id", "start": "en_start", "end": "en_end", "text": "en_text",
        "sentence": "en_sentence", "score": "en_score", "aligns_to": "vi_mention_id"})
    en = en.rename(columns={"entity_id": "en_entity_id", "label": "en_label"})
    both = vi.merge(en, on=["doc_id", "vi_mention_id"], how="outer", sort=False)
    # English mentions that project nothing take their entity and label from themselves
    both["entity_id"] = both["entity_id"].fillna(both.pop("en_entity_id"))
    both["label"] = both["label"].fillna(both.pop("en_label"))
    both["value"] = both["value"].map(lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else pd.NA)
    names = frames.entities[["doc_id", "entity_id", "name_vi", "name_en"]]
    both = both.merge(names, on=["doc_id", "entity_id"], how="left")
    both = both.assign(_unpaired=both.vi_mention_id.isna()).sort_values(
        ["doc_id", "_unpaired", "vi_start", "en_start"], kind="stable")
    return typed_table(MENTION_PAIR_COLUMNS, both)
