"""kill -9 a real ``vien annotate`` mid-run, twice, resume, and end with the outputs of an
uninterrupted run (timing fields aside)."""
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cli import main

from .conftest import ROOT, SEED

SENTENCES = [
    "Ngày 6/9/1976, trung úy Viktor Belenko lái chiếc Mig-25 hạ cánh xuống sân bay Hakodate, Nhật Bản.",
    "Chiếc tiêm kích bay thấp để tránh radar của Liên Xô và Nhật Bản.",
    "Giới chức Mỹ tháo rời chiếc máy bay để nghiên cứu, rồi trả lại cho Liên Xô.",
    "Không quân Nhật Bản điều hai chiếc F-4 lên đánh chặn nhưng không tìm thấy mục tiêu.",
    "Belenko sau đó được cấp quyền tị nạn tại Mỹ và làm cố vấn cho Lầu Năm Góc.",
]
TIMING = ("seconds", "cached")


def make_corpus(folder, n=36):
    folder.mkdir()
    for i in range(n):
        body = " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3 + i % 4))
        (folder / f"a{i:02d}.txt").write_text(f"Bài số {i}\n{body}\n", "utf-8")
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    (folder / "bad.txt").write_bytes(b"\x00binary")  # an error record takes part in the resume too
    (folder / "rows.jsonl").write_text("".join(
        json.dumps({"id": f"r{i}", "text": SENTENCES[i]}, ensure_ascii=False) + "\n" for i in range(5)), "utf-8")


def journal_lines(out):
    path = out / ".vien-journal.jsonl"
    return path.read_bytes().count(b"\n") if path.exists() else 0


FIXTURE = ROOT / "models" / "fixture" / "translate-vi_en-vien_fixture.argosmodel"
MODES = {
    "no-translate": ["--no-translate"],
    # with translation: the fixture model, installed into a private package folder (ARGOS_PACKAGES_DIR)
    "fixture": ["--model", "vien_fixture"],
}


def annotate_args(folder, out, mode):
    return ["annotate", str(folder), "-o", str(out), *MODES[mode], "--no-progress", "--batch-size", "2"]


def start(folder, out, mode):
    return subprocess.Popen([sys.executable, "-m", "pipeline", *annotate_args(folder, out, mode)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def children(pid):
    """Process ids whose parent is ``pid`` (Linux /proc; empty elsewhere)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def kill_after(proc, out, lines, timeout=300):
    """SIGKILL ``proc`` once the journal has ``lines`` lines; returns the lines seen at the kill.
    Its pool workers (the default executor runs these batches in a pool) must then exit too."""
    deadline = time.monotonic() + timeout
    while journal_lines(out) < lines:
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.02)
    workers = children(proc.pid)
    if sys.platform == "linux" and len(os.sched_getaffinity(0)) > 1:
        assert workers, "the default executor should run several batches in a pool"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while any(alive(w) for w in workers):
        assert time.monotonic() < deadline, f"workers {workers} outlived their killed parent"
        time.sleep(0.1)
    return journal_lines(out)


def comparable(out):
    """Every output file's content; the manifest without timing fields; no journal."""
    files = {}
    for path in sorted(out.iterdir()):
        if path.name == ".vien-journal.jsonl":
            continue
        if path.name == "manifest.json":
            manifest = json.loads(path.read_text("utf-8"))
            for record in manifest["documents"]:
                for key in TIMING:
                    record.pop(key, None)
            files[path.name] = manifest
        else:
            files[path.name] = path.read_bytes()
    return files


def first_difference(a, b, path=""):
    """The JSON path of the first difference between ``a`` and ``b``, with both values."""
    if type(a) is not type(b) or not isinstance(a, (dict, list)):
        return None if a == b else f"{path}: {a!r} != {b!r}"
    keys = sorted(set(a) | set(b)) if isinstance(a, dict) else range(max(len(a), len(b)))
    for key in keys:
        try:
            found = first_difference(a[key], b[key], f"{path}/{key}")
        except (KeyError, IndexError):
            return f"{path}/{key}: only on one side"
        if found:
            return found
    return None


@pytest.mark.slow
@pytest.mark.parametrize("mode", [
    "no-translate",
    pytest.param("fixture", marks=pytest.mark.skipif(not FIXTURE.is_file(), reason=f"{FIXTURE} not built")),
])
def test_kill_and_resume_matches_an_uninterrupted_run(tmp_path, capsys, monkeypatch, mode):
    if mode == "fixture":
        monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos" / "packages"))  # inherited by the runs
        assert main(["models", "install", "--file", str(FIXTURE)]) == 0
    folder = tmp_path / "in"
    articles = 36 if mode == "no-translate" else 10  # translation is slower: fewer articles keep the kills mid-run
    make_corpus(folder, articles)
    total = articles + 1 + 1 + 5

    killed = tmp_path / "killed"
    first = kill_after(start(folder, killed, mode), killed, 3)
    assert 3 <= first < total
    manifest = json.loads((killed / "manifest.json").read_text("utf-8")) if (killed / "manifest.json").exists() else None
    assert manifest is None or manifest["complete"] is False
    kill_after(start(folder, killed, mode), killed, first + 8)
    resumed = subprocess.run([sys.executable, "-m", "pipeline", *annotate_args(folder, killed, mode)],
                             cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 1  # bad.txt failed
    assert re.search(rf"{total - 1} annotated \(\d+ from the cache: unchanged\), 1 failed, 0 skipped", resumed.stdout)
    assert f"1 of {total} documents failed" in resumed.stderr

    clean = tmp_path / "clean"
    assert main(annotate_args(folder, clean, mode)) == 1
    capsys.readouterr()
    got, expected = comparable(killed), comparable(clean)
    assert sorted(got) == sorted(expected)
    differing = {name: first_difference(json.loads(got[name]), json.loads(expected[name]))
                 for name in got if name.endswith(".json") and name != "manifest.json" and got[name] != expected[name]}
    assert differing == {}
    assert got == expected
    done = json.loads((killed / "manifest.json").read_text("utf-8"))
    assert done["complete"] is True
    cached = sum(bool(r.get("cached")) for r in done["documents"])
    assert 0 < cached < total  # the resumed run reused what the killed runs had finished


def test_skip_keys_on_content_and_pipeline_fingerprint(tmp_path, capsys):
    """Unchanged input and pipeline: skipped; changed bytes, changed settings, or --force: redone."""
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps({"id": f"r{i}", "body": s}, ensure_ascii=False) + "\n"
                            for i, s in enumerate(SENTENCES[:2])), "utf-8")
    out = tmp_path / "out"

    def run(*extra):
        code = main(["annotate", str(rows), "-o", str(out), "--no-translate", "--no-progress",
                     "--text-column", "body", *extra])
        capsys.readouterr()
        manifest = json.loads((out / "manifest.json").read_text("utf-8"))
        return code, {r["doc_id"]: bool(r.get("cached")) for r in manifest["documents"]}

    assert run() == (0, {"rows__r0": False, "rows__r1": False})
    assert run() == (0, {"rows__r0": True, "rows__r1": True})
    assert run("--force") == (0, {"rows__r0": False, "rows__r1": False})
    # a setting that is part of the fingerprint: every document is redone
    assert run("--id-column", "none") == (0, {"rows__1": False, "rows__2": False})
    # new bytes in the file: its records are redone
    rows.write_text(rows.read_text("utf-8") + json.dumps({"body": SENTENCES[2]}, ensure_ascii=False) + "\n", "utf-8")
    assert run("--id-column", "none") == (0, {"rows__1": False, "rows__2": False, "rows__3": False})


def test_journal_keeps_the_last_record_of_each_document_and_drops_a_cut_line(tmp_path):
    from pipeline.journal import read_journal as _read_journal

    journal = tmp_path / ".vien-journal.jsonl"
    journal.write_text('{"doc_id": "a", "status": "error"}\n{"doc_id": "b", "status": "ok", "output": "b.json"}\n'
                       '{"doc_id": "a", "status": "ok", "output": "a.json"}\n{"doc_id": "c", "sta', "utf-8")
    done = _read_journal(journal)
    assert {k: v["status"] for k, v in done.items()} == {"b": "ok", "a": "ok"}
    assert journal.read_text("utf-8") == ('{"doc_id": "b", "status": "ok", "output": "b.json"}\n'
                                          '{"doc_id": "a", "status": "ok", "output": "a.json"}\n')
    assert not list(tmp_path.glob(".*.tmp"))
