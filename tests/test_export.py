"""vien export parallel / entities: line counts, TMX validity, Pharaoh indices, entity tables."""
import csv
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.corpus import MENTION_PAIR_COLUMNS, load
from pipeline.errors import NotAnnotationOutput, OptionalDependencyMissing
from pipeline.export import export_entities, export_parallel, heading_sentences, sentence_pairs

from .handmade import FIXTURE_MODEL, _vien, belenko_doc, vi_only_doc, write_outputs

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture()
def handmade(tmp_path):
    return write_outputs(tmp_path / "outputs", belenko_doc(), vi_only_doc())


def _lines(path):
    return path.read_text("utf-8").split("\n")[:-1]


def _vi_sentence_count(outdir):
    """Vietnamese sentences of the translated documents (untranslated ones are not exported)."""
    corpus = load(outdir)
    translated = corpus.documents[corpus.documents.en_text.notna()].doc_id
    return len(corpus.sentences.query("side == 'vi'").loc[lambda s: s.doc_id.isin(translated)])


def test_moses_files_have_equal_line_counts_and_pharaoh_within_tokens(outdir, tmp_path):
    report = export_parallel(outdir, tmp_path / "corpus", "moses", alignments=True, keep_headings=True)
    vi, en, ids, align = (_lines(tmp_path / f"corpus.{ext}") for ext in ("vi", "en", "ids", "align"))
    assert len(vi) == len(en) == len(ids) == len(align) == report.written == _vi_sentence_count(outdir)
    assert report.written > 0
    links = 0
    for v, e, a in zip(vi, en, align):
        n_vi, n_en = len(v.split(" ")) if v else 0, len(e.split(" ")) if e else 0
        for link in a.split():
            i, j = map(int, link.split("-"))
            assert 0 <= i < n_vi and 0 <= j < n_en, (link, v, e)
            links += 1
    if load(outdir).documents.en_text.notna().any():
        assert links > 0


def test_moses_lines_are_the_json_sentences_and_tokens(handmade, tmp_path):
    export_parallel(handmade, tmp_path / "raw", "moses", keep_headings=True)
    assert _lines(tmp_path / "raw.vi")[0] == "Phi công Viktor Belenko hạ cánh chiếc Mig-25 ở Hakodate."
    assert _lines(tmp_path / "raw.en") == ["Pilot Viktor Belenko landed the MiG-25 in Hakodate.",
                                          "On 6 September 1976, the MiG-25 pilot flew 800 km.", ""]
    assert _lines(tmp_path / "raw.ids") == ["belenko\t0\t0", "belenko\t1\t1", "belenko\t2\t"]
    assert not (tmp_path / "raw.align").exists()
    export_parallel(handmade, tmp_path / "tok", "moses", alignments=True, keep_headings=True)
    assert _lines(tmp_path / "tok.vi")[1] == "Ngày 6/9/1976 , phi_công_Mig-25 bay 800_km ."
    assert _lines(tmp_path / "tok.en")[1] == "On 6 September 1976 , the MiG-25 pilot flew 800 km ."
    # the 5th Vietnamese word (800_km) is linked to the 10th and 11th English tokens (800, km)
    assert {"5-9", "5-10"} <= set(_lines(tmp_path / "tok.align")[1].split())


def test_skip_missing_and_flagged(handmade, tmp_path):
    report = export_parallel(handmade, tmp_path / "c", "moses", skip_missing=True, keep_headings=True)
    assert (report.written, report.skipped_missing, report.skipped_flagged) == (2, 1, 0)
    report = export_parallel(handmade, tmp_path / "c", "moses", skip_missing=True, skip_flagged=True,
                             keep_headings=True)
    assert (report.written, report.skipped_missing, report.skipped_flagged) == (1, 1, 1)
    assert _lines(tmp_path / "c.ids") == ["belenko\t0\t0"]
    assert len(_lines(tmp_path / "c.vi")) == len(_lines(tmp_path / "c.en")) == 1


def test_tmx_is_valid_xml_with_one_tu_per_pair(outdir, tmp_path):
    report = export_parallel(outdir, tmp_path / "c.tmx", "tmx", alignments=True, keep_headings=True)
    root = ET.parse(tmp_path / "c.tmx").getroot()
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    for attr in ("creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang", "srclang", "datatype"):
        assert header.get(attr), attr
    assert header.get("srclang") == "vi"
    tus = root.findall("body/tu")
    assert len(tus) == report.written == _vi_sentence_count(outdir)
    corpus = load(outdir)
    vi_texts = corpus.sentences.query("side == 'vi'").text.tolist()
    for tu, vi_text in zip(tus, vi_texts):
        tuvs = tu.findall("tuv")
        assert [t.get(XML_LANG) for t in tuvs] == ["vi", "en"]
        assert tuvs[0].findtext("seg") == vi_text
        tokens = [len(t.findtext("prop[@type='x-tokens']").split()) for t in tuvs]
        for link in (tu.findtext("prop[@type='x-alignment']") or "").split():
            i, j = map(int, link.split("-"))
            assert i < tokens[0] and j < tokens[1]


def test_tmx_escapes_markup_and_drops_xml_invalid_characters(tmp_path):
    doc = belenko_doc()
    en = doc["en"]["text"]
    doc["en"]["text"] = en.replace("Pilot", "P&<>\x0b", 1)  # same length: offsets still hold
    out = write_outputs(tmp_path / "outputs", doc)
    export_parallel(out, tmp_path / "c.tmx", "tmx", keep_headings=True)
    seg = ET.parse(tmp_path / "c.tmx").getroot().find("body/tu/tuv[2]/seg").text
    assert seg.startswith("P&<> Viktor Belenko")


def test_tsv_and_jsonl(handmade, tmp_path):
    export_parallel(handmade, tmp_path / "c.tsv", "tsv", alignments=True, keep_headings=True)
    df = pd.read_csv(tmp_path / "c.tsv", sep="\t", keep_default_na=False)
    assert list(df.columns) == ["doc_id", "vi_sentence", "en_sentence", "vi", "en", "flags", "alignment"]
    assert len(df) == 3 and df["flags"].tolist() == ["heading", "attention-post-edit", "unprojected-mention"]
    export_parallel(handmade, tmp_path / "c.jsonl", "jsonl", alignments=True, keep_headings=True)
    rows = [json.loads(line) for line in _lines(tmp_path / "c.jsonl")]
    assert len(rows) == 3
    assert rows[0]["vi_tokens"][:2] == ["Phi_công", "Viktor_Belenko"] and rows[0]["en_tokens"][0] == "Pilot"
    assert rows[2]["en"] is None and rows[2]["alignment"] == ""


def test_failed_export_leaves_no_partial_file(handmade, tmp_path):
    (handmade / "zzz.json").write_text("{not json", "utf-8")
    with pytest.raises(NotAnnotationOutput):
        export_parallel(handmade, tmp_path / "c", "moses")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outputs"]


def test_entities_csv_and_parquet_one_row_per_mention(outdir, tmp_path):
    documents, rows = export_entities(outdir, tmp_path / "e.csv", "csv")
    table = pd.read_csv(tmp_path / "e.csv", keep_default_na=False, na_values=[""])
    corpus = load(outdir)
    projected = corpus.mentions_en.aligns_to.notna().sum()
    assert rows == len(table) == len(corpus.mentions_vi) + len(corpus.mentions_en) - projected
    assert list(table.columns) == [name for name, _, _ in MENTION_PAIR_COLUMNS]
    assert documents == len(corpus)
    export_entities(outdir, tmp_path / "e.parquet", "parquet")
    parquet = pd.read_parquet(tmp_path / "e.parquet")
    assert list(parquet.columns) == list(table.columns) and len(parquet) == rows
    assert parquet.vi_text.dropna().tolist() == table.vi_text.dropna().tolist()


def test_entities_both_sides_on_one_row(handmade, tmp_path):
    export_entities(handmade, tmp_path / "e.csv", "csv")
    table = pd.read_csv(tmp_path / "e.csv")
    row = table[table.vi_text == "6/9/1976"].iloc[0]
    assert (row.en_text, row.method, json.loads(row.value)["iso"]) == ("6 September 1976", "name-match", "1976-09-06")


def test_parquet_without_pyarrow_says_what_to_install(handmade, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # what `import pyarrow` meets where it is absent
    with pytest.raises(OptionalDependencyMissing, match="pyarrow") as err:
        export_entities(handmade, tmp_path / "e.parquet", "parquet")
    assert "pip install 'vien[parquet]'" in str(err.value)
    assert not (tmp_path / "e.parquet").exists()


def test_cli_export(handmade, tmp_path, capsys):
    assert main(["export", "parallel", str(handmade), "--format", "moses", "-o", str(tmp_path / "c"),
                 "--alignments", "--skip-missing"]) == 0
    out, err = capsys.readouterr()
    assert "1 sentence pairs from 1 documents (1 skipped without translation, 0 flagged, 1 headings left out)" in out
    assert "warning: 1 of 2 documents have no English side (annotated with --no-translate) and were skipped" in err
    assert main(["export", "entities", str(handmade), "-o", str(tmp_path / "e.csv")]) == 0
    assert "8 mentions from 2 documents" in capsys.readouterr().out
    assert main(["export", "parallel", str(tmp_path / "nope"), "-o", str(tmp_path / "x")]) == 2
    assert "error: [E410]" in capsys.readouterr().err
    monkeypatch = pytest.MonkeyPatch()
    with monkeypatch.context() as m:
        m.setitem(sys.modules, "pyarrow", None)
        assert main(["export", "entities", str(handmade), "--format", "parquet", "-o", str(tmp_path / "e.pq")]) == 2
    err = capsys.readouterr().err
    assert "[E412]" in err and "vien[parquet]" in err


# ---- a parallel corpus without noise (issue 16 item 4) ---------------------------------------------
WIKI = ("Tên miền giáo dục\n\n.edu là một tên miền cấp cao nhất dùng cho các tổ chức giáo dục.\n\n"
        "== Lịch sử ==\nTên miền ra đời vào năm 1985 tại Hoa Kỳ.\n\n## Xem thêm\nCác tên miền khác.\n")


@pytest.fixture(scope="module")
def wiki_outputs(tmp_path_factory):
    """A Wikipedia-style article with a title and headings, annotated by the real pipeline."""
    base = tmp_path_factory.mktemp("wiki")
    (base / "edu.txt").write_text(WIKI, "utf-8")
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(base / "argos-packages")}
    _vien(["models", "install", "--file", str(FIXTURE_MODEL)], env)
    _vien(["annotate", str(base / "edu.txt"), "-o", str(base / "outputs"), "--no-progress", "--model", "vien_fixture"],
          env)
    return base / "outputs"


@pytest.mark.skipif(not FIXTURE_MODEL.exists(), reason="the fixture translation package is not built")
def test_headings_and_title_left_out_unless_kept(wiki_outputs, tmp_path):
    record = json.loads((wiki_outputs / "edu.json").read_text("utf-8"))
    vi = record["vi"]
    texts = {s["id"]: vi["text"][s["start"]:s["end"]] for s in vi["sentences"]}
    headings = heading_sentences(record)
    assert sorted(texts[k] for k in headings) == ["## Xem thêm", "== Lịch sử ==", "Tên miền giáo dục"]
    report = export_parallel(wiki_outputs, tmp_path / "c", "moses")
    assert report.skipped_headings == 3 and report.written == len(texts) - 3
    assert not set(_lines(tmp_path / "c.vi")) & {texts[k] for k in headings}
    report = export_parallel(wiki_outputs, tmp_path / "k.jsonl", "jsonl", keep_headings=True)
    rows = [json.loads(line) for line in _lines(tmp_path / "k.jsonl")]
    assert report.skipped_headings == 0 and len(rows) == len(texts)
    assert sorted(r["vi"] for r in rows if "heading" in r["flags"]) == sorted(texts[k] for k in headings)


def test_untranslated_articles_skipped_and_counted(tmp_path, capsys):
    outdir = write_outputs(tmp_path / "outputs", belenko_doc(), vi_only_doc(), vi_only_doc("tin-ngan-2"))
    report = export_parallel(outdir, tmp_path / "c", "moses", keep_headings=True)
    assert (report.documents, report.untranslated_documents, report.written) == (3, 2, 3)
    assert {line.split("\t")[0] for line in _lines(tmp_path / "c.ids")} == {"belenko"}
    assert main(["export", "parallel", str(outdir), "-o", str(tmp_path / "d")]) == 0
    assert "warning: 2 of 3 documents have no English side" in capsys.readouterr().err


def test_tsv_round_trips_through_pandas_and_csv(tmp_path):
    doc = belenko_doc()
    en, vi = doc["en"]["text"], doc["vi"]["text"]
    doc["en"]["text"] = en.replace("Pilot", '"Pil"', 1)  # fields that begin with a quote; same lengths
    doc["vi"]["text"] = vi.replace("Ngày", '"Ng"', 1)
    out = write_outputs(tmp_path / "outputs", doc)
    export_parallel(out, tmp_path / "c.tsv", "tsv", keep_headings=True)
    expected = [(" ".join(p.vi.split()), " ".join((p.en or "").split())) for p in sentence_pairs(doc)]
    assert expected[0][1].startswith('"Pil"') and expected[1][0].startswith('"Ng"')
    with open(tmp_path / "c.tsv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    assert [(r[3], r[4]) for r in rows[1:]] == expected
    plain = pd.read_csv(tmp_path / "c.tsv", sep="\t")  # what the issue found garbled
    assert plain.vi.tolist() == [vi for vi, _ in expected]
    assert plain.en.fillna("").tolist() == [en for _, en in expected]
    assert plain.vi_sentence.tolist() == [0, 1, 2]


# ---- what the files are like on disk ----------------------------------------------------------------
def test_exported_files_get_the_mode_of_ordinary_files_under_umask_022(handmade, tmp_path):
    """mkstemp made every export owner-only (0600): a colleague or a web server could not read it."""
    old = os.umask(0o022)
    try:
        out = tmp_path / "out"
        export_parallel(handmade, out / "c", "moses", alignments=True)
        for fmt in ("tsv", "tmx", "jsonl"):
            export_parallel(handmade, out / f"c.{fmt}", fmt)
        export_entities(handmade, out / "e.csv")
        assert main(["export", "spacy", str(handmade), "-o", str(out / "c.spacy")]) == 0
        assert main(["export", "conll", str(handmade), "-o", str(out / "c.conll")]) == 0
        assert main(["view", str(handmade / "belenko.json"), "-o", str(out / "v.html")]) == 0
    finally:
        os.umask(old)
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in out.iterdir()}
    assert len(modes) == 11 and set(modes.values()) == {"0o644"}, modes


def test_a_long_output_name_fits(handmade, tmp_path):
    name = "c" * 240  # the temporary file's name was the output's plus 15 bytes: above 255
    export_parallel(handmade, tmp_path / f"{name}.tsv", "tsv")
    assert (tmp_path / f"{name}.tsv").stat().st_size > 0


def _can_mount() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0
    except OSError:
        return False


@pytest.mark.skipif(not _can_mount(), reason="needs `unshare -rm` (user namespaces) to mount a tmpfs")
@pytest.mark.parametrize("options, reason", [("ro,size=64k", "Read-only file system"),
                                             ("size=8k", "No space left on device")], ids=["read-only", "full"])
def test_export_to_a_read_only_or_full_disk_is_a_catalogue_error(tmp_path, options, reason):
    outputs = write_outputs(tmp_path / "outputs", *(belenko_doc(f"doc-{i}") for i in range(40)))  # ~40 kB out
    out = tmp_path / "mnt"
    out.mkdir()
    script = (f'mount -t tmpfs -o {options} tmpfs "$OUT"\n'
              '"$PY" -m pipeline export parallel "$IN" --format jsonl --keep-headings -o "$OUT/c.jsonl" || echo "rc=$?"\n'
              'echo "files left: $(find "$OUT" -type f | wc -l)"')
    done = subprocess.run(["unshare", "-rm", "sh", "-ec", script], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PY": sys.executable, "IN": str(outputs), "OUT": str(out)})
    assert "rc=2" in done.stdout and "files left: 0" in done.stdout, (done.stdout, done.stderr)
    assert f"[E403] {out / 'c.jsonl'}: cannot write the outputs here: {reason}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
