"""Export: the outputs folder as a parallel corpus or an entity table.

``export_parallel`` writes one line (or ``<tu>``) per Vietnamese sentence with its English
translation, reading the article JSON files one at a time:

- ``moses``: ``PATH.vi`` and ``PATH.en`` with one sentence per line (equal line counts), and
  ``PATH.ids`` (``doc_id<TAB>vi_sentence<TAB>en_sentence``) to trace each line back;
- ``tsv``: a header and one row per pair, quoted where needed (``csv.QUOTE_MINIMAL``), so a plain
  ``pandas.read_csv(path, sep="\t")`` or ``csv.reader(f, delimiter="\t")`` reads the texts back as written;
- ``tmx``: TMX 1.4, written by ``xml.sax.saxutils.XMLGenerator`` (escaping is the library's);
- ``jsonl``: one JSON object per pair.

With ``tokens`` (implied by ``alignments``) the text is the JSON's own tokens, separated by spaces;
spaces inside a token (Vietnamese words of several syllables) become ``_``. ``alignments`` adds the
Pharaoh ``i-j`` links (``PATH.align`` for moses, a column/field/``prop`` otherwise), whose indices
count those exported tokens. A sentence without translation is written with an empty English side
unless ``skip_missing``; ``skip_flagged`` drops pairs with a flag (see ``pair_flags``). Articles with
no English side at all (annotated with ``--no-translate``) are skipped and counted. Headings and the
title (``heading_sentences``) are left out unless ``keep_headings``, which flags them ``heading``.

``export_entities`` writes one row per mention with both sides (``corpus.MENTION_PAIR_COLUMNS``) as
CSV or Parquet (Parquet needs the optional ``pyarrow``).
"""
from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import XMLGenerator

import pandas as pd

from . import __version__
from .corpus import CHUNK_SIZE, MENTION_PAIR_COLUMNS, mention_pairs, output_files, read_record, typed_table
from .errors import OptionalDependencyMissing, OutputNotWritable
from .frames import SCHEMA_ID, json_to_frames
from .journal import file_mode
from .schema import check_annotation

PARALLEL_FORMATS = ("moses", "tsv", "tmx", "jsonl")
ENTITY_FORMATS = ("csv", "parquet")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class SentencePair:
    """One Vietnamese sentence and its English translation (``en`` is None where there is none)."""

    doc_id: str
    vi_sentence: int
    en_sentence: int | None
    vi: str
    en: str | None
    vi_tokens: list[str]
    en_tokens: list[str]
    alignment: str  # Pharaoh "i-j ..." over vi_tokens x en_tokens
    flags: list[str] = field(default_factory=list)


@dataclass
class ExportReport:
    documents: int = 0
    written: int = 0
    skipped_missing: int = 0
    skipped_flagged: int = 0
    skipped_headings: int = 0
    untranslated_documents: int = 0  # articles without an English side, skipped whole
    files: list[Path] = field(default_factory=list)


def checked_records(outdir: str | Path | Iterable[str | Path]) -> Iterator[dict]:
    """The article JSON dicts of a folder, a file, or a list of them, one at a time, each checked
    against the schema first (``schema.check_annotation``: E411 naming the file and the field)."""
    for item in [outdir] if isinstance(outdir, (str, Path)) else outdir:
        for path in output_files(item):
            record = read_record(path)
            check_annotation(record, path)
            yield record


def _token_texts(text: str, tokens: list[dict]) -> list[str]:
    return ["_".join(text[t["start"]:t["end"]].split()) for t in sorted(tokens, key=lambda t: t["id"])]


def sentence_pairs(record: dict) -> Iterator[SentencePair]:
    """The sentence pairs of one article JSON, in Vietnamese sentence order.

    A Vietnamese sentence aligned to several English sentences gets them joined (tokens and
    Pharaoh indices follow); one aligned to none gets ``en=None``.
    """
    vi, en = record["vi"], record.get("en")
    by_sentence: dict[tuple[str, int], list[dict]] = {}
    for side_name, side in (("vi", vi), ("en", en)):
        for t in (side or {}).get("tokens", []):
            by_sentence.setdefault((side_name, t["sentence"]), []).append(t)
    en_sentences = {s["id"]: s for s in en["sentences"]} if en else {}
    links: dict[int, list[tuple[int, str]]] = {}
    alignment = record.get("alignment")
    if alignment:
        for (vi_id, en_id), pharaoh in zip(alignment["sentences"], alignment["tokens"]):
            links.setdefault(vi_id, []).append((en_id, pharaoh))
    elif en:
        for s in en["sentences"]:
            links.setdefault(s["source_sentence"], []).append((s["id"], ""))
    flags = pair_flags(record)
    for s in vi["sentences"]:
        vi_tokens = _token_texts(vi["text"], by_sentence.get(("vi", s["id"]), []))
        en_ids, en_texts, en_tokens, pharaoh = [], [], [], []
        for en_id, links_str in links.get(s["id"], []):
            e = en_sentences[en_id]
            offset = len(en_tokens)
            en_ids.append(en_id)
            en_texts.append(en["text"][e["start"]:e["end"]])
            en_tokens += _token_texts(en["text"], by_sentence.get(("en", en_id), []))
            for link in links_str.split():
                i, j = link.split("-")
                pharaoh.append(f"{i}-{int(j) + offset}")
        yield SentencePair(record["doc_id"], s["id"], en_ids[0] if en_ids else None,
                           vi["text"][s["start"]:s["end"]], " ".join(en_texts) if en_ids else None,
                           vi_tokens, en_tokens, " ".join(pharaoh), flags.get(s["id"], []))


# a MediaWiki heading line (== Lịch sử ==) or a Markdown one (## Lịch sử)
_HEADING = re.compile(r"(=+)[^=\n]+\1|#{1,6}\s+\S.*")


def heading_sentences(record: dict) -> set[int]:
    """Vietnamese sentence ids that are headings, not prose: the title span, and sentences that are
    a whole MediaWiki (``== X ==``) or Markdown (``## X``) heading line. The JSON has no heading
    mark, so they are found here, from the text."""
    vi = record["vi"]
    title = vi.get("title")
    found = set()
    for s in vi["sentences"]:
        if title and s["start"] < title[1] and title[0] < s["end"]:
            found.add(s["id"])
        elif _HEADING.fullmatch(vi["text"][s["start"]:s["end"]].strip()):
            found.add(s["id"])
    return found


def pair_flags(record: dict) -> dict[int, list[str]]:
    """Reasons to distrust a sentence pair, by Vietnamese sentence id:

    ``attention-post-edit`` (an entity or number was put into the English by attention alone),
    ``unprojected-mention`` (a Vietnamese mention found no English counterpart),
    ``no-word-alignment`` (both sides have tokens but no link joins them).
    """
    vi, en = record["vi"], record.get("en")
    translation = record.get("translation") or {}
    flags: dict[int, list[str]] = {}

    def add(vi_id: int | None, flag: str) -> None:
        if vi_id is not None and flag not in flags.setdefault(vi_id, []):
            flags[vi_id].append(flag)

    source_of = {s["id"]: s["source_sentence"] for s in en["sentences"]} if en else {}
    for edit in translation.get("post_edits", []):
        if edit.get("method") == "attention":
            add(source_of.get(edit.get("sentence")), "attention-post-edit")
    starts = {m["id"]: m["start"] for m in vi["entities"]}
    for item in translation.get("unprojected", []):
        start = starts.get(item.get("mention"))
        add(next((s["id"] for s in vi["sentences"] if start is not None and s["start"] <= start < s["end"]), None),
            "unprojected-mention")
    alignment = record.get("alignment")
    if alignment and en:
        has_tokens = {(side, t["sentence"]) for side, doc_side in (("vi", vi), ("en", en)) for t in doc_side["tokens"]}
        for (vi_id, en_id), pharaoh in zip(alignment["sentences"], alignment["tokens"]):
            if not pharaoh.strip() and ("vi", vi_id) in has_tokens and ("en", en_id) in has_tokens:
                add(vi_id, "no-word-alignment")
    return flags


# ---- writing ------------------------------------------------------------------------------------
@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "w"):
    """Open a temporary file beside ``path`` and rename it into place only when the block succeeds.

    The file gets the mode an ordinary new file gets (``journal.file_mode``: 0644 under umask 022);
    a filesystem error (a read-only folder, a full disk) is ``OutputNotWritable`` naming ``path``.
    """
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".vien-export-", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, file_mode())
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": "\n"})) as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputNotWritable(path=str(path), reason=exc.strerror or str(exc)) from None
        raise


def _line(text: str | None) -> str:
    """A sentence on one line: any run of whitespace (newlines, tabs) becomes one space."""
    return " ".join((text or "").split())


def _texts(pair: SentencePair, tokens: bool) -> tuple[str, str]:
    if tokens:
        return " ".join(pair.vi_tokens), " ".join(pair.en_tokens)
    return _line(pair.vi), _line(pair.en)


def export_parallel(outdir: str | Path | Iterable[str | Path], path: str | Path, fmt: str = "moses", *,
                    alignments: bool = False, tokens: bool = False, skip_missing: bool = False,
                    skip_flagged: bool = False, keep_headings: bool = False) -> ExportReport:
    """Write the sentence pairs of every article in ``outdir`` to ``path`` in format ``fmt``.

    Returns an ``ExportReport`` (pairs written and skipped, files written). Every file is written
    atomically: an export that fails leaves no partial file behind.
    """
    if fmt not in PARALLEL_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {PARALLEL_FORMATS}")
    tokens = tokens or alignments
    report = ExportReport()

    def pairs() -> Iterator[SentencePair]:
        for record in checked_records(outdir):
            report.documents += 1
            if record["en"] is None:
                report.untranslated_documents += 1
                continue
            headings = heading_sentences(record)
            for pair in sentence_pairs(record):
                if pair.vi_sentence in headings:
                    if not keep_headings:
                        report.skipped_headings += 1
                        continue
                    pair.flags.append("heading")
                if pair.en is None and skip_missing:
                    report.skipped_missing += 1
                elif skip_flagged and set(pair.flags) - {"heading"}:
                    report.skipped_flagged += 1
                else:
                    report.written += 1
                    yield pair

    path = Path(path)
    writer = {"moses": _write_moses, "tsv": _write_tsv, "tmx": _write_tmx, "jsonl": _write_jsonl}[fmt]
    report.files = writer(pairs(), path, alignments=alignments, tokens=tokens)
    return report


def _write_moses(pairs: Iterable[SentencePair], path: Path, *, alignments: bool, tokens: bool) -> list[Path]:
    names = [path.with_name(f"{path.name}.{ext}") for ext in ("vi", "en", "ids")]
    if alignments:
        names.append(path.with_name(f"{path.name}.align"))
    with contextlib.ExitStack() as stack:
        files = [stack.enter_context(atomic_open(n)) for n in names]
        for pair in pairs:
            vi, en = _texts(pair, tokens)
            files[0].write(vi + "\n")
            files[1].write(en + "\n")
            en_id = "" if pair.en_sentence is None else pair.en_sentence
            files[2].write(f"{pair.doc_id}\t{pair.vi_sentence}\t{en_id}\n")
            if alignments:
                files[3].write(pair.alignment + "\n")
    return names


def _write_tsv(pairs: Iterable[SentencePair], path: Path, *, alignments: bool, tokens: bool) -> list[Path]:
    header = ["doc_id", "vi_sentence", "en_sentence", "vi", "en", "flags"] + (["alignment"] if alignments else [])
    with atomic_open(path) as fh:
        out = csv.writer(fh, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        out.writerow(header)
        for pair in pairs:
            vi, en = _texts(pair, tokens)
            row = [pair.doc_id, pair.vi_sentence, "" if pair.en_sentence is None else pair.en_sentence,
                   vi, en, ",".join(pair.flags)]
            out.writerow(row + ([pair.alignment] if alignments else []))
    return [path]


def _write_jsonl(pairs: Iterable[SentencePair], path: Path, *, alignments: bool, tokens: bool) -> list[Path]:
    with atomic_open(path) as fh:
        for pair in pairs:
            item = {"doc_id": pair.doc_id, "vi_sentence": pair.vi_sentence, "en_sentence": pair.en_sentence,
                    "vi": pair.vi, "en": pair.en, "flags": pair.flags}
            if tokens:
                item.update(vi_tokens=pair.vi_tokens, en_tokens=pair.en_tokens)
            if alignments:
                item["alignment"] = pair.alignment
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    return [path]


def _write_tmx(pairs: Iterable[SentencePair], path: Path, *, alignments: bool, tokens: bool) -> list[Path]:
    """TMX 1.4: one ``<tu>`` per pair, ``<tuv xml:lang="vi|en">``, the raw sentence texts in ``<seg>``;
    provenance, flags, tokens and alignment in ``<prop type="x-...">``."""
    with atomic_open(path, "wb") as fh:
        xml = XMLGenerator(fh, encoding="utf-8", short_empty_elements=True)

        def element(name: str, text: str | None = None, indent: str = "", **attrs: str) -> None:
            xml.ignorableWhitespace(indent)
            xml.startElement(name, attrs)
            if text is not None:
                xml.characters(_XML_INVALID.sub("", text))
            xml.endElement(name)

        def prop(kind: str, value: str, indent: str) -> None:
            element("prop", value, indent, type=f"x-{kind}")

        xml.startDocument()
        xml.startElement("tmx", {"version": "1.4"})
        element("header", None, "\n  ", creationtool="vien", creationtoolversion=__version__,
                segtype="sentence", **{"o-tmf": SCHEMA_ID}, adminlang="en", srclang="vi", datatype="plaintext")
        xml.ignorableWhitespace("\n  ")
        xml.startElement("body", {})
        for pair in pairs:
            xml.ignorableWhitespace("\n    ")
            xml.startElement("tu", {"tuid": f"{pair.doc_id}:{pair.vi_sentence}"})
            prop("doc-id", pair.doc_id, "\n      ")
            prop("vi-sentence", str(pair.vi_sentence), "\n      ")
            if pair.en_sentence is not None:
                prop("en-sentence", str(pair.en_sentence), "\n      ")
            if pair.flags:
                prop("flags", ",".join(pair.flags), "\n      ")
            if alignments:
                prop("alignment", pair.alignment, "\n      ")
            for lang, text, toks in (("vi", pair.vi, pair.vi_tokens), ("en", pair.en or "", pair.en_tokens)):
                xml.ignorableWhitespace("\n      ")
                xml.startElement("tuv", {"xml:lang": lang})
                if tokens:
                    prop("tokens", " ".join(toks), "")
                element("seg", text)
                xml.endElement("tuv")
            xml.ignorableWhitespace("\n    ")
            xml.endElement("tu")
        xml.ignorableWhitespace("\n  ")
        xml.endElement("body")
        xml.ignorableWhitespace("\n")
        xml.endElement("tmx")
        xml.ignorableWhitespace("\n")
        xml.endDocument()
    return [path]


# ---- entities ----------------------------------------------------------------------------------
def export_entities(outdir: str | Path | Iterable[str | Path], path: str | Path, fmt: str = "csv") -> tuple[int, int]:
    """Write one row per mention, both sides (``corpus.MENTION_PAIR_COLUMNS``), to ``path``.

    Returns ``(documents, rows)``. ``parquet`` raises ``OptionalDependencyMissing`` without pyarrow.
    """
    if fmt not in ENTITY_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {ENTITY_FORMATS}")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401  (pandas.to_parquet's engine)
        except ImportError:
            raise OptionalDependencyMissing(feature="export to Parquet", package="pyarrow", extra="parquet") from None
    documents, parts, chunk = 0, [], []
    for record in checked_records(outdir):
        chunk.append(record)
        documents += 1
        if len(chunk) == CHUNK_SIZE:
            parts.append(mention_pairs(json_to_frames(chunk)))
            chunk = []
    if chunk or not parts:
        parts.append(mention_pairs(json_to_frames(chunk)))
    table = typed_table(MENTION_PAIR_COLUMNS, pd.concat(parts, ignore_index=True))
    path = Path(path)
    if fmt == "csv":
        with atomic_open(path) as fh:
            table.to_csv(fh, index=False)
    else:
        with atomic_open(path, "wb") as fh:
            table.to_parquet(fh, index=False, engine="pyarrow")
    return documents, len(table)
