"""Readers: HTML article extraction, JSONL and CSV records (one document per row, bad rows alone)."""
import json
import unicodedata

import pytest

from pipeline.errors import BadRecord, NoArticleText, UndecodableText, UnsupportedFormat
from pipeline.readers import ReadOptions, read_document, read_records

from .test_encodings import to_cp1258

PAGE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="{charset}"><title>Cuộc đào tẩu của phi công Mig-25</title>
<script>var tracking = "mã theo dõi không được xuất hiện";</script>
<style>body {{ color: red }}</style></head>
<body>
<nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/the-gioi">Thế giới</a></li>
<li><a href="/quan-su">Quân sự</a></li></ul></nav>
<article>
<h1>Cuộc đào tẩu chấn động của phi công Mig-25 Liên Xô</h1>
<p>Ngày 6/9/1976, trung úy Viktor Belenko lái chiếc Mig-25 hạ cánh xuống sân bay Hakodate, Nhật Bản,
khiến cả thế giới bất ngờ.</p>
<p>Chiếc tiêm kích bay thấp để tránh radar của Liên Xô và Nhật Bản, rồi hạ cánh khẩn cấp khi gần hết
nhiên liệu.</p>
<p>Giới chức Mỹ sau đó tháo rời chiếc máy bay để nghiên cứu, trước khi trả lại cho Liên Xô.</p>
</article>
<footer>© 2024 Báo điện tử. Liên hệ quảng cáo. Điều khoản sử dụng.</footer>
<script>document.write("quảng cáo bật lên")</script>
</body></html>
"""


@pytest.mark.parametrize("suffix, charset, encoding", [(".html", "utf-8", "utf-8"), (".htm", "windows-1258", None),
                                                       (".html", "iso-8859-1", None)])
def test_html_article_text_without_scripts_or_navigation(tmp_path, suffix, charset, encoding):
    page = PAGE.format(charset=charset)
    if encoding:
        data = page.encode(encoding)
    else:  # a Windows-1258 page (combining tone marks), declared right or wrong in <meta charset>
        data = to_cp1258(page)
    path = tmp_path / f"page{suffix}"
    path.write_bytes(data)
    doc = read_document(path)
    text = doc.vi.text
    assert doc.source.encoding == ("utf-8" if charset == "utf-8" else "cp1258")  # the bytes decide
    assert text[slice(*doc.title)] == "Cuộc đào tẩu chấn động của phi công Mig-25 Liên Xô"
    assert "trung úy Viktor Belenko" in text and "trả lại cho Liên Xô" in text
    for dropped in ("tracking", "mã theo dõi", "color: red", "Trang chủ", "Quân sự", "quảng cáo", "Điều khoản"):
        assert dropped not in text


def test_html_without_article(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><script>var a = 1;</script></head><body><form><input name='q'></form>"
                    "<script>document.write('quảng cáo')</script></body></html>", "utf-8")
    with pytest.raises(NoArticleText, match="no article text found"):
        read_document(path)


def test_read_document_refuses_multi_document_and_unknown_formats(tmp_path):
    for name in ("rows.jsonl", "table.csv", "scan.pdf"):
        (tmp_path / name).write_text("x", "utf-8")
        with pytest.raises(UnsupportedFormat):
            read_document(tmp_path / name)


def jsonl(*objects):
    return "".join((o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)) + "\n" for o in objects)


def test_jsonl_records_each_row_alone(tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_text(jsonl(
        {"id": "a1", "text": "Phi công Belenko hạ cánh ở Hakodate."},
        {"text": "Không có id: dùng số dòng."},
        "",  # a blank line is not a record
        "{not json",
        {"id": 7, "text": ""},
        {"id": "x/../../etc", "body": "no text field"},
        [1, 2],
        {"id": 9, "text": 42},
    ), "utf-8")
    source, records = read_records(path)
    assert source.encoding == "utf-8" and len(source.sha256) == 64 and source.size == path.stat().st_size
    assert [(r.key, r.where) for r in records] == [
        ("a1", "line 1"), ("2", "line 2"), ("4", "line 4"), ("7", "line 5"), ("x_.._.._etc", "line 6"),
        ("7", "line 7"), ("9", "line 8")]
    assert records[0].text == "Phi công Belenko hạ cánh ở Hakodate." and records[0].error is None
    assert records[1].text.startswith("Không có id")
    reasons = [str(r.error) for r in records[2:]]
    assert "line 4: invalid JSON" in reasons[0]
    assert "line 5 (id 7): the text is empty" in reasons[1]
    assert "line 6 (id x/../../etc): no 'text' field" in reasons[2]
    assert "line 7: a JSON list, not an object" in reasons[3]
    assert "line 8 (id 9): the 'text' field is int, not text" in reasons[4]
    assert all(isinstance(r.error, BadRecord) and r.error.code == "E108" for r in records[2:])
    doc = source.document(records[0], "news__a1")
    assert doc.doc_id == "news__a1" and doc.vi.text == records[0].text
    assert doc.source.path == str(path) and doc.source.sha256 == source.sha256


def test_jsonl_custom_columns(tmp_path):
    path = tmp_path / "n.jsonl"
    path.write_text(jsonl({"guid": "g-1", "body": "Máy bay Su-30 bay qua Hà Nội."}), "utf-8")
    _, records = read_records(path, ReadOptions(text_column="body", id_column="guid"))
    assert records[0].key == "g-1" and records[0].text == "Máy bay Su-30 bay qua Hà Nội."


def test_csv_records(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('id;title;text\n'
                    'a;T1;"Dòng một, có dấu phẩy;\nvà xuống dòng."\n'
                    '\n'
                    'b;T2;\n'
                    'c;T3\n'
                    'd;T4;Phi công hạ cánh.\n', "utf-8")
    _, records = read_records(path)
    assert [r.key for r in records] == ["a", "b", "c", "d"]
    assert records[0].text == "Dòng một, có dấu phẩy;\nvà xuống dòng."
    assert "row 2 (id b): the text is empty" in str(records[1].error)
    assert "row 3 (id c): no 'text' field" in str(records[2].error)
    assert records[3].text == "Phi công hạ cánh."


def test_csv_without_the_text_column_is_one_error(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,body\n1,xin chào\n", "utf-8")
    with pytest.raises(BadRecord, match=r"header: no column 'text' \(columns: id, body\)"):
        read_records(path)
    _, records = read_records(path, ReadOptions(text_column="body"))
    assert records[0].key == "1" and records[0].text == "xin chào"


def test_csv_long_field_and_legacy_encoding(tmp_path):
    path = tmp_path / "t.csv"
    long_text = "Phi công Belenko hạ cánh ở Nhật Bản. " * 5000  # above csv's default field size limit
    path.write_bytes(to_cp1258("id,text\n1," + long_text + "\n"))
    source, records = read_records(path)
    assert source.encoding == "cp1258"
    assert unicodedata.normalize("NFC", records[0].text) == long_text  # ingest composes the tone marks


def test_html_declared_charset_decides_only_when_the_bytes_do_not(tmp_path):
    path = tmp_path / "fr.html"
    page = ("<html><head><meta charset='iso-8859-1'><title>Le pilote</title></head><body><article>"
            + "<p>Le pilote sovi\u00e9tique a atterri \u00e0 Hakodate, d\u00e9j\u00e0 c\u00e9l\u00e8bre.</p>" * 5
            + "</article></body></html>")
    path.write_bytes(page.encode("latin-1"))
    doc = read_document(path)
    assert doc.source.encoding == "iso8859-1" and "soviétique" in doc.vi.text
    path.write_bytes(page.replace("iso-8859-1", "utf-8").encode("latin-1"))  # declared wrongly: an error
    with pytest.raises(UndecodableText):
        read_document(path)


def test_csv_delimiter_from_the_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id\ttext\n1\tHà Nội, Hải Phòng; Đà Nẵng | Huế\n", "utf-8")
    _, records = read_records(path)
    assert records[0].text == "Hà Nội, Hải Phòng; Đà Nẵng | Huế"


def test_long_ids_are_cut(tmp_path):
    path = tmp_path / "n.jsonl"
    path.write_text(json.dumps({"id": "x" * 500, "text": "Phi công."}) + "\n", "utf-8")
    _, records = read_records(path)
    assert records[0].key == "x" * 80


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_csv_as_spreadsheets_save_it(tmp_path, encoding):
    """Excel's "CSV UTF-8" has a byte-order mark; its "Unicode text" is tab-separated UTF-16."""
    path = tmp_path / "sheet.csv"
    delimiter = "\t" if encoding == "utf-16" else ","
    path.write_bytes(f"id{delimiter}text\r\n7{delimiter}Máy bay hạ cánh.\r\n".encode(encoding))
    source, records = read_records(path)
    assert source.encoding == encoding
    assert (records[0].key, records[0].text) == ("7", "Máy bay hạ cánh.")
