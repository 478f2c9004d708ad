"""Ingest: read an article file into a ``Document`` with a normalised text and a way back.

Reading detects the encoding (``pipeline.encodings``: byte-order marks, strict UTF-8, then the
legacy Vietnamese encodings scored by their share of Vietnamese syllables), refuses binary data and
files above ``MAX_BYTES``, and keeps the decoded original. Normalisation builds a new text in two
layers, each a list of ``Edit``s:

1. characters: byte-order mark dropped, VNI letters composed (VNI files keep their one-character-
   per-byte reading as the original), Unicode NFC per character cluster (Windows-1258 and NFD
   tone marks), CR/CRLF -> LF;
2. layout: no-break and other odd spaces and runs of spaces -> one space, and repair of glued
   boundaries that scraped news is full of (``Liên XôCuộc`` / ``phát hiện.Khi`` get the line break
   they lost).

The layers are composed into one edit list, so ``Source.offset_map`` maps any offset of the
normalised text back to the original text. Title and byline are found on the normalised text.
"""
from __future__ import annotations

import bisect
import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from .document import Document, Edit, OffsetMap, Side, Source
from .encodings import detect, vni_edits
from .errors import DocumentTooLong, EmptyDocument, NotText, UnreadableFile, UnsupportedFormat, printable

TEXT_SUFFIXES = (".txt", ".md")
# Larger inputs are refused before they are read: one article is rarely above 1 MB, and a 20 MB
# JSONL or CSV file of articles is still read whole into memory comfortably.
MAX_BYTES = 20 * 1024 * 1024
# One article above this is refused (E110): the stages would take minutes on it (underthesea's CRF
# entity tagger runs at about 4,000 syllables a second here) and it is surely not one article.
MAX_DOCUMENT_CHARS = 1_000_000
_VI_LOWER = "a-zàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
_VI_UPPER = _VI_LOWER.upper()
_ODD_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t"
# A run of horizontal space that is not exactly one ASCII space.
_SPACE_RUN = re.compile(f"[ {_ODD_SPACES}]{{2,}}|[{_ODD_SPACES}]")
# "XôCuộc": a lower-case letter glued to a capitalised word. Only repaired when a Vietnamese
# letter with a diacritic is on either side, so that "iPhone", "McDonnell", "MiG" stay whole.
_GLUED_WORDS = re.compile(f"(?<=[{_VI_LOWER}])(?=[{_VI_UPPER}][{_VI_LOWER}])")
# "hiện.Khi": sentence punctuation glued to the next sentence after a lower-case word.
_GLUED_SENTENCE = re.compile(f"(?<=[{_VI_LOWER}]{{2}}[.!?])(?=[{_VI_UPPER}][{_VI_LOWER}])")
_WORD_LEFT = re.compile(f"[{_VI_LOWER}{_VI_UPPER}]+$")
_WORD_RIGHT = re.compile(f"[{_VI_LOWER}{_VI_UPPER}]+")


@dataclass
class Normalised:
    text: str
    edits: list[Edit]


def read_document(path: str | Path, *, doc_id: str | None = None) -> Document:
    """Read ``path`` (a .txt or .md article) into a ``Document`` with normalised text.

    Raises ``UnreadableFile``, ``NotText``, ``UndecodableText``, ``EmptyDocument`` or
    ``UnsupportedFormat`` naming the file and the reason.
    """
    path = Path(path)
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise UnsupportedFormat(path=str(path), suffix=path.suffix, supported=", ".join(TEXT_SUFFIXES))
    data = read_bytes(path)
    original, encoding = decode(data, path)
    return document_from_text(original, doc_id=doc_id or printable(path.stem), path=printable(str(path)),
                              encoding=encoding, data=data)


def read_bytes(path: Path) -> bytes:
    """The bytes of ``path``: ``UnreadableFile`` when it cannot be read, ``NotText`` for a
    directory, a device or pipe, or a file above ``MAX_BYTES`` (checked before reading)."""
    try:
        if path.is_dir():
            raise NotText(path=str(path), reason="it is a directory")
        # opened without blocking (a FIFO would wait for a writer), then checked on the open file
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise NotText(path=str(path), reason="it is not a regular file")
            if info.st_size > MAX_BYTES:
                raise NotText(path=str(path), reason=f"{info.st_size} bytes is above the {MAX_BYTES}-byte limit")
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UnreadableFile(path=str(path), reason=exc.strerror or str(exc)) from exc
    if len(data) > MAX_BYTES:  # it grew while we looked
        raise NotText(path=str(path), reason=f"more than {MAX_BYTES} bytes (the limit)")
    return data


def document_from_text(original: str, *, doc_id: str, path: str = "", encoding: str = "utf-8",
                       data: bytes | None = None) -> Document:
    """Build a ``Document`` from already decoded text (used by readers of other formats)."""
    if not original.strip():
        raise EmptyDocument(path=path or doc_id)
    if len(original) > MAX_DOCUMENT_CHARS:
        raise DocumentTooLong(path=path or doc_id, chars=len(original), limit=MAX_DOCUMENT_CHARS)
    norm = normalise(original, legacy=encoding if encoding == "vni" else None)
    if not norm.text.strip():
        raise EmptyDocument(path=path or doc_id)
    raw = data if data is not None else original.encode("utf-8")
    source = Source(path=path, sha256=hashlib.sha256(raw).hexdigest(), encoding=encoding,
                    size=len(raw), edits=norm.edits, original_text=original)
    return Document(doc_id=doc_id, source=source, vi=Side(text=norm.text),
                    title=find_title(norm.text), byline=find_byline(norm.text),
                    annotations={"text"})


def decode(data: bytes, path: Path | str) -> tuple[str, str]:
    """Decode an article's bytes: ``(text, encoding)``; see ``pipeline.encodings.detect``.

    A UTF-8 byte-order mark is kept in the text (as Python's ``open`` reads it) and removed by
    normalisation, so original offsets are those of the file read as UTF-8.
    """
    return detect(data, str(path))


def normalise(original: str, *, legacy: str | None = None) -> Normalised:
    """The normalised text of ``original`` and the edits that lead back to it.

    ``legacy="vni"``: ``original`` is a VNI text read one character per byte; its letters are
    composed as edits of the character layer.
    """
    chars = _apply(original, list(_character_edits(original, vni=legacy == "vni")))
    layout = _apply(chars.text, list(_layout_edits(chars.text)))
    return Normalised(layout.text, compose(chars.edits, layout.edits))


def _character_edits(text: str, *, vni: bool = False):
    if not vni and "\r" not in text and not text.startswith("\ufeff") and unicodedata.is_normalized("NFC", text):
        return  # the common case, checked in C: nothing to do character by character
    if text.startswith("\ufeff"):
        yield 0, 1, "", "bom"
    i, n = (1 if text.startswith("\ufeff") else 0), len(text)
    letters = {start: (end, new) for start, end, new, _ in vni_edits(text)} if vni else {}
    while i < n:
        ch = text[i]
        if i in letters:
            end, new = letters[i]
            yield i, end, new, "vni"
            i = end
            continue
        if ch == "\r":
            j = i + 2 if text.startswith("\r\n", i) else i + 1
            yield i, j, "\n", "line-ending"
            i = j
            continue
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = text[i:j]
        if not cluster.isascii():
            nfc = unicodedata.normalize("NFC", cluster)
            if nfc != cluster:
                yield i, j, nfc, "nfc"
        i = j


def _layout_edits(text: str):
    edits = [(m.start(), m.end(), " ", "space") for m in _SPACE_RUN.finditer(text)]
    for m in _GLUED_WORDS.finditer(text):
        left = _WORD_LEFT.search(text, max(0, m.start() - 32), m.start())  # bounded: no quadratic scan
        right = _WORD_RIGHT.match(text, m.start())
        pair = (left.group() if left else "") + (right.group() if right else "")
        if len(left.group() if left else "") >= 2 and not pair.isascii():
            edits.append((m.start(), m.start(), "\n", "glued-boundary"))
    edits += [(m.start(), m.start(), "\n", "glued-sentence") for m in _GLUED_SENTENCE.finditer(text)]
    return sorted(edits)


def _apply(text: str, replacements: list[tuple[int, int, str, str]]) -> Normalised:
    out: list[str] = []
    edits: list[Edit] = []
    pos = shift = 0
    for start, end, new, reason in replacements:
        if start < pos:
            continue  # overlapping rule: the first one wins
        out.append(text[pos:start])
        edits.append(Edit(start + shift, start + shift + len(new), start, end, reason))
        out.append(new)
        shift += len(new) - (end - start)
        pos = end
    out.append(text[pos:])
    return Normalised("".join(out), edits)


def compose(first: list[Edit], second: list[Edit]) -> list[Edit]:
    """Edits from the original to text 2, given original->text 1 (``first``) and text 1->text 2."""
    back = OffsetMap(list(first))
    merged: list[Edit] = []
    for e in second:  # re-express text-1 spans of the second layer in original offsets
        start = back.to_original(e.orig_start)
        end = start if e.orig_end == e.orig_start else back.to_original(e.orig_end, end=True)
        merged.append(Edit(e.norm_start, e.norm_end, start, end, e.reason))
    # first-layer edits outside second-layer ones, shifted into text-2 offsets; sorted sweeps keep
    # this O(n log n) (a decomposed 1 MB text has hundreds of thousands of edits in each layer)
    by_start = sorted(second, key=lambda s: s.orig_start)
    starts = [s.orig_start for s in by_start]
    reach = list(accumulate((s.orig_end for s in by_start), max))  # furthest end among the first k
    by_end = sorted(second, key=lambda s: s.orig_end)
    ends = [s.orig_end for s in by_end]
    shift = [0, *accumulate((s.norm_end - s.norm_start) - (s.orig_end - s.orig_start) for s in by_end)]
    for e in first:
        j = bisect.bisect_left(starts, e.norm_end)  # second-layer edits starting before e ends
        if j and reach[j - 1] > e.norm_start:
            continue  # overlapped by a second-layer edit, which stands for it
        delta = shift[bisect.bisect_right(ends, e.norm_start)]
        merged.append(Edit(e.norm_start + delta, e.norm_end + delta, e.orig_start, e.orig_end, e.reason))
    return sorted(merged, key=lambda e: (e.norm_start, e.norm_end))


_SENTENCE_END = re.compile(r"[.!?…:;\"'”)]\s*$")


def find_title(text: str) -> tuple[int, int] | None:
    """The first line as title when it is short, has no sentence-final punctuation, and more follows."""
    first = text.lstrip()
    offset = len(text) - len(first)
    line_end = first.find("\n")
    if line_end <= 0:
        return None
    line = first[:line_end]
    stripped = line.lstrip("#").strip()
    if not stripped or len(stripped) > 200 or _SENTENCE_END.search(stripped):
        return None
    start = offset + line.index(stripped)
    return start, start + len(stripped)


_BYLINE = re.compile(rf"^[{_VI_UPPER}][{_VI_LOWER}]*(?: [{_VI_UPPER}][{_VI_LOWER}]*){{0,3}}$")


def find_byline(text: str) -> tuple[int, int] | None:
    """The last line as byline when it is one to four capitalised words (a name), after a body."""
    body = text.rstrip()
    line_start = body.rfind("\n") + 1
    if line_start == 0:
        return None
    line = body[line_start:].strip()
    if not _BYLINE.match(line) or len(line) > 40:
        return None
    start = line_start + body[line_start:].index(line)
    return start, start + len(line)
