"""The MSEL spreadsheet columns, derived from the inject definition of the schema.

Every property of ``$defs/inject`` is a column, so a field added to the schema shows up in the
spreadsheet without touching this code. How a value is written to a cell depends on its JSON type,
read from the schema too:

| kind | schema | cell |
|---|---|---|
| clock | ``offset`` (from STARTEX) | ``T+01:30``, ``J+1 T+02:00`` (ISO-8601 if it has seconds) |
| bool | boolean | yes/no in the scenario's language |
| ids | array of ids | one per line |
| texts | array of strings | one per line |
| json | object, or array of objects | compact JSON |
| text | anything else (strings, enums, numbers) | as is |

``from``, ``to`` and ``cc`` hold names (persona and cell names) when a name identifies one object,
ids otherwise, so that a designer reads names and the import maps them back without ambiguity.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from studio.durations import format_clock, parse_minutes
from studio.scenario.schema import definition, load_schema

LEADING_COLUMNS = (
    "number", "id", "phase", "offset", "scenario_time", "from", "to", "cc", "channel", "category", "title",
    "message", "expected_actions", "deliverable", "objective_ids", "priority", "visibility", "contingency",
    "contingency_for", "synopsis", "animator_notes", "delivered_by", "status",
)  # fmt: skip
"""Columns a designer reads first, in chronogramme order; the other inject fields follow in schema order."""

PERSONA_FIELDS = frozenset({"from"})
ENUM_LABEL_TABLES = {
    "channel": "channel", "category": "inject_category", "priority": "priority", "visibility": "visibility",
    "status": "review_status", "language": "language",
}  # fmt: skip
"""Enum fields written with their label in the scenario's language (labels/*.json enums table)."""
CELL_FIELDS = frozenset({"to", "cc"})


def _resolve(spec: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` chains inside the scenario schema, merging local keywords over the target."""
    while "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[-1]
        target = load_schema()["$defs"][name]
        spec = {**target, **{key: value for key, value in spec.items() if key != "$ref"}}
    return spec


@cache
def column_kinds() -> dict[str, str]:
    """Field name -> cell kind (see the module table), for every inject property, in column order."""
    properties = definition("inject")["properties"]
    order = [name for name in LEADING_COLUMNS if name in properties]
    order += [name for name in properties if name not in order]
    kinds = {}
    for name in order:
        spec = _resolve(properties[name])
        if name == "offset":
            kind = "clock"
        elif spec.get("type") == "boolean":
            kind = "bool"
        elif spec.get("type") == "object":
            kind = "json"
        elif spec.get("type") == "array":
            items = _resolve(spec.get("items", {}))
            if items.get("type") == "object":
                kind = "json"
            elif items.get("pattern") and items.get("type") == "string":
                kind = "ids"
            else:
                kind = "texts"
        else:
            kind = "text"
        kinds[name] = kind
    return kinds


def enum_values(field: str) -> list[str]:
    """Allowed values of an enum field of the inject, read from the schema ([] when not an enum)."""
    return [str(value) for value in _resolve(definition("inject")["properties"][field]).get("enum", [])]


def format_offset(offset: str) -> str:
    """``PT1H30M`` -> ``T+01:30``; durations with seconds stay ISO-8601 so nothing is rounded away."""
    minutes = parse_minutes(offset)
    return format_clock(minutes) if float(minutes).is_integer() else offset


def encode_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
