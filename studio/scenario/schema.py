"""Loading the JSON Schemas in schemas/ (the single contract) and the validators built on them."""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from typing import Any

import jsonschema

from studio.resources import schemas_dir

SCENARIO_SCHEMA = "scenario.schema.json"
SCHEMA_VERSION = "1.1"


@cache
def load_schema(name: str = SCENARIO_SCHEMA) -> dict[str, Any]:
    """Return a schema of schemas/ by file name (cached; do not mutate)."""
    return json.loads((schemas_dir() / name).read_text(encoding="utf-8"))


_FORMATS = jsonschema.FormatChecker(formats=())


@_FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("date-time needs a time zone offset, e.g. 2025-02-10T02:00:00+01:00")
    return True


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        date.fromisoformat(value)
    return True


@cache
def validator(name: str = SCENARIO_SCHEMA) -> jsonschema.protocols.Validator:
    """A Draft 2020-12 validator for schemas/``name`` that also checks date and date-time formats."""
    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=_FORMATS)


def definition(def_name: str, name: str = SCENARIO_SCHEMA) -> dict[str, Any]:
    """Return ``$defs/def_name`` of a schema."""
    return load_schema(name)["$defs"][def_name]


def control_only_fields(def_name: str) -> frozenset[str]:
    """Names of the properties of ``$defs/def_name`` marked ``x-control-only`` in the schema.

    The player packs and the leak lint read this instead of keeping their own list.
    """
    properties = definition(def_name).get("properties", {})
    return frozenset(key for key, spec in properties.items() if spec.get("x-control-only"))
