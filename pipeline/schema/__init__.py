"""The published JSON Schema of the output (``vien-annotation/1``) and validation against it."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from ..errors import SchemaViolation

SCHEMA_FILE = "vien-annotation-1.schema.json"


@lru_cache(maxsize=1)
def load_schema() -> dict:
    return json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text("utf-8"))


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    schema = load_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate(data: dict) -> None:
    """Raise ``SchemaViolation`` naming the first problem if ``data`` does not match the schema."""
    error = next(iter(sorted(_validator().iter_errors(data), key=lambda e: list(e.path))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise SchemaViolation(doc_id=data.get("doc_id", "?"), schema=SCHEMA_FILE,
                              reason=f"at {where}: {error.message[:300]}")
