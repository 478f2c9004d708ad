"""Hostile input: every kind of bad file ends as an output or an error record, none stops or hangs a run."""
import json
import os
import signal
import unicodedata

import pytest

from pipeline.cli import main
from pipeline.ingest import MAX_BYTES
from pipeline.run import Runner, Settings, annotate
from pipeline.schema import validate
from pipeline.segment import MAX_SENTENCE_CHARS, split_long

from .conftest import SEED
from .test_encodings import TCVN3_BYTES, TEXT, VNI, to_cp1258
from .test_readers import PAGE


@pytest.mark.parametrize("text", [
    "phi công " * 400,  # spaces: cut at the last space before the limit
    "a" * 2500,  # no space at all: hard cuts
    "x" * 999 + " " + "y" * 1500,
    "e\u0301" * 1200,  # never cut before a combining mark
])
def test_split_long_sentences(text):
    text = text.strip()  # as sentence spans are
    spans = split_long(text, 0, len(text))
    assert all(0 < end - start <= MAX_SENTENCE_CHARS + 1 for start, end in spans)
    assert all(not text[s].isspace() and not text[e - 1].isspace() for s, e in spans)
    assert all(not text[s] == "\u0301" for s, _ in spans)
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "")
    assert [a for a, _ in spans] == sorted(a for a, _ in spans)


# ---- one run over a folder of every kind of bad input -------------------------------------------
GOOD = "Phi công Belenko hạ cánh ở Hakodate, Nhật Bản, ngày 6/9/1976.\n"

#: file name -> (bytes or a builder, expected status, expected code or encoding)
BAD_INPUTS = {
    "empty.txt": (b"", "error", "E106"),
    "blank.txt": (b"  \n\t \r\n  ", "error", "E106"),
    "bom-only.txt": (b"\xef\xbb\xbf", "error", "E106"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "error", "E104"),
    "nul-in-text.txt": (GOOD.encode() + b"\x00" + GOOD.encode(), "error", "E104"),
    "controls.txt": (bytes(range(1, 32)) * 20, "error", "E104"),
    "utf16-no-bom.txt": (GOOD.encode("utf-16-le"), "error", "E104"),
    "broken-utf8.txt": (GOOD.encode() + b"\xc3\x28\xff" + GOOD.encode(), "error", "E105"),
    "latin1-french.txt": ("Le pilote a atterri à Hakodate, déjà célèbre.".encode("latin-1"), "error", "E105"),
    "page-without-article.html": (b"<html><body><script>var x = 1;</script><form></form></body></html>",
                                  "error", "E109"),
    "no-text-column.csv": (b"id,body\n1,xin chao\n", "error", "E108"),
    "photo.jpg": (b"\xff\xd8\xff\xe0", "skipped", "E107"),
    # good ones, in every format and encoding
    "seed.txt": (SEED.read_bytes(), "ok", "utf-8"),
    "utf8-bom.md": (("# Tin ngắn\n\n" + GOOD).encode("utf-8-sig"), "ok", "utf-8-sig"),
    "utf16.txt": (GOOD.encode("utf-16"), "ok", "utf-16"),
    "utf32.txt": (GOOD.encode("utf-32"), "ok", "utf-32"),
    "cp1258.txt": (to_cp1258(TEXT), "ok", "cp1258"),
    "tcvn3.txt": (TCVN3_BYTES, "ok", "tcvn3"),
    "vni.txt": (VNI.encode("cp1252"), "ok", "vni"),
    "nfd-crlf.txt": (unicodedata.normalize("NFD", GOOD).replace("\n", "\r\n").encode(), "ok", "utf-8"),
    "long-line.txt": (("phi công bay " * 4200)[:50000].encode(), "ok", "utf-8"),
    "too-long.txt": (b"phi cong bay. " * 80000, "error", "E110"),  # 1,120,000 characters
    "page.html": (PAGE.format(charset="utf-8").encode(), "ok", "utf-8"),
    "sub/nested.txt": (GOOD.encode(), "ok", "utf-8"),
    "dir.txt/inside.txt": (GOOD.encode(), "ok", "utf-8"),  # a folder named like an article
}
ROWS = ('{"id": "r1", "text": "Máy bay Su-30 bay qua Hà Nội."}\n'
        '{"id": "r2", "text": ""}\n'
        'not json\n'
        '{"id": "../../escape", "text": "Phi công hạ cánh."}\n')
ROW_STATUS = {"rows__r1": "ok", "rows__r2": "error", "rows__3": "error", "rows__escape": "ok"}


@pytest.fixture()
def no_hang():
    """Fail instead of hanging (a FIFO read, a runaway tagger)."""
    def fail(*_):
        raise TimeoutError("the run hung")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(600)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def build_bad_folder(root):
    folder = root / "in"
    for name, (data, _, _) in BAD_INPUTS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (folder / "rows.jsonl").write_text(ROWS, "utf-8")
    with (folder / "huge.txt").open("wb") as fh:  # sparse: refused by its size before any read
        fh.truncate(MAX_BYTES + 1)
    os.symlink(folder / "nowhere.txt", folder / "broken-link.txt")
    os.symlink(folder / "seed.txt", folder / "link-to-seed.txt")
    os.symlink(folder, folder / "loop")  # a link back to the folder: listed, never entered
    os.mkfifo(folder / "pipe.txt")  # reading it would block forever
    (folder / "vanishing.txt").write_text(GOOD, "utf-8")
    (root / "scan.pdf").write_bytes(b"%PDF-1.4")  # named explicitly: an error, not a skip
    return folder


class VanishingRunner(Runner):
    """Deletes ``vanishing.txt`` just before reading it: a file that vanishes during the run."""

    def prepare(self, entry):
        if entry.path.name == "vanishing.txt":
            entry.path.unlink()
        return super().prepare(entry)


def expected_statuses():
    expected = {}
    for name, (_, status, code) in BAD_INPUTS.items():
        stem = name.rsplit(".", 1)[0].replace("/", "__")
        expected[stem] = (status, code if status != "ok" else None)
    expected.update({k: (v, "E108" if v == "error" else None) for k, v in ROW_STATUS.items()})
    expected.update({"huge": ("error", "E104"), "broken-link": ("error", "E103"), "link-to-seed": ("ok", None),
                     "loop": ("skipped", "E104"), "pipe": ("error", "E104"), "vanishing": ("error", "E103"),
                     "scan": ("error", "E107")})
    return expected


def test_every_bad_input_is_accounted_for(tmp_path, capsys, no_hang):
    folder = build_bad_folder(tmp_path)
    out = tmp_path / "out"
    settings = Settings(translate=False)
    report = annotate([folder, tmp_path / "scan.pdf"], out, settings, progress=False,
                      runner=VanishingRunner(settings))
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    got = {r["doc_id"]: (r["status"], r.get("code")) for r in manifest["documents"]}
    assert got == expected_statuses()
    assert manifest["complete"] is True
    assert len(report.records) == len(got)
    reasons = {r["doc_id"]: r.get("reason", "") for r in manifest["documents"]}
    assert "above the" in reasons["huge"] and "byte limit" in reasons["huge"]
    assert "not a regular file" in reasons["pipe"]
    assert "No such file" in reasons["vanishing"] and "No such file" in reasons["broken-link"]
    assert "line 3: invalid JSON" in reasons["rows__3"]
    assert "invalid UTF-8 at byte" in reasons["broken-utf8"]
    # the good ones: valid JSON with the encoding found, offsets that hold
    encodings = {name.rsplit(".", 1)[0].replace("/", "__"): enc
                 for name, (_, status, enc) in BAD_INPUTS.items() if status == "ok"}
    for doc_id, (status, _) in got.items():
        if status != "ok":
            assert not (out / f"{doc_id}.json").exists()
            continue
        data = json.loads((out / f"{doc_id}.json").read_text("utf-8"))
        validate(data)
        if doc_id in encodings:
            assert data["source"]["encoding"] == encodings[doc_id]
        text = data["vi"]["text"]
        for item in data["vi"]["sentences"] + data["vi"]["tokens"]:
            assert 0 <= item["start"] < item["end"] <= len(text)
        for m in data["vi"]["entities"]:
            assert text[m["start"]:m["end"]] == m["text"]
    long_line = json.loads((out / "long-line.json").read_text("utf-8"))
    assert max(s["end"] - s["start"] for s in long_line["vi"]["sentences"]) <= 1000
    assert json.loads((out / "vni.json").read_text("utf-8"))["vi"]["text"] == TEXT
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".vien-journal.jsonl", ".vien.lock"]

    # the command line on the same folder: exit code 1 with the count; the good ones come from the cache
    code = main(["annotate", str(folder), str(tmp_path / "scan.pdf"), "-o", str(out), "--no-translate",
                 "--no-progress"])
    stdout, stderr = capsys.readouterr()
    expected = expected_statuses()
    del expected["vanishing"]
    counts = {s: sum(v[0] == s for v in expected.values()) for s in ("ok", "error", "skipped")}
    assert code == 1
    assert (f"{counts['ok']} annotated ({counts['ok']} from the cache: unchanged), {counts['error']} failed, "
            f"{counts['skipped']} skipped") in stdout
    assert f"{counts['error']} of {counts['ok'] + counts['error']} documents failed" in stderr
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert all(r.get("cached") for r in manifest["documents"] if r["status"] == "ok")


def test_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text(GOOD, "utf-8")
    assert main(["annotate", str(good), "-o", str(tmp_path / "o"), "--no-translate", "--no-progress"]) == 0
    assert "1 annotated, 0 failed, 0 skipped" in capsys.readouterr().out
    assert main(["annotate", str(tmp_path / "missing"), "-o", str(tmp_path / "o"), "--no-translate"]) == 2
    assert main(["annotate", str(good), "-o", str(tmp_path / "o3"), "--model", "no-such-model", "--no-progress"]) == 3
    assert "[E201]" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["annotate", "-o", str(tmp_path / "o")])  # no input: argparse's usage error
    assert usage.value.code == 2
    capsys.readouterr()


def test_discovery_keeps_record_ids_unique(tmp_path):
    from pipeline.discover import discover

    (tmp_path / "a.jsonl").write_text('{"id": 1, "text": "x"}\n{"id": 1, "text": "y"}\n{"id": "a/1", "text": "z"}\n',
                                      "utf-8")
    (tmp_path / "a__1.txt").write_text("Phi công.", "utf-8")
    (tmp_path / "manifest.txt").write_text("Phi công.", "utf-8")
    ids = [e.doc_id for e in discover([tmp_path], reserved=["manifest"])]
    assert sorted(ids) == ["a__1", "a__1-2", "a__1-3", "a__a_1", "manifest-2"]


def test_a_document_that_now_fails_loses_its_old_output(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD, "utf-8")
    (folder / "b.txt").write_text(GOOD, "utf-8")
    out = tmp_path / "out"
    assert main(["annotate", str(folder), "-o", str(out), "--no-translate", "--no-progress"]) == 0
    (folder / "a.txt").write_bytes(b"\x00 now binary")
    (folder / "b.txt").rename(folder / "b.jpg")  # now a skipped file
    assert main(["annotate", str(folder), "-o", str(out), "--no-translate", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert not (out / "a.json").exists()
    # b.txt is gone: its output is kept but reported, and the manifest does not list it as an output
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["stale"] == ["b.json"] and "1 outputs in" in err and "stale" in err
    assert all(r["output"] is None for r in manifest["documents"])


def test_normalisation_is_not_quadratic():
    """A decomposed 300,000-character text full of odd spaces and glued words: seconds, not minutes
    (the edit composition was quadratic: 28,000 characters took 2 s, this took minutes)."""
    import time

    from pipeline.ingest import normalise

    text = unicodedata.normalize("NFD", "Phi công Belenko hạ cánh ở Nhật Bản.  Người\u00a0dân.Khi Hà NộiViệt ") * 5000
    start = time.monotonic()
    norm = normalise(text)
    assert time.monotonic() - start < 30
    assert "NộiViệt" not in norm.text and "  " not in norm.text
