"""Inputs and output folders that broke a run (issue 15): every article still ends as exactly one
output or one recorded error, and the run ends with a complete manifest and the right exit code."""
import json
import os
import subprocess
import sys
import time

import pytest

from pipeline.cli import main

from .conftest import ROOT
from .test_robustness import GOOD


def annotate_cli(capsys, *args):
    code = main(["annotate", *[str(a) for a in args], "--no-translate", "--no-progress"])
    out, err = capsys.readouterr()
    return code, out, err


def manifest_of(out):
    return json.loads((out / "manifest.json").read_text("utf-8"))


def test_a_file_name_that_is_not_utf8_is_annotated_and_resumes(tmp_path, capsys):
    """Defect 3: the journal could not encode the name, so the run crashed, and every re-run too."""
    folder = tmp_path / "in"
    folder.mkdir()
    with open(os.fsencode(folder) + b"/H\xe0 N\xf4i.txt", "w", encoding="utf-8") as fh:
        fh.write(GOOD)
    (folder / "ok.txt").write_text(GOOD, "utf-8")
    out = tmp_path / "out"
    code, stdout, _ = annotate_cli(capsys, folder, "-o", out)
    assert code == 0 and "2 annotated" in stdout
    records = {r["doc_id"]: r for r in manifest_of(out)["documents"]}
    assert set(records) == {"H\\xe0 N\\xf4i", "ok"}
    assert records["H\\xe0 N\\xf4i"]["input"].endswith("H\\xe0 N\\xf4i.txt")
    data = json.loads((out / "H\\xe0 N\\xf4i.json").read_text("utf-8"))
    assert data["source"]["path"].endswith("H\\xe0 N\\xf4i.txt")
    code, stdout, _ = annotate_cli(capsys, folder, "-o", out)
    assert code == 0
    assert all(r.get("cached") for r in manifest_of(out)["documents"])


def test_long_names_get_outputs_that_fit_the_filesystem(tmp_path, capsys):
    """Defect 4: 40 nested folders make a doc id over 255 bytes (the run crashed on its error path);
    a 240-byte file name failed with E999 because the temporary file's name passed 255 bytes."""
    folder = tmp_path / "in"
    deep = folder.joinpath(*[f"muc-{i:02d}" for i in range(40)])
    deep.mkdir(parents=True)
    (deep / "bai.txt").write_text(GOOD, "utf-8")
    (folder / ("ư" * 118 + ".txt")).write_text(GOOD, "utf-8")  # 236 bytes + .txt
    out = tmp_path / "out"
    code, stdout, _ = annotate_cli(capsys, folder, "-o", out)
    assert code == 0 and "2 annotated, 0 failed" in stdout
    manifest = manifest_of(out)
    assert manifest["complete"] is True
    for record in manifest["documents"]:
        assert len(record["doc_id"].encode()) + len(".json") > 240  # the id is kept whole; the file name is cut
        assert len(record["output"].encode()) <= 240
        assert json.loads((out / record["output"]).read_text("utf-8"))["doc_id"] == record["doc_id"]
    assert annotate_cli(capsys, folder, "-o", out)[0] == 0
    assert all(r.get("cached") for r in manifest_of(out)["documents"])


@pytest.mark.parametrize("where, reason", [("file", "it is a file, not a folder"),
                                           ("file/under", "a folder on its path is a file")])
def test_an_output_path_that_is_a_file_is_a_usage_error(tmp_path, capsys, where, reason):
    """Defect 7: ``-o`` naming a file, or a path under one, gave a traceback."""
    (tmp_path / "good.txt").write_text(GOOD, "utf-8")
    (tmp_path / "file").write_text("not a folder", "utf-8")
    code, _, err = annotate_cli(capsys, tmp_path / "good.txt", "-o", tmp_path / where)
    assert code == 2
    assert f"[E403] {tmp_path / where}: cannot write the outputs here: {reason}" in err
    assert "Traceback" not in err


def can_mount_in_a_namespace() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0
    except OSError:
        return False


needs_mounts = pytest.mark.skipif(not can_mount_in_a_namespace(),
                                  reason="needs `unshare -rm` (user namespaces) to mount a small tmpfs")


def in_namespace(script: str, **env) -> subprocess.CompletedProcess:
    """Run ``script`` (sh) where it may mount filesystems: a user and mount namespace of its own."""
    return subprocess.run(["unshare", "-rm", "sh", "-ec", script], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PY": sys.executable, **env}, timeout=600)


@needs_mounts
def test_a_read_only_output_folder_is_refused_before_any_work(tmp_path):
    """Defect 7: a read-only output folder gave a traceback."""
    (tmp_path / "good.txt").write_text(GOOD, "utf-8")
    (tmp_path / "out").mkdir()
    done = in_namespace('mount -t tmpfs -o ro,size=64k tmpfs "$OUT"\n'
                        '"$PY" -m pipeline annotate "$IN" -o "$OUT" --no-translate --no-progress || echo "rc=$?"',
                        IN=str(tmp_path / "good.txt"), OUT=str(tmp_path / "out"))
    assert "rc=2" in done.stdout, done.stderr
    assert f"[E403] {tmp_path / 'out'}: cannot write the outputs here: Read-only file system" in done.stderr
    assert "Traceback" not in done.stderr


@needs_mounts
def test_a_full_disk_stops_the_run_once_and_it_resumes(tmp_path):
    """Defect 7: on a full disk every article failed with E999 "this is a bug", then writing the
    manifest crashed. Now the run stops at the first failed write (exit 5, one message), and the
    same command resumes once there is space, keeping the articles it had finished."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(40):
        (folder / f"a{i:02d}.txt").write_text(f"Bài {i}. {GOOD}", "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    run = '"$PY" -m pipeline annotate "$IN" -o "$OUT" --no-translate --no-progress --executor local'
    done = in_namespace(f'mount -t tmpfs -o size=96k tmpfs "$OUT"\n'
                        f'{run} 2> "$LOGS/first.err" || echo "first=$?"\n'
                        f'ls -A "$OUT" > "$LOGS/first.ls"\n'
                        f'mount -o remount,size=4m "$OUT"\n'
                        f'{run} > "$LOGS/second.out" 2>&1 || echo "second=$?"\n'
                        f'cp "$OUT/manifest.json" "$LOGS/manifest.json"',
                        IN=str(folder), OUT=str(out), LOGS=str(tmp_path))
    assert "first=5" in done.stdout and "second" not in done.stdout, done.stderr
    first = (tmp_path / "first.err").read_text("utf-8")
    assert first.count("[E404]") == 1 and "No space left on device" in first
    assert "E999" not in first and "Traceback" not in first
    finished = [n for n in (tmp_path / "first.ls").read_text("utf-8").split() if n.startswith("a")]
    assert 0 < len(finished) < 40
    manifest = json.loads((tmp_path / "manifest.json").read_text("utf-8"))
    assert manifest["complete"] is True and manifest["counts"]["ok"] == 40
    cached = {r["output"] for r in manifest["documents"] if r.get("cached")}
    # every article the first run recorded is reused; one whose output was written but whose journal
    # line was not (the disk filled between the two) is annotated again
    assert cached <= set(finished) and len(set(finished) - cached) <= 1 and cached


def test_the_input_folder_as_output_folder_reads_no_outputs(tmp_path, capsys):
    """Defect 10, with ``-o`` the input folder itself: its outputs and manifest were listed as
    skipped inputs on every run after the first."""
    (tmp_path / "a.txt").write_text(GOOD, "utf-8")
    assert annotate_cli(capsys, tmp_path, "-o", tmp_path)[0] == 0
    code, stdout, err = annotate_cli(capsys, tmp_path, "-o", tmp_path)
    assert code == 0 and "1 annotated (1 from the cache: unchanged), 0 failed, 0 skipped" in stdout
    assert "skipped" not in err


def test_files_without_records_are_errors_not_silence(tmp_path, capsys):
    """Defect 9: a header-only CSV, a 0-byte or blank-only JSONL vanished from the manifest."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "header.csv").write_text("id,text\n", "utf-8")
    (folder / "empty.jsonl").write_bytes(b"")
    (folder / "blank.jsonl").write_text("\n  \n", "utf-8")
    (folder / "ok.txt").write_text(GOOD, "utf-8")
    out = tmp_path / "out"
    code, stdout, err = annotate_cli(capsys, folder, "-o", out)
    assert code == 1 and "1 annotated, 3 failed" in stdout
    records = {r["doc_id"]: (r["status"], r.get("code")) for r in manifest_of(out)["documents"]}
    assert records == {"ok": ("ok", None), "header": ("error", "E111"), "empty": ("error", "E111"),
                       "blank": ("error", "E111")}
    assert f"error: {folder / 'header.csv'}: no records: a CSV header alone" in err


def test_outputs_neither_collide_nor_go_stale_unseen(tmp_path, capsys):
    """Defect 10: ``report.pdf`` beside ``report.txt`` deleted ``report.json`` and re-annotated the
    article as ``report-2``; ``-o`` inside the input folder swapped ``a.json`` and ``a-2.json`` on
    every run (nothing cached); a deleted input's JSON stayed, unlisted and unreported."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("report", "a", "gone"):
        (folder / f"{name}.txt").write_text(f"{name}: {GOOD}", "utf-8")
    out = folder / "out"  # the output folder inside the input folder
    assert annotate_cli(capsys, folder, "-o", out)[0] == 0
    first = (out / "report.json").read_bytes()
    (folder / "report.pdf").write_bytes(b"%PDF-1.4")
    (folder / "gone.txt").unlink()
    code, stdout, err = annotate_cli(capsys, folder, "-o", out)
    assert code == 0 and "2 annotated (2 from the cache: unchanged), 0 failed, 1 skipped" in stdout
    manifest = manifest_of(out)
    records = {r["doc_id"]: r for r in manifest["documents"]}
    assert records["report"]["output"] == "report.json" and records["report"].get("cached")
    assert records["a"].get("cached") and records["report-2"]["status"] == "skipped"
    assert (out / "report.json").read_bytes() == first
    assert manifest["stale"] == ["gone.json"] and "stale" in err
    code, stdout, _ = annotate_cli(capsys, folder, "-o", out)  # a third run: still all cached
    assert all(r.get("cached") for r in manifest_of(out)["documents"] if r["status"] == "ok")
    # export reads what the manifest lists: not the stale gone.json
    from pipeline.corpus import load

    assert sorted(load(out).documents["doc_id"]) == ["a", "report"]


def test_a_second_run_into_the_same_folder_is_refused(tmp_path, capsys):
    """Defect 11: two runs into one folder (one translating, one not) interleaved their outputs and
    manifests. The run holds a lock file; a second run is refused at once with a clear message."""
    from .conftest import SEED

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(20):
        (folder / f"seed{i:02d}.txt").write_bytes(SEED.read_bytes())
    out = tmp_path / "out"
    first = subprocess.Popen([sys.executable, "-m", "pipeline", "annotate", str(folder), "-o", str(out),
                              "--no-translate", "--no-progress", "--executor", "local", "--batch-size", "1"],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    journal = out / ".vien-journal.jsonl"
    deadline = time.monotonic() + 300
    while not (journal.exists() and journal.read_bytes().count(b"\n")) and time.monotonic() < deadline:
        assert first.poll() is None, first.communicate()
        time.sleep(0.05)
    code, _, err = annotate_cli(capsys, folder, "-o", out)
    assert first.poll() is None, "the first run ended before the second started: the test proves nothing"
    assert code == 5
    assert f"[E405] {out}: another `vien annotate` is writing to this folder" in err
    stdout, stderr = first.communicate(timeout=600)
    assert first.returncode == 0, stderr
    assert manifest_of(out)["counts"]["ok"] == 20
    assert annotate_cli(capsys, folder, "-o", out)[0] == 0  # the lock went with the first run


def test_a_journal_line_without_a_status_is_not_trusted(tmp_path, capsys):
    """Defect 14: a journal line that is valid JSON but lacks ``status`` crashed the run."""
    (tmp_path / "a.txt").write_text(GOOD, "utf-8")
    out = tmp_path / "out"
    assert annotate_cli(capsys, tmp_path / "a.txt", "-o", out)[0] == 0
    journal = out / ".vien-journal.jsonl"
    journal.write_text('{"doc_id": "a"}\n{"doc_id": "a", "status": "ok"}\n[1, 2]\n', "utf-8")
    code, stdout, _ = annotate_cli(capsys, tmp_path / "a.txt", "-o", out)
    assert code == 0 and "1 annotated, 0 failed" in stdout
    assert journal.read_text("utf-8").count("\n") == 1


def test_errors_are_printed_once_and_cached_articles_counted(tmp_path, capsys):
    """Defect 14: every error was printed twice with the path repeated (``p: p: ...``), and a fully
    cached re-run said "2 annotated" without saying they came from the cache."""
    (tmp_path / "a.txt").write_text(GOOD, "utf-8")
    (tmp_path / "b.txt").write_text(GOOD, "utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00 binary")
    out = tmp_path / "out"
    code, stdout, err = annotate_cli(capsys, tmp_path, "-o", out)
    assert code == 1 and "2 annotated, 1 failed" in stdout and "cached" not in stdout
    bad = str(tmp_path / "bad.txt")
    assert err.count(bad) == 1 and f"{bad}: {bad}" not in err
    code, stdout, err = annotate_cli(capsys, tmp_path, "-o", out)
    assert "2 annotated (2 from the cache: unchanged), 1 failed" in stdout


def test_a_model_that_cannot_load_stops_the_run_before_any_document(tmp_path, capsys, monkeypatch):
    """Defect 6, run side: a neural package with a damaged ``model.bin`` failed every document
    (E999, or a misleading "later version of CTranslate2") with exit 1. The run loads the model
    when it is built, and exits 3 before the first document."""
    from pipeline.models import install_archive

    fixture = ROOT / "models" / "fixture" / "translate-vi_en-vien_fixture.argosmodel"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "packages"))
    monkeypatch.setenv("VIEN_MODELS_DIR", str(tmp_path / "vien-models"))
    model = install_archive(fixture)
    (model.path / "model" / "model.bin").write_bytes(b"\x00garbage" * 1000)
    (tmp_path / "a.txt").write_text(GOOD, "utf-8")
    out = tmp_path / "out"
    code = main(["annotate", str(tmp_path / "a.txt"), "-o", str(out), "--model", model.name, "--no-progress"])
    err = capsys.readouterr().err
    assert code == 3
    assert f"[E202] {model.path}: not a valid model package: it cannot be loaded or run" in err
    assert not out.exists()


def test_outputs_get_the_mode_of_an_ordinary_file(tmp_path, capsys):
    """Issue 16, item 1: every output was owner-only (0600, from ``mkstemp``): under umask 022 an
    article's JSON and the manifest are 0644, readable by a colleague or a web server."""
    (tmp_path / "a.txt").write_text(GOOD, "utf-8")
    out = tmp_path / "out"
    previous = os.umask(0o022)
    try:
        assert annotate_cli(capsys, tmp_path / "a.txt", "-o", out)[0] == 0
    finally:
        os.umask(previous)
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in (out / "a.json", out / "manifest.json")} == {
        "a.json": "0o644", "manifest.json": "0o644"}


def test_paths_are_relative_to_the_output_folder_and_json_is_compact(tmp_path, capsys, monkeypatch):
    """Issue 16, item 7: ``source.path`` and the manifest's ``input`` were relative to the folder the
    command ran from; outputs were ~53x their input because of 2-space indentation."""
    from .conftest import SEED

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "seed.txt").write_bytes(SEED.read_bytes())
    monkeypatch.chdir(tmp_path / "in")  # run from inside the input folder, with relative paths
    assert annotate_cli(capsys, "seed.txt", "-o", "../runs/out")[0] == 0
    out = tmp_path / "runs" / "out"
    record = manifest_of(out)["documents"][0]
    assert record["input"] == "../../in/seed.txt"
    assert record["input_absolute"] == str(tmp_path / "in" / "seed.txt")
    text = (out / "seed.json").read_text("utf-8")
    assert json.loads(text)["source"]["path"] == "../../in/seed.txt"
    assert (out / record["input"]).read_bytes() == SEED.read_bytes()  # found from the output folder
    assert "\n" not in text  # compact
    assert annotate_cli(capsys, "seed.txt", "-o", "../runs/indented", "--indent", "2")[0] == 0
    indented = (tmp_path / "runs" / "indented" / "seed.json").read_text("utf-8")
    assert indented.startswith('{\n  "') and json.loads(indented)["vi"] == json.loads(text)["vi"]
    assert len(indented) > 1.5 * len(text)


def test_an_error_record_always_names_its_input():
    """Defect 1: an article that failed alignment was recorded as "word: cannot align ..." without
    the file; messages that already start with the path are not given it twice (defect 14)."""
    from pipeline.errors import AlignmentFailed, NotText, error_record

    aligned = error_record(AlignmentFailed(what="word", surface="\u0303", offset=22), "d/angola.txt")
    assert aligned["code"] == "E302"
    assert aligned["reason"] == "d/angola.txt: word: cannot align '\u0303' to the text near offset 22"
    assert error_record(NotText(path="d/x.txt", reason="NUL byte"), "d/x.txt")["reason"] == \
        "d/x.txt: not a text file: NUL byte"
    bug = error_record(KeyError("status"), "d/y.txt")
    assert bug["code"] == "E999" and bug["reason"] == "d/y.txt: KeyError: 'status'"
