"""Inputs and output folders that broke a run (issue 15): every article still ends as exactly one
output or one recorded error, and the run ends with a complete manifest and the right exit code."""
import json
import os

from pipeline.cli import main

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
