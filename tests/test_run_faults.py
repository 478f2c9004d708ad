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
