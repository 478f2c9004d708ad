"""Encodings: every supported encoding of the same Vietnamese text reads back as that text, with the
encoding recorded, offsets leading back into the decoded original; undecodable bytes are errors."""
import shutil
import subprocess
import unicodedata

import pytest

from pipeline.encodings import _TCVN_HIGH, detect, is_syllable, syllable_share
from pipeline.errors import NotText, UndecodableText
from pipeline.ingest import read_document

TEXT = ("Cuộc đào tẩu chấn động của phi công Mig-25 Liên Xô\n"
        "Ngày 6/9/1976, trung úy Viktor Belenko hạ cánh ở Hakodate, Nhật Bản. "
        "Người dân xứ này nghiêng mình, giữa khuya, quyển sách ươm tơ.\n")

# The same text in VNI (Windows), written out by hand from VNI's published table (base letter, then
# a mark character: "aø" = à, "eä" = ệ, "ñ" = đ, "ô" = ơ, "ö" = ư), in Windows-1252 byte positions.
VNI = ("Cuoäc ñaøo taåu chaán ñoäng cuûa phi coâng Mig-25 Lieân Xoâ\n"
       "Ngaøy 6/9/1976, trung uùy Viktor Belenko haï caùnh ôû Hakodate, Nhaät Baûn. "
       "Ngöôøi daân xöù naøy nghieâng mình, giöõa khuya, quyeån saùch öôm tô.\n")

# TCVN3 (ABC) bytes of a few words, from the TCVN 5712:1993 VN3 table: "Việt Nam đẹp" and "Hà Nội".
TCVN3_BYTES = b"Vi\xd6t Nam \xae\xd1p. H\xb5 N\xe9i"


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("utf-32", "utf-32"),
    ("utf-16-le", None), ("utf-16-be", None),
])
def test_unicode_encodings(tmp_path, encoding, expected):
    data = TEXT.encode(encoding)
    if expected is None:  # UTF-16 without a byte-order mark: NUL bytes, refused as binary
        with pytest.raises(NotText, match="NUL byte"):
            read_document(write(tmp_path, "a.txt", data))
        return
    doc = read_document(write(tmp_path, "a.txt", data))
    assert doc.vi.text == TEXT
    assert doc.source.encoding == expected


def test_windows_1258_with_combining_tone_marks(tmp_path):
    # cp1258 has no precomposed "ộ": it is "ô" + a combining dot below; NFC composes it
    data = to_cp1258(TEXT)
    assert b"\xf2" in data  # the combining dot below of cp1258
    doc = read_document(write(tmp_path, "a.txt", data))
    assert doc.source.encoding == "cp1258"
    assert doc.vi.text == TEXT
    assert any(e.reason == "nfc" for e in doc.source.edits)
    _offsets_lead_back(doc)


def to_cp1258(text):
    """Windows-1258 encodes tones as combining marks: decompose what it has no precomposed form for."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tone = next(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            head = unicodedata.normalize("NFC", parts.replace(tone, ""))
            out += head.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def test_vni(tmp_path):
    doc = read_document(write(tmp_path, "a.txt", VNI.encode("cp1252")))
    assert doc.source.encoding == "vni"
    assert doc.vi.text == TEXT
    # the original is the file read one character per byte; the offset map leads back to the VNI letters
    start = doc.vi.text.index("Người")
    a, b = doc.source.offset_map.original_span(start, start + len("Người"))
    assert doc.source.original_text[a:b] == "Ngöôøi"
    assert VNI.encode("cp1252")[a:b] == "Ngöôøi".encode("cp1252")


def test_vni_upper_case():
    text, encoding = detect("VIEÄT NAM ÑAØ NAÜNG, Vieät Nam".encode("cp1252"))
    from pipeline.ingest import normalise

    assert encoding == "vni"
    assert normalise(text, legacy="vni").text == "VIỆT NAM ĐÀ NẴNG, Việt Nam"


def test_tcvn3(tmp_path):
    doc = read_document(write(tmp_path, "a.txt", TCVN3_BYTES))
    assert doc.source.encoding == "tcvn3"
    assert doc.vi.text == "Việt Nam đẹp. Hà Nội"
    # one character per byte: original offsets are byte offsets
    assert len(doc.source.original_text) == len(TCVN3_BYTES)


def test_tcvn3_upper_case_words_from_h_fonts():
    # ABC "H" fonts draw capitals on the lower-case codes: "VIÖT NAM" is "VIỆT NAM"
    text, encoding = detect(b"VI\xd6T NAM \xae\xd1p, H\xb5 N\xe9i")
    assert encoding == "tcvn3"
    assert text == "VIỆT NAM đẹp, Hà Nội"


@pytest.mark.skipif(shutil.which("iconv") is None, reason="iconv not installed")
def test_tcvn_table_matches_glibc():
    for byte in range(0xA0, 0x100):
        out = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=bytes([byte]),
                             capture_output=True, check=True).stdout.decode("utf-8")
        assert out == _TCVN_HIGH[byte - 0xA0], hex(byte)


def test_nfd_and_mixed_line_endings(tmp_path):
    first, second, last = unicodedata.normalize("NFD", TEXT).split("\n")
    nfd = f"{first}\r\n{second}\r{last}"
    doc = read_document(write(tmp_path, "a.txt", nfd.encode("utf-8")))
    assert doc.source.encoding == "utf-8"
    assert doc.vi.text == TEXT
    _offsets_lead_back(doc)


def _offsets_lead_back(doc):
    """Every normalised character maps into the original, where it came from (up to NFC)."""
    original, omap = doc.source.original_text, doc.source.offset_map
    for i, ch in enumerate(doc.vi.text):
        a, b = omap.original_span(i, i + 1)
        assert 0 <= a <= b <= len(original)
        if not any(e.norm_start <= i < e.norm_end for e in doc.source.edits):
            assert original[a:b] == ch


@pytest.mark.parametrize("data, error, words", [
    ("Việt Nam là".encode() + b"\xff" + "ở đây rồi".encode(), UndecodableText,
     "invalid UTF-8 at byte 14 (the rest is UTF-8: the file is damaged)"),
    ("café au lait, déjà vu".encode("cp1252"), UndecodableText, "no Vietnamese legacy encoding fits"),
    (bytes(range(1, 256)) * 4, NotText, "control characters (binary data)"),
    (b"abc\x00def", NotText, "NUL byte at offset 3"),
    (b"\xff\xfe\x00\xd8", UndecodableText, "invalid utf-16"),  # a lone surrogate after a BOM
])
def test_undecodable_is_an_error_not_mojibake(data, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        detect(data, "x.txt")


def test_random_bytes_never_decode_as_vietnamese():
    import random

    rng = random.Random(7)
    for _ in range(20):
        data = bytes(rng.choice(range(0x80, 0x100)) for _ in range(400))
        with pytest.raises((UndecodableText, NotText)):
            detect(data)


@pytest.mark.parametrize("word, ok", [
    ("nghiêng", True), ("người", True), ("khuya", True), ("quyển", True), ("giữa", True), ("Việt", True),
    ("gì", True), ("oẳng", True), ("ươm", True),
    ("viöt", False), ("café", False), ("việtt", False), ("tẩú", False), ("ñaøo", False), ("xyz", False),
    ("VIỆT", True), ("ViỆt", False), ("bÊt", False),  # case patterns: cp1258 read of TCVN3 "bất"
    ("ch\u0303u", False),  # a tone on a consonant
    ("lùc", False), ("mét", True), ("học", True), ("hoc\u0300", False),  # before c/ch/p/t: acute or dot only
    ("kú", False), ("kể", True), ("ghe", True), ("gha", False), ("ca", True), ("ce", False), ("gì", True),
    ("aun", False), ("ăn", True), ("ă", False), ("tiên", True), ("tiê", False), ("tia", True), ("tian", False),
])
def test_syllables(word, ok):
    assert is_syllable(word) is ok


def test_syllable_share_counts_only_non_ascii_words():
    assert syllable_share("Mig-25 bay qua Hà Nội, café") == (2, 3)


@pytest.mark.shared_data
def test_syllables_of_the_ud_vtb_treebank_are_syllables(shared_data):
    """The validator does not reject real Vietnamese: at least 99.5% of the treebank's non-ASCII
    syllables pass (the rest are abbreviations, loanwords and minority-language names)."""
    import re

    total = passed = 0
    for line in (shared_data / "ud-vtb" / "vi_vtb-ud-train.conllu").read_text("utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        for syllable in line.split("\t")[1].split(" "):
            if not syllable.isascii() and re.fullmatch(r"[^\W\d_]+", syllable):
                total += 1
                passed += is_syllable(syllable)
    assert total > 15000 and passed / total >= 0.995
