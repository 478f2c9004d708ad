"""Damaged article JSON handed to export and view: refused with E411 naming the file and the field,
never a traceback, and no sentence end beyond the text slips through (issue 15, defect 12)."""
import json

import pytest

from pipeline.cli import main

from .handmade import belenko_doc, vi_only_doc, write_outputs


def _drop_vi(doc):
    del doc["vi"]


def _sentences_as_string(doc):
    doc["vi"]["sentences"] = "0-10"


def _alignment_to_unknown_sentence(doc):
    doc["alignment"]["sentences"][0] = [0, 999]


def _end_beyond_text(doc):
    doc["vi"]["sentences"][-1]["end"] = len(doc["vi"]["text"]) + 500


def _token_of_no_sentence(doc):
    doc["vi"]["tokens"][0]["sentence"] = 999


def _projection_of_no_mention(doc):
    doc["en"]["entities"][0]["aligns_to"] = "vi-m999"


DAMAGE = {  # name: (edit, the field the message names)
    "missing vi": (_drop_vi, "at (root)"),
    "vi.sentences a string": (_sentences_as_string, "at vi/sentences"),
    "alignment to an unknown sentence": (_alignment_to_unknown_sentence, "at alignment/sentences/0"),
    "sentence end beyond the text": (_end_beyond_text, "lies outside the text"),
    "token of no sentence": (_token_of_no_sentence, "at vi/tokens/0/sentence"),
    "projection of no mention": (_projection_of_no_mention, "at en/entities/0/aligns_to"),
}
COMMANDS = {
    "export parallel": lambda out, tmp: ["export", "parallel", str(out), "-o", str(tmp / "c")],
    "export entities": lambda out, tmp: ["export", "entities", str(out), "-o", str(tmp / "e.csv")],
    "view": lambda out, tmp: ["view", str(out / "belenko.json"), "-o", str(tmp / "v.html")],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_json_is_refused_naming_file_and_field(damage, command, tmp_path, capsys):
    outdir = write_outputs(tmp_path / "outputs", belenko_doc(), vi_only_doc())
    path = outdir / "belenko.json"
    doc = json.loads(path.read_text("utf-8"))
    edit, field = DAMAGE[damage]
    edit(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    assert main(COMMANDS[command](outdir, tmp_path)) == 2
    err = capsys.readouterr().err
    assert "[E411]" in err and str(path) in err and field in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outputs"]  # nothing written


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_undamaged_outputs_still_export(command, tmp_path):
    outdir = write_outputs(tmp_path / "outputs", belenko_doc(), vi_only_doc())
    assert main(COMMANDS[command](outdir, tmp_path)) == 0
