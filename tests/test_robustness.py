"""Hostile input: every kind of bad file ends as an output or an error record, none stops or hangs a run."""
import pytest

from pipeline.segment import MAX_SENTENCE_CHARS, split_long


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
