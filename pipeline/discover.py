"""Discovery: the articles named by files and folders, each with a unique id.

One article per single-document file (``.txt``, ``.md``, ``.html``), one per record of a JSONL or
CSV file (``pipeline.readers``); a file that cannot be read, or of a type we do not read inside a
folder, is an entry with its error, so that it ends in the manifest too.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .document import Document
from .errors import InputNotFound, NoInputFiles, NoRecords, NotText, UnsupportedFormat, VienError, printable
from .readers import MULTI_DOCUMENT, SUFFIXES, ReadOptions, Record, RecordSource, read_document, read_records


@dataclass
class InputFile:
    path: Path
    doc_id: str
    error: VienError | None = None  # set when the file is refused before reading
    skipped: bool = False  # unknown file type inside a folder: reported, not processed
    record: Record | None = None  # one record of a JSONL/CSV file, read at discovery
    record_source: RecordSource | None = None
    source_path: str | None = None  # the path the output records (``relative_to``); else the path given

    def relative_to(self, outdir: Path) -> None:
        """Record the input's path relative to ``outdir``, so that outputs find their inputs from
        wherever a command runs (``source.path``, the manifest's ``input``)."""
        self.source_path = printable(os.path.relpath(self.path.absolute(), outdir.absolute()))

    @property
    def name(self) -> str:
        """The input's path as text (bytes of a name that is not UTF-8 written as ``\\xNN``)."""
        return printable(str(self.path))

    def read(self) -> Document:
        """The article's ``Document`` (read from its file, or built from its record)."""
        if self.record is not None and self.record_source is not None:
            doc = self.record_source.document(self.record, self.doc_id)
        else:
            doc = read_document(self.path, doc_id=self.doc_id)
        if self.source_path is not None:
            doc.source.path = self.source_path
        return doc


def discover(inputs: Iterable[str | Path], options: ReadOptions | None = None, *,
             exclude: Path | None = None, reserved: Iterable[str] = ()) -> list[InputFile]:
    """Articles named by ``inputs`` (files, or folders searched recursively), with unique doc ids.

    JSONL and CSV files are read here, one entry per record (``<file stem>__<id or number>``); a
    file or record that cannot be read becomes an entry with its error. Links to folders are not
    followed (recorded as skipped). The folder ``exclude`` (the run's output folder) is never
    searched, and no article takes an id in ``reserved`` (``manifest``: ``manifest.txt`` must not
    overwrite the run's manifest). Files of a type we do not read take ids after the articles, so
    ``report.pdf`` never takes ``report.txt``'s. Raises ``InputNotFound`` for a missing path and
    ``NoInputFiles`` for a folder without articles.
    """
    found: list[InputFile] = []
    for raw in inputs:
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            raise InputNotFound(path=str(path))
        if path.is_dir():
            files = _folder_files(path, exclude)
            if not any(p.suffix.lower() in SUFFIXES for p in files):
                raise NoInputFiles(path=str(path), extensions=", ".join(SUFFIXES))
            for p in files:
                entry = InputFile(p, printable("__".join(p.relative_to(path).with_suffix("").parts)))
                if p.is_dir():
                    entry.skipped = True
                    entry.error = NotText(path=str(p), reason="a link to a folder (not followed)")
                elif p.suffix.lower() not in SUFFIXES:
                    entry.skipped = True
                    entry.error = UnsupportedFormat(path=str(p), suffix=p.suffix, supported=", ".join(SUFFIXES))
                found += _expand(entry, options)
        else:
            found += _expand(InputFile(path, printable(path.stem)), options)
    seen: dict[str, int] = dict.fromkeys(reserved, 1)
    for entry in sorted(found, key=lambda e: e.skipped):  # a.txt and a.md, or one name twice: unique ids
        n = seen.get(entry.doc_id, 0)
        seen[entry.doc_id] = n + 1
        if n:
            entry.doc_id = f"{entry.doc_id}-{n + 1}"
    return found


def _folder_files(folder: Path, exclude: Path | None = None) -> list[Path]:
    """Files under ``folder`` (and links, broken ones too), hidden names and the folder ``exclude``
    left out, links to folders listed but not entered (a link loop cannot trap the walk). When
    ``exclude`` is ``folder`` itself (``-o`` the input folder), its ``.json`` files, the outputs, are
    left out: JSON is never an input."""
    files = []
    skip = exclude.resolve() if exclude is not None else None
    for top, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and Path(top, d).resolve() != skip)
        files += [Path(top, d) for d in dirs if Path(top, d).is_symlink()]
        outputs = Path(top).resolve() == skip
        files += [Path(top, n) for n in names if not n.startswith(".") and not (outputs and n.endswith(".json"))]
    return sorted(files)


def _expand(entry: InputFile, options: ReadOptions | None) -> list[InputFile]:
    """A JSONL/CSV entry as one entry per record; any other entry as it is."""
    if entry.error is not None or entry.path.suffix.lower() not in MULTI_DOCUMENT:
        return [entry]
    try:
        source, records = read_records(entry.path, options)
    except VienError as exc:
        entry.error = exc
        return [entry]
    if not records:  # an empty or blank file, a CSV header alone: an error, not a silent nothing
        entry.error = NoRecords(path=entry.name, reason="a CSV header alone" if entry.path.suffix.lower() == ".csv"
                                else "the file is empty or blank")
        return [entry]
    return [InputFile(entry.path, f"{entry.doc_id}__{r.key}", error=r.error, record=r, record_source=source)
            for r in records]
