import json

import pandas as pd
import pytest

from pipeline.document import Entity, Mention
from pipeline.frames import COLUMNS, document_frames, frames_to_json, json_to_frames
from pipeline.schema import load_schema, validate
from pipeline.errors import SchemaViolation


@pytest.fixture()
def doc(seed_doc):
    import copy

    d = copy.deepcopy(seed_doc)
    text = d.vi.text
    start = text.index("Belenko")
    d.vi.entities = [Mention("vi-m0", "PER", start, start + 7, "Belenko", entity="E0", source="test", score=0.9)]
    d.entities = [Entity("E0", "PER", "Viktor Belenko", "Viktor Belenko", ["vi-m0"], [])]
    d.producer = {"pipeline": "vien test", "versions": {}, "stages": ["segment"], "settings": {}}
    return d


def test_frames_have_documented_columns_and_dtypes(doc):
    frames = document_frames(doc)
    for table, spec in COLUMNS.items():
        df = getattr(frames, table)
        assert list(df.columns) == [name for name, _, _ in spec]
        for name, dtype, _ in spec:
            assert str(df[name].dtype) == str(pd.Series([], dtype=dtype).dtype), (table, name)
    assert len(frames.tokens) == len(doc.vi.tokens) and len(frames.sentences) == len(doc.vi.sentences)
    row = frames.tokens.iloc[1]
    assert row.text == doc.vi.text[row.start:row.end]


def test_json_validates_and_round_trips(doc):
    data = frames_to_json(document_frames(doc))
    validate(data)
    reread = json.loads(json.dumps(data, ensure_ascii=False))
    assert frames_to_json(json_to_frames(reread)) == data
    assert data["vi"]["entities"][0]["text"] == "Belenko"
    text = data["vi"]["text"]
    for m in data["vi"]["entities"]:
        assert text[m["start"]:m["end"]] == m["text"]


def test_schema_rejects_broken_output(doc):
    data = frames_to_json(document_frames(doc))
    data["vi"]["entities"][0]["label"] = "WEAPON"
    with pytest.raises(SchemaViolation, match="vi/entities/0/label"):
        validate(data)


def test_schema_is_versioned_and_valid_draft_07():
    import jsonschema

    schema = load_schema()
    assert schema["properties"]["schema"]["const"] == "vien-annotation/1"
    jsonschema.Draft7Validator.check_schema(schema)


def test_fast_validation_agrees_with_the_reference_validator(doc):
    import jsonschema

    data = frames_to_json(document_frames(doc))
    jsonschema.Draft7Validator(load_schema()).validate(data)
    data["source"]["edits"].append([1, 2, 3])
    assert not jsonschema.Draft7Validator(load_schema()).is_valid(data)
    with pytest.raises(SchemaViolation, match="source/edits"):
        validate(data)


def _types(value, path="$"):
    """(path, type name) of every value that is not a plain JSON type."""
    if isinstance(value, dict):
        return [bad for k, v in value.items() for bad in _types(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [bad for i, v in enumerate(value) for bad in _types(v, f"{path}[{i}]")]
    return [] if value is None or type(value) in (str, int, float, bool) else [(path, type(value).__name__)]


def test_json_from_frames_is_plain_python_with_nulls_for_missing_values():
    import copy

    from tests.handmade import belenko_doc

    data = belenko_doc()
    data["vi"]["tokens"][0]["pos"] = None
    data["vi"]["entities"][0]["score"] = None
    data["en"]["entities"][0]["aligns_to"] = None
    # a sentence pair without word links, and two vi sentences linked to one en sentence
    data["alignment"] = {"sentences": [[0, 0], [2, 1], [1, 1]], "tokens": ["0-0 1-1", "", "0-0 2-3"]}
    expected = copy.deepcopy(data)
    out = frames_to_json(json_to_frames(data))
    assert out == expected
    assert json.dumps(out, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)  # key order too
    assert _types(out) == []
    assert out["vi"]["tokens"][0]["pos"] is None and out["vi"]["entities"][0]["score"] is None
    assert type(out["vi"]["entities"][1]["score"]) is float and type(out["source"]["size"]) is int
    assert all(type(t["start"]) is int for t in out["en"]["tokens"])
    assert "source_sentence" not in out["vi"]["sentences"][0] and "aligns_to" not in out["vi"]["entities"][0]
    validate(out)


def test_json_text_is_compact_or_indented_utf8_that_parses_back_to_the_same_object():
    from pipeline.frames import json_text
    from tests.handmade import belenko_doc

    data = belenko_doc()
    text = json_text(data)
    assert json.loads(text) == data
    assert "Lầu Năm Góc" in text and "\\u" not in text  # non-ASCII written as is
    assert text.startswith('{"schema":"vien-annotation/1",') and "\n" not in text
    for indent in (2, 4):
        indented = json_text(data, indent=indent)
        assert json.loads(indented) == data and "\\u" not in indented
        assert indented.startswith('{\n' + " " * indent + '"schema": "vien-annotation/1",\n')
    assert json.loads(json_text({1: "a"})) == json.loads(json.dumps({1: "a"}))
