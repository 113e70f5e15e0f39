"""The flat inject schema sent to LLMs, derived from the scenario schema's ``$defs/inject``.

Servers' structured-output modes (OpenAI strict mode, llama.cpp grammars, vLLM/xgrammar) handle
``$ref`` poorly, so the LLM gets a self-contained schema: the ``$ref``s are inlined, only the fields
an LLM may write are kept (routing, timing, ids and review state stay under the generator's control)
and the shape follows strict mode: every property listed in ``required``, optional ones made nullable
(``anyOf`` with ``null``), ``additionalProperties: false``, no ``default``.

The result is committed as ``schemas/inject.flat.schema.json``; a test rebuilds it and compares, so
the two schemas cannot drift apart. Run ``python -m studio.injects.flat_schema`` to rewrite the file.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from studio.resources import schemas_dir
from studio.scenario.canonical import canonical_text
from studio.scenario.schema import load_schema

FLAT_SCHEMA_FILE = "inject.flat.schema.json"

LLM_FIELDS: tuple[str, ...] = (
    "category",
    "channel",
    "title",
    "message",
    "synopsis",
    "animator_notes",
    "expected_actions",
    "deliverable",
    "discussion_questions",
    "priority",
    "language",
)
"""Inject fields an LLM may fill, in the order they are presented to it."""

# Annotations that do not constrain a value; strict mode also refuses "default".
_ANNOTATIONS = frozenset({"default", "x-control-only", "$comment"})


def inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """Return a copy of ``node`` with every local ``#/$defs/<name>`` reference replaced by its target.

    A ``$ref`` beside other keywords is merged (the referring keywords win, as for the description
    next to a ``$ref`` in the scenario schema). Annotations that do not constrain values are dropped.
    """
    if isinstance(node, list):
        return [inline_refs(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    ref = node.get("$ref")
    if ref is not None:
        prefix = "#/$defs/"
        if not ref.startswith(prefix):
            raise ValueError(f"only local $defs references can be inlined, found {ref!r}")
        result.update(inline_refs(defs[ref[len(prefix) :]], defs))
    for key, value in node.items():
        if key == "$ref" or key in _ANNOTATIONS:
            continue
        result[key] = inline_refs(value, defs)
    return result


def field_schema(name: str) -> dict[str, Any]:
    """The scenario schema's constraint on inject field ``name``, references inlined."""
    scenario = load_schema()
    return inline_refs(scenario["$defs"]["inject"]["properties"][name], scenario["$defs"])


def build_flat_inject_schema() -> dict[str, Any]:
    """Derive the strict-mode flat inject schema from the scenario schema (see the module docstring)."""
    inject = load_schema()["$defs"]["inject"]
    required = set(inject.get("required", ()))
    properties: dict[str, Any] = {}
    for name in LLM_FIELDS:
        spec = field_schema(name)
        if name not in required:
            description = spec.pop("description", None)
            spec = {"anyOf": [spec, {"type": "null"}]}
            if description:
                spec["description"] = description
        properties[name] = spec
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Crisis Studio inject (flat, for LLM structured output)",
        "description": "Generated from scenario.schema.json $defs/inject by studio.injects.flat_schema; "
        "do not edit by hand. null means the field is not set.",
        "type": "object",
        "additionalProperties": False,
        "required": list(LLM_FIELDS),
        "properties": properties,
    }


def load_flat_schema() -> dict[str, Any]:
    """The committed flat schema (a fresh copy, safe to mutate)."""
    path = schemas_dir() / FLAT_SCHEMA_FILE
    return json.loads(path.read_text(encoding="utf-8"))


def flat_to_inject_fields(answer: dict[str, Any]) -> dict[str, Any]:
    """Turn an answer valid against the flat schema into inject fields: nulls mean "not set"."""
    return {key: copy.deepcopy(value) for key, value in answer.items() if value is not None}


def inject_to_flat(inject: dict[str, Any]) -> dict[str, Any]:
    """The LLM-fillable part of an inject, in flat-schema shape (missing fields as null)."""
    return {name: copy.deepcopy(inject.get(name)) for name in LLM_FIELDS}


def write_flat_schema() -> None:
    """Rewrite schemas/inject.flat.schema.json from the scenario schema."""
    (schemas_dir() / FLAT_SCHEMA_FILE).write_text(
        canonical_text(build_flat_inject_schema()), encoding="utf-8"
    )


if __name__ == "__main__":
    write_flat_schema()
