"""Readers: one per input format, each turning a file into documents (ingest decodes and normalises).

=========  ====================================================================================
format     what becomes a document
=========  ====================================================================================
.txt .md   the whole file
.html .htm the article text of the page, extracted with trafilatura (scripts, navigation,
           comments and boilerplate dropped); the page title becomes the first line
.jsonl     each non-blank line, a JSON object: its text field (``ReadOptions.text_column``)
.csv       each row: its text column; the header names the columns, the delimiter is sniffed
=========  ====================================================================================

A multi-document file (JSONL, CSV) yields one ``Record`` per line or row, with an id from the id
column (``ReadOptions.id_column``) or else the line/row number. A record that cannot be used
(invalid JSON, no text field, empty text) carries its own ``BadRecord`` error: it never takes the
rest of the file down. Offsets of a record's document are into its text field; ``source`` names the
file (path, sha256 and size of the whole file) and the encoding of the file.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .document import Document
from .errors import BadRecord, NoArticleText, UndecodableText, UnsupportedFormat, VienError, printable
from .ingest import MAX_BYTES, decode, document_from_text, read_bytes

FORMATS = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".csv": "csv"}
SUFFIXES = tuple(FORMATS)
MULTI_DOCUMENT = (".jsonl", ".csv")

_ID_UNSAFE = re.compile(r"[^\w.-]+")
_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


@dataclass
class ReadOptions:
    text_column: str = "text"
    id_column: str = "id"


@dataclass
class Record:
    """One document of a multi-document file: its text, or the error that stops it."""

    key: str  # the id column's value, or the line (JSONL) / row (CSV) number
    where: str  # "line 3", "row 2": where in the file, for messages
    text: str | None = None
    error: VienError | None = None


@dataclass
class RecordSource:
    """What the records of one file share: the file's identity and encoding."""

    path: str
    sha256: str
    size: int
    encoding: str

    def document(self, record: Record, doc_id: str) -> Document:
        """The ``Document`` of ``record`` (which has text); ``source`` describes the whole file."""
        doc = document_from_text(record.text or "", doc_id=doc_id, path=self.path, encoding=self.encoding)
        doc.source.sha256, doc.source.size = self.sha256, self.size
        return doc


def supported(path: Path) -> bool:
    return path.suffix.lower() in FORMATS


def is_multi_document(path: Path) -> bool:
    return path.suffix.lower() in MULTI_DOCUMENT


def read_document(path: str | Path, *, doc_id: str | None = None) -> Document:
    """Read a single-document file (.txt, .md, .html, .htm) into a ``Document``.

    Raises ``UnsupportedFormat`` for other suffixes (JSONL and CSV: use ``read_records``), and the
    reading errors of ``pipeline.ingest.read_document``, or ``NoArticleText`` for a page without one.
    """
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise UnsupportedFormat(path=str(path), suffix=path.suffix, supported=", ".join(SUFFIXES))
    if kind not in ("text", "html"):  # a programming error: discover.discover reads these by record
        raise UnsupportedFormat(path=str(path), suffix=path.suffix, supported="use readers.read_records")
    data = read_bytes(path)
    text, encoding = decode_html(data, path) if kind == "html" else decode(data, path)
    if kind == "html":
        text = extract_article(text, path)
    return document_from_text(text, doc_id=doc_id or printable(path.stem), path=printable(str(path)),
                              encoding=encoding, data=data)


# ---- HTML ------------------------------------------------------------------------------------
def decode_html(data: bytes, path: Path) -> tuple[str, str]:
    """Decode a page as any article (``pipeline.encodings``: the bytes are the evidence; old
    Vietnamese pages often declare ISO-8859-1 for TCVN3 or VNI text). Only when that finds no
    encoding does a declared ``<meta charset>`` that decodes the bytes strictly decide."""
    try:
        return decode(data, path)
    except UndecodableText:
        declared = _HTML_CHARSET.search(data[:4096])
        if declared:
            try:
                name = codecs.lookup(declared.group(1).decode("ascii", "replace")).name
                return data.decode(name), name
            except (LookupError, UnicodeDecodeError):
                pass
        raise


def extract_article(html: str, path: Path) -> str:
    """The article text of a page: title, then paragraphs one per line (trafilatura)."""
    import trafilatura  # heavy: imported on first use

    extracted = trafilatura.bare_extraction(html, include_comments=False, with_metadata=True,
                                            favor_recall=True)
    body = (extracted.text if extracted is not None else "") or ""
    if not body.strip():
        raise NoArticleText(path=str(path))
    title = (extracted.title or "").strip()
    if title and not body.lstrip().startswith(title):
        return f"{title}\n{body}"
    return body


# ---- JSONL and CSV ---------------------------------------------------------------------------
def read_records(path: str | Path, options: ReadOptions | None = None) -> tuple[RecordSource, list[Record]]:
    """The records of a JSONL or CSV file, each with its text or its own error.

    Raises (for the whole file) the reading and decoding errors of ingest, ``UnsupportedFormat``,
    and ``BadRecord`` for a CSV header without the text column.
    """
    path, options = Path(path), options or ReadOptions()
    if not is_multi_document(path):
        raise UnsupportedFormat(path=str(path), suffix=path.suffix, supported=", ".join(MULTI_DOCUMENT))
    data = read_bytes(path)
    text, encoding = decode(data, path)
    if text.startswith("\ufeff"):
        text = text[1:]
    source = RecordSource(printable(str(path)), hashlib.sha256(data).hexdigest(), len(data), encoding)
    records = _jsonl_records(text, path, options) if path.suffix.lower() == ".jsonl" \
        else _csv_records(text, path, options)
    return source, records


def _record(path: Path, where: str, fallback_key: str, text: object, key: object,
            options: ReadOptions) -> Record:
    key_text = str(key).strip() if isinstance(key, (str, int)) and not isinstance(key, bool) else ""
    # the key becomes part of a file name: no path separators, no dot files, not too long
    record = Record(key=_ID_UNSAFE.sub("_", key_text).strip("._")[:80] or fallback_key, where=where)
    label = f"{where} (id {key_text})" if key_text else where
    if text is None:
        record.error = BadRecord(path=str(path), record=label, reason=f"no {options.text_column!r} field")
    elif not isinstance(text, str):
        record.error = BadRecord(path=str(path), record=label,
                                 reason=f"the {options.text_column!r} field is {type(text).__name__}, not text")
    elif not text.strip():
        record.error = BadRecord(path=str(path), record=label, reason="the text is empty")
    else:
        record.text = text
    return record


def _jsonl_records(text: str, path: Path, options: ReadOptions) -> list[Record]:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            obj = json.loads(line)
        except ValueError as exc:
            records.append(Record(str(number), where, error=BadRecord(
                path=str(path), record=where, reason=f"invalid JSON: {exc}")))
            continue
        if not isinstance(obj, dict):
            records.append(Record(str(number), where, error=BadRecord(
                path=str(path), record=where, reason=f"a JSON {type(obj).__name__}, not an object")))
            continue
        records.append(_record(path, where, str(number), obj.get(options.text_column),
                               obj.get(options.id_column), options))
    return records


def _csv_dialect(text: str, text_column: str):
    """The delimiter that makes the header name the text column; else a sniffed one."""
    first_line = text.split("\n", 1)[0]
    for delimiter in (",", ";", "\t", "|"):
        if text_column in (c.strip() for c in next(csv.reader([first_line], delimiter=delimiter), [])):
            return type("Header", (csv.excel,), {"delimiter": delimiter})
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _csv_records(text: str, path: Path, options: ReadOptions) -> list[Record]:
    csv.field_size_limit(MAX_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), _csv_dialect(text, options.text_column))
    try:
        header = next(reader)
    except StopIteration:
        header = []
    except csv.Error as exc:
        raise UndecodableText(path=str(path), reason=f"the CSV header cannot be read: {exc}") from exc
    columns = [c.strip() for c in header]
    if options.text_column not in columns:
        raise BadRecord(path=str(path), record="header",
                        reason=f"no column {options.text_column!r} (columns: {', '.join(columns) or 'none'})")
    text_at = columns.index(options.text_column)
    id_at = columns.index(options.id_column) if options.id_column in columns else None
    records: list[Record] = []
    number = 0
    while True:
        number += 1
        where = f"row {number}"
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            records.append(Record(str(number), where, error=BadRecord(
                path=str(path), record=f"{where} (line {reader.line_num})", reason=f"invalid CSV: {exc}")))
            continue
        if not any(cell.strip() for cell in row):
            number -= 1  # blank lines are not rows
            continue
        value = row[text_at] if text_at < len(row) else None
        key = row[id_at] if id_at is not None and id_at < len(row) else None
        records.append(_record(path, where, str(number), value, key, options))
    return records
