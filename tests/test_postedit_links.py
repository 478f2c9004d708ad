"""Post-editing keeps the word links of what it rewrites (issue 16 item 5): a date rendered in English
("tháng 4 năm 2009" -> "April 2009") keeps 2009 linked to 2009."""
import json
import os

import numpy as np
import pytest

from pipeline.postedit import Target, Word, apply_post_edits

from .handmade import ROOT, _vien

WORDBYWORD = ROOT / "models" / "wordbyword" / "translate-vi_en-vien_wordbyword.argosmodel"


def test_a_rendered_date_keeps_the_pieces_of_the_number_it_repeats():
    # the engine's words, one target piece each, attending one-hot to the source piece below them
    words = [Word(w, [i]) for i, w in enumerate("in month 4 year 2009 .".split())]
    spans = [(0, 3), (4, 9), (10, 11), (12, 15), (16, 20), (20, 21)]  # vào tháng 4 năm 2009 .
    date = Target(4, 20, "tháng 4 năm 2009", "April 2009", ("April 2009",), "vi-m0", "value")
    edits = []
    out = apply_post_edits(words, np.eye(6, dtype=np.float32), spans, [date], edits, 0)
    assert [(w.text, w.pieces, w.edit) for w in out] == [
        ("in", [0], None), ("April", [1, 2, 3], 0), ("2009", [4], 0), (".", [5], None)]
    assert edits == [{"sentence": 0, "mention": "vi-m0", "kind": "value", "method": "attention",
                      "before": "month 4 year 2009", "after": "April 2009"}]


@pytest.mark.skipif(not WORDBYWORD.exists(), reason="the word-by-word package is not in the repository")
def test_annotate_links_the_year_of_a_post_edited_date(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "date.txt").write_text("Tháng 4 năm 2009, ông Belenko đến Hakodate.\n", "utf-8")
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(tmp_path / "argos" / "packages")}
    _vien(["models", "install", "--file", str(WORDBYWORD)], env)
    _vien(["annotate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--no-progress", "--executor", "local",
           "--model", "vien_wordbyword"], env)
    record = json.loads((tmp_path / "out" / "date.json").read_text("utf-8"))
    vi, en = record["vi"], record["en"]
    dates = [e for e in record["translation"]["post_edits"] if e["after"].startswith("April 2009")]
    assert dates and en["text"][dates[0]["start"]:dates[0]["end"]] == dates[0]["after"]
    words = {side: [record[side]["text"][t["start"]:t["end"]] for t in sorted(record[side]["tokens"],
                                                                                key=lambda t: t["id"])]
             for side in ("vi", "en")}
    links = [tuple(map(int, link.split("-"))) for link in record["alignment"]["tokens"][0].split()]
    linked_to_year = {words["vi"][i] for i, j in links if words["en"][j] == "2009"}
    assert any("2009" in w for w in linked_to_year), (linked_to_year, words, links)
    assert vi["text"].startswith("Tháng 4 năm 2009")
