"""The command line: exact exit codes and messages, and the batch invariants of a folder run."""
import json
import os
import shutil

import pytest

from pipeline.cli import main
from pipeline.schema import validate

from .conftest import SEED


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_missing_path(capsys, tmp_path):
    code, _, err = run_cli(capsys, "annotate", tmp_path / "nope", "-o", tmp_path / "out", "--no-translate")
    assert code == 2
    assert f"[E101] {tmp_path / 'nope'}: no such file or directory" in err


def test_empty_folder(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli(capsys, "annotate", tmp_path / "empty", "-o", tmp_path / "out", "--no-translate")
    assert code == 2
    assert "[E102]" in err and "no article files found" in err


@pytest.fixture()
def mixed_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    (folder / "short.md").write_text("# Tin ngắn\n\nMáy bay Su-30 bay qua Hà Nội ngày 2/9/2025.\n", "utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    os.symlink(folder / "vanished.txt", folder / "unreadable.txt")  # a broken link
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    return folder


def test_folder_run_accounts_for_every_file(capsys, mixed_folder, tmp_path):
    out = tmp_path / "out"
    code, stdout, err = run_cli(capsys, "annotate", mixed_folder, "-o", out, "--no-translate", "--no-progress")
    assert code == 1
    assert "2 annotated, 2 failed, 1 skipped" in stdout
    assert "[E104]" not in stdout and f"{mixed_folder / 'binary.txt'}: not a text file: NUL byte" in err
    assert f"{mixed_folder / 'unreadable.txt'}: cannot be read: No such file or directory" in err
    assert "2 of 4 documents failed" in err
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    status = {r["doc_id"]: r["status"] for r in manifest["documents"]}
    assert status == {"seed": "ok", "short": "ok", "binary": "error", "unreadable": "error", "photo": "skipped"}
    assert manifest["complete"] is True
    for name in ("seed", "short"):
        data = json.loads((out / f"{name}.json").read_text("utf-8"))
        validate(data)
        text = data["vi"]["text"]
        for kind in ("sentences", "tokens", "entities"):
            for item in data["vi"][kind]:
                assert item["end"] > item["start"]
                if kind == "entities":
                    assert text[item["start"]:item["end"]] == item["text"]
    short = json.loads((out / "short.json").read_text("utf-8"))
    assert short["vi"]["text"][slice(*short["vi"]["title"])] == "Tin ngắn"


def test_rerun_skips_unchanged_and_redoes_changed(capsys, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    (folder / "b.txt").write_text("Phi công Belenko hạ cánh ở Hakodate.", "utf-8")
    out = tmp_path / "out"
    code, stdout, _ = run_cli(capsys, "annotate", folder, "-o", out, "--no-translate")
    assert code == 0 and "no English side (--no-translate)" in stdout
    (folder / "b.txt").write_text("Phi công Belenko hạ cánh ở sân bay Hakodate.", "utf-8")
    assert run_cli(capsys, "annotate", folder, "-o", out, "--no-translate")[0] == 0
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    cached = {r["doc_id"]: r.get("cached", False) for r in manifest["documents"]}
    assert cached == {"seed": True, "b": False}
    assert "sân bay" in json.loads((out / "b.json").read_text("utf-8"))["vi"]["text"]
    assert run_cli(capsys, "annotate", folder, "-o", out, "--no-translate", "--force")[0] == 0
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert not any(r.get("cached") for r in manifest["documents"])


def test_eval_segmentation_on_a_small_conllu(capsys, tmp_path):
    conllu = tmp_path / "s.conllu"
    conllu.write_text("# text = x\n1\tPhi công\t_\tN\t_\t_\t0\troot\t_\t_\n2\tbay\t_\tV\t_\t_\t1\tdep\t_\t_\n\n", "utf-8")
    code, out, _ = run_cli(capsys, "eval", "segmentation", "--conllu", conllu)
    assert code == 0
    assert out.strip().splitlines()[-1] == "f1=1.0000"


@pytest.mark.shared_data
def test_eval_segmentation_matches_underthesea_on_ud_vtb_test(capsys, shared_data):
    code, out, _ = run_cli(capsys, "eval", "segmentation", "--baseline",
                           "--conllu", shared_data / "ud-vtb" / "vi_vtb-ud-test.conllu")
    assert code == 0
    lines = out.strip().splitlines()
    ours = float(lines[-1].split("=")[1])
    theirs = float(lines[1].rsplit("f1=", 1)[1])
    assert ours >= theirs >= 0.95
