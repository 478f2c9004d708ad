"""The domain lexicon ``training/lexicon/news-vi_en.tsv`` (issue 13): its format, and that every
entry is something underthesea's segmentation yields (a word, or a run of whole words)."""
from __future__ import annotations

from collections import Counter

import pytest

from training.lexicon.check import (DOMAINS, HEADER, LEXICON, POS, format_problems, read_rows,
                                    segmentation_class, token_coverage)


@pytest.fixture(scope="module")
def rows() -> list[list[str]]:
    return read_rows(LEXICON)


def test_the_file_has_its_header_four_columns_and_known_values(rows):
    assert rows[0] == HEADER
    assert all(len(row) == 4 for row in rows[1:])
    assert {row[2] for row in rows[1:]} <= POS
    assert {row[3] for row in rows[1:]} <= DOMAINS


def test_the_file_breaks_no_format_rule(rows):
    assert format_problems(rows) == []


def test_no_vi_en_pair_is_listed_twice(rows):
    pairs = Counter((vi, en) for vi, en, *_ in rows[1:])
    assert [pair for pair, count in pairs.items() if count > 1] == []


def test_the_compounds_issue_13_names_are_entries_with_their_english(rows):
    first = {}
    for vi, en, *_ in rows[1:]:
        first.setdefault(vi, en)
    assert first["tiêm kích"] == "fighter"
    assert first["đánh chặn"] == "intercept"
    assert first["không phận"] == "airspace"
    assert first["oanh tạc cơ"] == "bomber"
    assert first["đào tẩu"] == "defect"
    assert first["Lầu Năm Góc"] == "Pentagon"
    assert first["chiếc"] == "-"


def test_syllable_fragments_are_not_entries(rows):
    entries = {row[0] for row in rows[1:]}
    assert not {"tẩu", "kích", "phận", "tạc", "cơ"} & entries  # the glosses issue 13 complains about


@pytest.mark.parametrize("bad_row, message", [
    (["tiêm kích", "fighter", "N"], "3 columns"),
    (["tie\u0302m kích", "fighter", "N", "aviation"], "not NFC"),
    (["tiêm  kích", "fighter", "N", "aviation"], "badly spaced"),
    (["thuỷ quân", "marines", "N", "military"], "underthesea writes"),
    (["Tiêm kích", "fighter", "N", "aviation"], "capitals"),
    (["tiêm kích", "fighter", "NOUN", "aviation"], "unknown pos"),
    (["tiêm kích", "fighter", "N", "air"], "unknown domain"),
    (["máy bay", "aircraft", "N", "aviation"], "duplicate pair"),
])
def test_format_problems_reports_each_broken_rule(bad_row, message):
    rows = [HEADER, ["máy bay", "aircraft", "N", "aviation"], bad_row]
    problems = format_problems(rows)
    assert len(problems) == 1 and message in problems[0]


def test_acronyms_and_proper_names_may_keep_their_capitals():
    rows = [HEADER, ["UAV trinh sát", "reconnaissance drone", "N", "weapons"],
            ["Lầu Năm Góc", "Pentagon", "Np", "politics"], ["người Mỹ", "Americans", "N", "geo"]]
    assert format_problems(rows) == []


def test_format_problems_reports_a_wrong_header():
    assert "header" in format_problems([["vi", "en"], ["máy bay", "aircraft", "N", "aviation"]])[0]


@pytest.mark.parametrize("vi, kind", [
    ("tiêm kích", "word"),
    ("máy bay ném bom", "phrase"),
    ("Việt Nam.", "broken"),  # underthesea splits off the full stop: not a run of its words
])
def test_segmentation_class(vi, kind):
    assert segmentation_class(vi) == kind


def test_every_entry_is_a_word_or_a_run_of_words_of_underthesea(rows):
    entries = dict.fromkeys(row[0] for row in rows[1:])
    assert [vi for vi in entries if segmentation_class(vi) == "broken"] == []


def test_token_coverage_counts_underthesea_words_that_are_entries(tmp_path):
    (tmp_path / "a.txt").write_text("== Lịch sử ==\nMáy bay tiêm kích Zyxwv , 1976 .\n", encoding="utf-8")
    assert token_coverage(tmp_path, {"máy bay", "tiêm kích"}) == (3, 2)
