"""The flat inject schema is derived from the scenario schema and cannot drift from it."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from studio.injects.flat_schema import (
    LLM_FIELDS,
    build_flat_inject_schema,
    field_schema,
    flat_to_inject_fields,
    inject_to_flat,
    load_flat_schema,
)
from studio.resources import schemas_dir
from studio.scenario.schema import load_schema

# Values probing every constraint the inject fields carry: types, enums, lengths, uniqueness.
PROBES: list[Any] = [
    "",
    "x",
    "x" * 300,
    "x" * 301,
    "x" * 100_001,
    "email",
    "fax",
    "technical_alert",
    "not_a_category",
    "core",
    "optional",
    "fr",
    "de",
    [],
    ["a", "b"],
    ["a", "a"],
    ["x" * 100_001],
    [1],
    1,
    1.5,
    True,
    {},
]


def _walk(node: Any) -> list[Any]:
    found = [node]
    if isinstance(node, dict):
        for value in node.values():
            found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found


def test_committed_file_equals_the_derived_schema() -> None:
    committed = json.loads((schemas_dir() / "inject.flat.schema.json").read_text(encoding="utf-8"))
    assert committed == build_flat_inject_schema(), "run: python -m studio.injects.flat_schema"


def test_flat_schema_has_strict_mode_shape() -> None:
    schema = load_flat_schema()
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(schema["properties"]) == set(LLM_FIELDS)
    nodes = _walk(schema)
    assert not any(isinstance(node, dict) and ("$ref" in node or "default" in node) for node in nodes)
    jsonschema.Draft202012Validator.check_schema(schema)


def test_optional_fields_are_nullable_and_required_ones_are_not() -> None:
    schema = load_flat_schema()
    required_in_scenario = set(load_schema()["$defs"]["inject"]["required"])
    validator = jsonschema.Draft202012Validator(schema)
    for name in LLM_FIELDS:
        accepts_null = validator.evolve(schema=schema["properties"][name]).is_valid(None)
        assert accepts_null == (name not in required_in_scenario), name


@pytest.mark.parametrize("name", LLM_FIELDS)
def test_each_field_accepts_exactly_what_the_scenario_schema_accepts(name: str) -> None:
    scenario_schema = load_schema()
    # The field as the scenario schema states it, resolved against the real $defs.
    original = jsonschema.Draft202012Validator(
        {"$defs": scenario_schema["$defs"], **scenario_schema["$defs"]["inject"]["properties"][name]}
    )
    flat = jsonschema.Draft202012Validator(load_flat_schema()["properties"][name])
    for probe in PROBES:
        assert flat.is_valid(probe) == original.is_valid(probe), (name, repr(probe)[:40])


def test_field_schema_inlines_every_reference() -> None:
    for name in LLM_FIELDS:
        assert "$ref" not in json.dumps(field_schema(name))


def test_round_trip_between_inject_and_flat_answer(generated: dict[str, Any]) -> None:
    inject = generated["injects"][0]
    flat = inject_to_flat(inject)
    jsonschema.validate(flat, load_flat_schema())
    restored = flat_to_inject_fields(flat)
    assert restored == {name: inject[name] for name in LLM_FIELDS if name in inject}
