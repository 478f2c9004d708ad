"""Encodings: find how an article's bytes encode Vietnamese, and decode them without guessing.

Detection, in order (``detect``):

1. a byte-order mark: UTF-8, UTF-16 or UTF-32;
2. a NUL byte means binary data (``NotText``); so do control bytes above 1% of the file;
3. strict UTF-8;
4. bytes that are mostly well-formed UTF-8 with some broken sequences are damaged UTF-8
   (``UndecodableText``): a legacy single-byte text almost never forms valid multi-byte sequences;
5. otherwise each legacy Vietnamese encoding is tried — Windows-1258, TCVN3 (ABC) and VNI — and
   scored by the share of its non-ASCII words that are well-formed Vietnamese syllables
   (``syllable_share``). The best one wins when at least ``MIN_SYLLABLE_SHARE`` of those words
   are syllables; otherwise the text cannot be decoded (``UndecodableText``), never mojibake.
   The score is taken on the first ``SAMPLE_BYTES`` of a file. A text with fewer than about five
   non-ASCII words can be ambiguous (TCVN3 "cụng" reads "công" in Windows-1258): ties go to
   Windows-1258, then TCVN3, then VNI.

Legacy tables and their sources:

* Windows-1258: Python's ``cp1258`` codec (Microsoft's table). Its tone marks are combining
  characters; ingest composes them (NFC).
* TCVN3 (ABC), TCVN 5712:1993 VN3: single-byte. Bytes 0xA0-0xFF follow TCVN 5712:1993 VN1 as
  tabled by GNU libc's ``TCVN5712-1`` charmap (``_TCVN_HIGH`` below is that table, checked by a
  test against ``iconv`` where it exists). VN3 drops VN1's upper-case toned letters at 0x01-0x17
  and 0x80-0x9F: there, Windows-1252 punctuation is read (Windows fonts), control codes stay.
  ABC fonts write upper case toned letters with a separate "H" font on the lower-case codes, so a
  word with at least two ASCII capitals and no ASCII lower case is upper-cased ("VIÖT" -> "VIỆT").
* VNI (Windows): a base letter followed by a mark character, in Windows-1252 positions
  ("Vieät" = "Việt"). The table follows VNI's published layout (and the Unicode<->VNI table of the
  ``vietnamese-conversion`` npm package, which agrees). VNI text decodes to its Windows-1252 reading
  (one character per byte, so offsets are byte offsets) and ``vni_edits`` lists the letters it
  composes; ingest applies them as normalisation edits, so the offset map leads to the bytes.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .errors import NotText, UndecodableText

MIN_SYLLABLE_SHARE = 0.6
SAMPLE_BYTES = 65536
LEGACY = ("cp1258", "tcvn3", "vni")

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)

# TCVN 5712:1993 (VN1) for 0xA0-0xFF, from glibc's TCVN5712-1 charmap.
_TCVN_HIGH = (
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽéẹềểễếệìỉỄẾỒĩíịò"
    "ỔỏõóọồổỗốộờởỡớợùỖủũúụừửữứựỳỷỹýỵỐ"
)
assert len(_TCVN_HIGH) == 96


def _cp1252_byte(b: int) -> str:
    try:
        return bytes([b]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: undefined in Windows-1252
        return chr(b)


_CP1252 = "".join(_cp1252_byte(b) for b in range(256))
_TCVN3 = _CP1252[:0xA0] + _TCVN_HIGH
_H_FONT_WORD = re.compile(r"[^\W\d_]{2,}")

# VNI: mark characters (lower-case form; the upper-case form means the same) -> combining marks.
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT, _CIRC, _BREVE = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323", "\u0302", "\u0306"
_VNI_TONES = {"ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
_VNI_CIRC = {"â": "", "á": _ACUTE, "à": _GRAVE, "å": _HOOK, "ã": _TILDE, "ä": _DOT}
_VNI_BREVE = {"ê": "", "é": _ACUTE, "è": _GRAVE, "ú": _HOOK, "ü": _TILDE, "ë": _DOT}
_VNI_LETTERS = {"ñ": "đ", "ô": "ơ", "ö": "ư", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}


def _vni_mark(base: str, mark: str) -> str | None:
    """The combining marks that VNI ``mark`` puts on ``base`` (both Windows-1252 characters)."""
    low, m = base.lower(), mark.lower()
    if low in "aeouy" and m in _VNI_TONES:
        return _VNI_TONES[m]
    if low in "aeo" and m in _VNI_CIRC:
        return _CIRC + _VNI_CIRC[m]
    if low == "a" and m in _VNI_BREVE:
        return _BREVE + _VNI_BREVE[m]
    if low in "ôö" and m in _VNI_TONES:  # ơ, ư with a tone
        return _VNI_TONES[m]
    return None


def vni_edits(text: str):
    """``(start, end, unicode, "vni")`` for every VNI letter of ``text`` (its Windows-1252 reading)."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isascii() and ch.lower() not in "aeouy":
            i += 1
            continue
        mark = _vni_mark(ch, text[i + 1]) if i + 1 < n else None
        base = _VNI_LETTERS.get(ch.lower(), ch.lower())
        if mark is not None:
            letter = unicodedata.normalize("NFC", base + mark)
            yield i, i + 2, letter.upper() if ch.isupper() else letter, "vni"
            i += 2
            continue
        if ch.lower() in _VNI_LETTERS:
            yield i, i + 1, base.upper() if ch.isupper() else base, "vni"
        i += 1


def vni_to_unicode(text: str) -> str:
    out, pos = [], 0
    for start, end, new, _ in vni_edits(text):
        out += [text[pos:start], new]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def decode_tcvn3(data: bytes) -> str:
    text = "".join(_TCVN3[b] for b in data)
    return _H_FONT_WORD.sub(_upper_h_font_word, text)


def _upper_h_font_word(m: re.Match) -> str:
    word = m.group()
    ascii_letters = [c for c in word if c.isascii()]
    if sum(c.isupper() for c in ascii_letters) >= 2 and not any(c.islower() for c in ascii_letters):
        return word.upper()
    return word


def decode_cp1252_bytes(data: bytes) -> str:
    """One character per byte: Windows-1252, with its five undefined bytes as C1 controls."""
    return "".join(_CP1252[b] for b in data)


# ---- Vietnamese syllables ------------------------------------------------------------------
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_STOP_TONES = {"", "\u0301", "\u0323"}  # a syllable ending in c, ch, p, t takes only these
_ONSETS = ("ngh ng nh gh gi kh ph qu th tr ch b c d đ g h k l m n p r s t v x").split()
_NUCLEI = sorted((
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi oo ôi ơi ua uâ uê ui uô uơ "
    "uy ưa ưi ưu ươ yê iêu oai oao oay oeo uây uôi uya uyê uyu ươi ươu yêu"
).split(), key=len, reverse=True)
_CODAS = ("", "c", "ch", "m", "n", "ng", "nh", "p", "t")
# nuclei that end the syllable (off-glides, open diphthongs) and nuclei that need a final consonant
_NO_CODA = set("ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu iêu oai oao oay oeo uây uôi uya uyu ươi ươu "
               "yêu".split())
_NEEDS_CODA = set("ă â iê oă uâ uô ươ yê uyê".split())
_FRONT = "eêiy"
_WORD = re.compile(r"[^\s!-/:-@\[-`{-~“”‘’–—…«»]+")


@lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """Whether ``word`` is a well-formed Vietnamese syllable: one of the case patterns
    (``việt``, ``Việt``, ``VIỆT``), an onset, a nucleus and a coda that go together (``k``/``gh``
    only before e, ê, i, y; no coda after an off-glide), and at most one tone mark, on a vowel,
    acute or dot below before c, ch, p, t."""
    if not (word.islower() or word.isupper() or (word[:1].isupper() and word[1:].islower())):
        return False
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) > 1:
        return False
    if tones:
        before = decomposed[:decomposed.index(tones[0])].rstrip("\u0302\u0306\u031b")
        if not before or before[-1] not in "aeiouy":
            return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    tone = tones[0] if tones else ""
    return any(_fits(onset, bare[len(onset):], tone) for onset in ("", *_ONSETS) if bare.startswith(onset))


def _fits(onset: str, rest: str, tone: str) -> bool:
    for nucleus in _NUCLEI:
        if not rest.startswith(nucleus):
            continue
        coda = rest[len(nucleus):]
        if coda not in _CODAS or (coda and nucleus in _NO_CODA) or (not coda and nucleus in _NEEDS_CODA):
            continue
        if coda in ("c", "ch", "p", "t") and tone not in _STOP_TONES:
            continue
        first = nucleus[0]
        if onset in ("k", "gh", "ngh") and first not in _FRONT:
            continue
        if (onset in ("c", "ng") and first in _FRONT) or (onset == "g" and first in "eê"):
            continue
        return True
    return False


def syllable_share(text: str) -> tuple[int, int]:
    """``(syllables, words)`` over the words of ``text`` that have a non-ASCII character.

    ASCII words read the same in every candidate encoding, so only the others tell them apart.
    """
    words = [w for w in _WORD.findall(unicodedata.normalize("NFC", text)) if not w.isascii()]
    return sum(is_syllable(w) for w in words), len(words)


# ---- detection -----------------------------------------------------------------------------
@dataclass
class Candidate:
    encoding: str
    syllables: int
    words: int

    @property
    def share(self) -> float:
        return self.syllables / self.words if self.words else 0.0


def _decode_as(data: bytes, encoding: str) -> str:
    """The text (VNI: its Windows-1252 reading, composed later by ingest). Raises ``UnicodeDecodeError``."""
    if encoding == "cp1258":
        return data.decode("cp1258")
    if encoding == "tcvn3":
        return decode_tcvn3(data)
    return decode_cp1252_bytes(data)


def _legacy_candidates(sample: bytes) -> list[Candidate]:
    found = []
    for encoding in LEGACY:
        try:
            text = _decode_as(sample, encoding)
        except UnicodeDecodeError:
            continue
        found.append(Candidate(encoding, *syllable_share(vni_to_unicode(text) if encoding == "vni" else text)))
    return found


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def detect(data: bytes, path: str = "") -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding)``. See the module docstring for the rules.

    Raises ``NotText`` for binary data and ``UndecodableText`` when no encoding fits.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                # a UTF-8 BOM is kept (as Python's ``open`` reads it); normalisation removes it
                return data.decode("utf-8" if encoding == "utf-8-sig" else encoding), encoding
            except UnicodeDecodeError as exc:
                raise UndecodableText(path=path, reason=f"invalid {encoding} at byte {exc.start}") from exc
    nul = data.find(b"\x00")
    if nul >= 0:
        raise NotText(path=path, reason=f"NUL byte at offset {nul} (binary data)")
    controls = len(_CONTROL_BYTES.findall(data))  # the same in every ASCII-compatible encoding
    if controls > max(3, len(data) // 100):
        raise NotText(path=path, reason=f"{controls} control characters (binary data)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        return _decode_legacy(data, path, exc)


def _decode_legacy(data: bytes, path: str, exc: UnicodeDecodeError) -> tuple[str, str]:
    utf8_error = f"invalid UTF-8 at byte {exc.start}"
    sequences = len(_UTF8_SEQUENCE.findall(data))
    broken = data.decode("utf-8", errors="replace").count("\ufffd") - data.count(b"\xef\xbf\xbd")
    if sequences and broken <= sequences:
        raise UndecodableText(path=path, reason=f"{utf8_error} (the rest is UTF-8: the file is damaged)")
    sample = data
    if len(data) > SAMPLE_BYTES:  # scored on a sample: enough words, and bounded time on a big file
        cut = data.rfind(b" ", 0, SAMPLE_BYTES)
        sample = data[:cut if cut > 0 else SAMPLE_BYTES]
    candidates = _legacy_candidates(sample)
    best = max(candidates, key=lambda c: (c.share, -LEGACY.index(c.encoding)), default=None)
    if best is None or best.share < MIN_SYLLABLE_SHARE:
        scores = ", ".join(f"{c.encoding} {c.syllables}/{c.words}" for c in candidates) or "none decodes"
        raise UndecodableText(
            path=path, reason=f"{utf8_error}, and no Vietnamese legacy encoding fits "
                              f"(Vietnamese syllables among non-ASCII words: {scores})")
    try:
        return _decode_as(data, best.encoding), best.encoding
    except UnicodeDecodeError as exc2:
        raise UndecodableText(path=path, reason=f"{utf8_error}, and invalid {best.encoding} at byte {exc2.start}") from exc2
