"""The published JSON Schema of the output (``vien-annotation/1``) and validation against it.

``validate`` checks what the pipeline writes (a failure is a bug: ``SchemaViolation``);
``check_annotation`` checks a file a user hands to export or view (``NotAnnotationOutput``, E411):
the schema, then what a schema cannot say (spans inside their text, references to known ids).

The schema is JSON Schema draft-07. Outputs are validated with fastjsonschema, which compiles the
schema to Python once per process (about 20x faster than a generic validator on an article).
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from ..errors import NotAnnotationOutput, SchemaViolation

SCHEMA_FILE = "vien-annotation-1.schema.json"


@lru_cache(maxsize=1)
def load_schema() -> dict:
    return json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text("utf-8"))


@lru_cache(maxsize=1)
def _validator():
    import fastjsonschema

    return fastjsonschema.compile(load_schema())


def validate(data: dict) -> None:
    """Raise ``SchemaViolation`` naming the first problem if ``data`` does not match the schema."""
    import fastjsonschema

    try:
        _validator()(data)
    except fastjsonschema.JsonSchemaValueException as error:
        where = "/".join(str(p) for p in error.path[1:]) or "(root)"
        raise SchemaViolation(doc_id=data.get("doc_id", "?") if isinstance(data, dict) else "?",
                              schema=SCHEMA_FILE, reason=f"at {where}: {error.message[:300]}") from error


def check_annotation(data: object, path: object) -> None:
    """Raise ``NotAnnotationOutput`` naming ``path`` and the field if ``data`` is not a usable article.

    Beyond the schema: every span lies inside its side's text, tokens name a sentence of their
    side, English sentences and mentions name Vietnamese ones that exist, and the alignment pairs
    known sentences with one Pharaoh string per pair.
    """
    import fastjsonschema

    try:
        _validator()(data)
    except fastjsonschema.JsonSchemaValueException as error:
        where = "/".join(str(p) for p in error.path[1:]) or "(root)"
        raise NotAnnotationOutput(path=str(path), reason=f"at {where}: {error.message[:300]}") from None
    problem = _integrity_problem(data)
    if problem:
        raise NotAnnotationOutput(path=str(path), reason=problem)


def _integrity_problem(data: dict) -> str | None:
    sentence_ids: dict[str, set[int]] = {}
    for side_name in ("vi", "en"):
        side = data[side_name]
        if side is None:
            continue
        length = len(side["text"])
        spans = [(f"{side_name}/{kind}/{i}", item["start"], item["end"])
                 for kind in ("sentences", "tokens", "entities") for i, item in enumerate(side[kind])]
        spans += [(f"vi/{key}", *side[key]) for key in ("title", "byline") if side_name == "vi" and side[key]]
        for where, start, end in spans:
            if not start <= end <= length:
                return f"at {where}: span {start}-{end} lies outside the text ({length} characters)"
        ids = [s["id"] for s in side["sentences"]]
        if len(set(ids)) != len(ids):
            return f"at {side_name}/sentences: sentence ids repeat"
        sentence_ids[side_name] = set(ids)
        for i, token in enumerate(side["tokens"]):
            if token["sentence"] not in sentence_ids[side_name]:
                return f"at {side_name}/tokens/{i}/sentence: no sentence {token['sentence']}"
    en = data["en"]
    if en is not None:
        for i, s in enumerate(en["sentences"]):
            if s["source_sentence"] is not None and s["source_sentence"] not in sentence_ids["vi"]:
                return f"at en/sentences/{i}/source_sentence: no Vietnamese sentence {s['source_sentence']}"
        vi_mentions = {m["id"] for m in data["vi"]["entities"]}
        for i, m in enumerate(en["entities"]):
            if m["aligns_to"] is not None and m["aligns_to"] not in vi_mentions:
                return f"at en/entities/{i}/aligns_to: no Vietnamese mention {m['aligns_to']!r}"
    alignment = data["alignment"]
    if alignment is not None:
        if en is None:
            return "at alignment: an alignment without an English side"
        if len(alignment["sentences"]) != len(alignment["tokens"]):
            return "at alignment/tokens: not one Pharaoh string per sentence pair"
        for i, (vi_id, en_id) in enumerate(alignment["sentences"]):
            if vi_id not in sentence_ids["vi"] or en_id not in sentence_ids["en"]:
                return f"at alignment/sentences/{i}: no sentence pair {vi_id}-{en_id}"
    return None
