import codecs
import unicodedata

import pytest

from pipeline.errors import EmptyDocument, NotText, UndecodableText, UnreadableFile, UnsupportedFormat
from pipeline.ingest import document_from_text, normalise, read_document

from .conftest import SEED


def roundtrip_holds(original: str) -> None:
    """Every normalised character maps back into the original, and unedited text is untouched."""
    doc = document_from_text(original, doc_id="t")
    omap = doc.source.offset_map
    text = doc.vi.text
    for e in doc.source.edits:
        assert 0 <= e.orig_start <= e.orig_end <= len(original)
    untouched = [i for i in range(len(text)) if not any(e.norm_start <= i < e.norm_end for e in doc.source.edits)]
    for i in untouched:
        assert original[omap.to_original(i)] == text[i]


@pytest.mark.parametrize("original, expected", [
    ("Liên XôCuộc đào tẩu", "Liên Xô\nCuộc đào tẩu"),
    ("bị radar phát hiện.Khi chiếc máy bay", "bị radar phát hiện.\nKhi chiếc máy bay"),
    ("không quân  Ai Cập.Duy Sơn", "không quân Ai Cập.\nDuy Sơn"),
    ("Viktor\u00a0 Belenko", "Viktor Belenko"),
    ("a\r\nb\rc", "a\nb\nc"),
    ("\ufeffXin chào", "Xin chào"),
    (unicodedata.normalize("NFD", "Việt Nam"), "Việt Nam"),
    # camel case that is not a glued boundary stays whole
    ("chiếc MiG-25 và iPhone của McDonnell Douglas", "chiếc MiG-25 và iPhone của McDonnell Douglas"),
    ("trang vnexpress.net đưa tin", "trang vnexpress.net đưa tin"),
])
def test_normalise_repairs(original, expected):
    assert normalise(original).text == expected
    roundtrip_holds(original)


def test_offset_map_recovers_original_surfaces():
    original = "Ngày 6/9/1976,\u00a0 trung\u00a0 úy Viktor\u00a0 Belenko bay.Khi hạ cánh ở Hakodate"
    doc = document_from_text(original, doc_id="t")
    text, omap = doc.vi.text, doc.source.offset_map
    for word, orig_surface in [("Viktor Belenko", "Viktor\u00a0 Belenko"), ("Hakodate", "Hakodate"),
                               ("Khi", "Khi"), ("6/9/1976", "6/9/1976")]:
        start = text.index(word)
        a, b = omap.original_span(start, start + len(word))
        assert original[a:b] == orig_surface


def test_seed_title_byline_and_glue(seed_doc):
    text = seed_doc.vi.text
    assert text[slice(*seed_doc.title)] == "Cuộc đào tẩu chấn động của phi công Mig-25 Liên Xô"
    assert text[slice(*seed_doc.byline)] == "Duy Sơn"
    for glued in ("XôCuộc", "hiện.Khi", "Cập.Duy"):
        assert glued not in text
    assert "\u00a0" not in text and "  " not in text


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_reads_bom_encodings(tmp_path, encoding):
    path = tmp_path / "a.txt"
    path.write_bytes("Phi công Belenko hạ cánh ở Nhật Bản.".encode(encoding))
    doc = read_document(path)
    assert doc.vi.text == "Phi công Belenko hạ cánh ở Nhật Bản."
    assert doc.source.encoding == encoding


@pytest.mark.parametrize("name, data, error, words", [
    ("empty.txt", b"", EmptyDocument, "has no text"),
    ("blank.txt", b"  \n\t\n", EmptyDocument, "has no text"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", NotText, "NUL byte"),
    ("latin.txt", "Vi\u1ec7t".encode("utf-8") + b"\xff\xfe garbage", UndecodableText, "invalid UTF-8 at byte 6"),
    ("page.pdf", b"%PDF-1.4", UnsupportedFormat, "unsupported file type '.pdf'"),
])
def test_bad_files_raise_clear_errors(tmp_path, name, data, error, words):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(error) as info:
        read_document(path)
    assert str(path) in str(info.value) and words in str(info.value)


def test_missing_and_directory(tmp_path):
    with pytest.raises(UnreadableFile, match="No such file"):
        read_document(tmp_path / "gone.txt")
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(NotText, match="it is a directory"):
        read_document(tmp_path / "dir.txt")


def test_seed_offsets_reach_original_bytes():
    doc = read_document(SEED)
    original = SEED.read_text("utf-8")
    assert doc.source.original_text == original
    assert doc.source.sha256 == __import__("hashlib").sha256(SEED.read_bytes()).hexdigest()
    roundtrip_holds(original)
    assert codecs.lookup(doc.source.encoding).name == "utf-8"
