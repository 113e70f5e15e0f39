"""Validation that explains itself: the JSON Schema first, then the rules a schema cannot say.

``validate_scenario(doc)`` never raises on any JSON value. It returns every problem found, each with
the JSON pointer of the offending value, a stable rule name and a hint a designer understands.

Layer 1 (``schema.*`` rules) reports *all* schema errors, not only the first. For ``oneOf`` choices
(delays, links, gates, triggers) the branch selected by the discriminating field (``dist``, ``kind``,
``type``) is reported on, instead of the unhelpful "not valid under any of the given schemas".

Layer 2 (semantic rules) runs on whatever parts are well formed:

- ``ids.unique``: ids are unique within their collection;
- ``ref.*``: every reference resolves (link ends, credentials, cells, objectives, personas, systems,
  playbooks, zones, timeline events, organisations and sites);
- ``gate.k_exceeds_n``: a k-of-n gate has at least k dependencies;
- ``time.*``: ENDEX after STARTEX, a time model that starts at STARTEX and never runs backwards,
  injects inside the exercise window, distributions whose bounds are in order;
- warnings (``warn.*``) for legal but suspicious things: a system nothing depends on and nothing
  reaches, an objective no inject serves, a dependency cycle, a credential no path leads to...
"""

from __future__ import annotations

import difflib
import math
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import jsonschema

from studio.durations import parse_minutes
from studio.gcpause import paused_gc
from studio.limits import EXACT_EXTRA_ATTEMPTS
from studio.scenario.problems import Problem, Severity, pointer
from studio.scenario.rules_bounds import BoundParts, bound_problems, exercise_length_problems, unclear_parts
from studio.scenario.rules_story import story_problems
from studio.scenario.schema import FastValidator, fast_validator, fast_validator_for, load_schema, validator

MAX_PROBLEMS = 2000
"""A document can hold thousands of errors; past this many, the rest are summarised in one line."""

_DISCRIMINATORS = ("kind", "dist", "type", "at", "on")

Path = tuple[Any, ...]


def validate_scenario(document: Any) -> list[Problem]:
    """Return the problems of ``document`` (a parsed JSON value), errors and warnings, in document order."""
    return ScenarioValidator().validate(document)


class ScenarioValidator:
    """Validation that remembers its schema findings, to revalidate only what changed.

    ``validate(document)`` checks everything; ``validate(document, changed=[...])`` re-checks against
    the schema only the parts named by ``changed`` (JSON pointers such as ``/systems/12``,
    ``/systems/12/links/0/delay``, ``/injects``; ``""`` is the whole document) and the parts that are
    not the same Python objects as at the previous call; the schema findings of the rest are reused.
    The cross-reference rules (layer 2) always run on the whole document: they are cheap, and an edit
    anywhere can break a reference elsewhere. The result is the same as ``validate_scenario``.

    Parts are the top-level fields and, for the top-level lists (systems, injects, ...), each item.
    Edit a part in place *and* name it in ``changed``, or replace it with a new object: a part edited
    in place and not named keeps its previous findings.

    A pipeline that validates its input, then validates its output built from it (``pack``: the input
    plus a timeline and injects) keeps one ScenarioValidator for both calls, so the output's unchanged
    parts are not checked twice.
    """

    def __init__(self) -> None:
        self._parts: dict[Path, tuple[Any, list[Problem]]] = {}
        self._bounds: dict[Path, tuple[Any, list[Problem]]] = {}
        self._semantic = _SemanticMemo()
        self._fresh: set[Path] | None = None
        """The parts checked again by the last call (None: all of them)."""
        self.last_schema_checks = 0
        """How many parts the last call checked against the schema (the others were reused)."""

    def validate(self, document: Any, changed: Iterable[str] | None = None) -> list[Problem]:
        with paused_gc():  # collections would walk the whole (big) document again and again
            return self._validate(document, changed)

    def _validate(self, document: Any, changed: Iterable[str] | None) -> list[Problem]:
        dirty = _dirty_parts(None if changed is None else list(changed))
        self._fresh = None
        problems = self._schema_problems(document, dirty)
        problems += self._bound_problems(document, dirty)
        if isinstance(document, dict):
            try:
                problems.extend(_SemanticChecker(document, self._semantic, self._fresh).run())
            except RecursionError:
                problems.append(Problem("", "document.depth", "the document is nested too deeply to check"))
            except Exception as exc:
                # Semantic checks read only well-formed parts; if malformed input still trips one, the
                # schema errors already explain the document, so report them rather than a traceback.
                if not problems:
                    raise
                problems.append(
                    Problem(
                        "", "document.partial", f"some rules were skipped on this malformed document ({exc})"
                    )
                )
        problems.sort(key=lambda problem: (_path_sort_key(problem.path), problem.rule))
        if len(problems) > MAX_PROBLEMS:
            dropped = len(problems) - MAX_PROBLEMS
            problems = problems[:MAX_PROBLEMS]
            problems.append(Problem("", "document.too_many_problems", f"{dropped} more problems not listed"))
        return problems

    def _schema_problems(self, document: Any, dirty: _Dirty) -> list[Problem]:
        try:
            return self._checked_parts(document, dirty)
        except RecursionError:
            self._parts.clear()
            return [Problem("", "document.depth", "the document is nested too deeply to be a scenario")]

    def _checked_parts(self, document: Any, dirty: _Dirty) -> list[Problem]:
        plan = _SchemaPlan.of()
        problems = plan.explain(document, plan.root_stripped, ())
        if not isinstance(document, dict):
            self._parts.clear()
            return problems
        parts: dict[Path, tuple[Any, list[Problem] | None]] = {}
        previous = {} if dirty[0] else self._parts  # everything changed: nothing to look up
        for key, value in document.items():
            if key not in plan.properties:
                continue  # reported above by additionalProperties
            if key in plan.item_schemas and isinstance(value, list):
                problems += plan.explain(value, plan.array_stripped[key], (key,))
                for index, item in enumerate(value):
                    parts[(key, index)] = (item, _reused(previous, (key, index), item, dirty))
            else:
                parts[(key,)] = (value, _reused(previous, (key,), value, dirty))
        to_check = [part for part, (_, found) in parts.items() if found is None]
        self.last_schema_checks = len(to_check)
        failing = plan.failing_parts(document, to_check, parts)
        self._parts = {}
        for part, (value, found) in parts.items():
            if found is None:
                found = plan.explain_part(part, value) if part in failing else []
            self._parts[part] = (value, found)
            problems += found
        if not dirty[0]:
            self._fresh = set(to_check)
        return problems

    def _bound_problems(self, document: Any, dirty: _Dirty) -> list[Problem]:
        """The bound rules (studio.scenario.rules_bounds), part by part, reusing unchanged parts'."""
        if not isinstance(document, dict):
            self._bounds.clear()
            return bound_problems(document)
        plan = BoundParts(document)
        parts: dict[Path, tuple[Any, list[Problem] | None]] = {}
        previous = {} if dirty[0] else self._bounds
        for key, value in document.items():
            if key in plan.split:
                for index, item in enumerate(value):
                    parts[(key, index)] = (item, _reused(previous, (key, index), item, dirty))
            else:
                parts[(key,)] = (value, _reused(previous, (key,), value, dirty))
        unclear = dict(
            unclear_parts([(part, value) for part, (value, found) in parts.items() if found is None])
        )
        problems: list[Problem] = []
        self._bounds = {}
        for part, (value, found) in parts.items():
            if found is None:
                found = plan.walk(part, value) if part in unclear else []
            self._bounds[part] = (value, found)
            problems += found
        return problems + exercise_length_problems(document)


_Dirty = tuple[bool, set[Path]]
"""(everything changed?, the parts named as changed)."""


def _reused(
    previous_parts: dict[Path, tuple[Any, list[Problem]]], part: Path, value: Any, dirty: _Dirty
) -> list[Problem] | None:
    """The findings of ``part`` at the previous call, if it is neither named as changed nor replaced."""
    previous = previous_parts.get(part)
    if previous is None or previous[0] is not value:
        return None
    dirty_all, named = dirty
    if dirty_all or part in named or part[:1] in named:
        return None
    return previous[1]


def _annotations_only(spec: Any) -> dict[str, Any]:
    """A schema that accepts anything and keeps ``spec``'s description (read from its $ref if need be)."""
    if not isinstance(spec, dict):
        return {}
    description = spec.get("description")
    if description is None and isinstance(spec.get("$ref"), str):
        description = _resolve(spec["$ref"]).get("description")
    return {} if description is None else {"description": description}


def _dirty_parts(changed: list[str] | None) -> _Dirty:
    """(everything changed?, the parts named by the JSON pointers ``changed``)."""
    if changed is None:
        return True, set()
    dirty: set[Path] = set()
    for where in changed:
        segments = [part.replace("~1", "/").replace("~0", "~") for part in where.split("/")[1:]]
        if not segments or not segments[0]:
            return True, set()
        if len(segments) > 1 and segments[1].isdigit():
            dirty.add((segments[0], int(segments[1])))
        else:
            dirty.add((segments[0],))
    return False, dirty


class _SchemaPlan:
    """The scenario schema cut into parts (see ScenarioValidator), with a fast validator per part.

    The fast validator (jsonschema-rs) says which parts fail; jsonschema then explains only those,
    with exactly the errors it would report on the whole document: the root and the lists are checked
    with their items (or fields) accepted as they are, and each part by jsonschema's own ``descend``
    at its path.
    """

    _instance: _SchemaPlan | None = None

    @classmethod
    def of(cls) -> _SchemaPlan:
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def __init__(self) -> None:
        schema = load_schema()
        self.slow = validator()
        self.fast = fast_validator()
        self.properties: dict[str, Any] = schema.get("properties", {})
        # Fields accepted as they are, keeping the descriptions the "required" hints quote.
        self.root_stripped = {
            **schema,
            "properties": {key: _annotations_only(spec) for key, spec in self.properties.items()},
        }
        self.item_schemas = {
            key: spec["items"]
            for key, spec in self.properties.items()
            if isinstance(spec, dict) and "items" in spec and "prefixItems" not in spec
        }
        # The lists' own keywords (type, minItems) without "items": jsonschema would otherwise visit
        # each item to accept it (10k Python calls per check at 10k systems).
        self.array_stripped = {
            key: {name: spec for name, spec in self.properties[key].items() if name != "items"}
            for key in self.item_schemas
        }
        self._part_validators: dict[str, FastValidator | None] = {}

    def explain(self, instance: Any, schema: Any, path: Path) -> list[Problem]:
        """jsonschema's explained errors of ``instance`` against ``schema``, located at ``path``."""
        problems = []
        for error in self.slow.descend(instance, schema):
            error.path.extendleft(reversed(path))
            problems.extend(_explain(error))
        return problems

    def explain_part(self, part: Path, value: Any) -> list[Problem]:
        key = part[0]
        schema = self.item_schemas[key] if len(part) == 2 else self.properties[key]
        return self.explain(value, schema, part)

    def failing_parts(
        self, document: dict[str, Any], to_check: list[Path], parts: dict[Path, tuple[Any, Any]]
    ) -> set[Path]:
        """The parts of ``to_check`` the fast validator rejects (all of them without one)."""
        if not to_check:
            return set()
        if self.fast is None:
            return set(to_check)
        if len(to_check) * 4 >= len(parts):  # most of the document: one call on all of it
            paths = self.fast.failing_paths(document)
            if paths is None:
                return set(to_check)
            located = {
                path[:2] if len(path) > 1 and path[0] in self.item_schemas else path[:1] for path in paths
            }
            return located & set(to_check)
        failing = set()
        for part in to_check:
            checker = self._part_validator(part)
            if checker is None or checker.is_valid(parts[part][0]) is not True:
                failing.add(part)
        return failing

    def _part_validator(self, part: Path) -> FastValidator | None:
        name = f"{part[0]}/items" if len(part) == 2 else part[0]
        if name not in self._part_validators:
            spec = self.item_schemas[part[0]] if len(part) == 2 else self.properties[part[0]]
            self._part_validators[name] = fast_validator_for(spec) if isinstance(spec, dict) else None
        return self._part_validators[name]


def errors_only(problems: Iterable[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.is_error]


def _path_sort_key(path: str) -> tuple[tuple[int, int | str], ...]:
    parts = path.split("/")[1:] if path else []
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in parts)


# --- Layer 1: the JSON Schema ------------------------------------------------------------------------


def _explain(error: jsonschema.ValidationError) -> Iterator[Problem]:
    if error.validator in ("oneOf", "anyOf") and error.context:
        branch_errors = _chosen_branch_errors(error)
        if branch_errors:
            for sub in branch_errors:
                yield from _explain(sub)
            return
    yield _describe(error)


def _chosen_branch_errors(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """Errors of the oneOf branch the instance meant, chosen by its discriminating field."""
    by_branch: dict[int, list[jsonschema.ValidationError]] = defaultdict(list)
    for sub in error.context or []:
        by_branch[sub.schema_path[0]].append(sub)
    depth = len(error.absolute_path)

    def mismatched(sub: jsonschema.ValidationError) -> bool:
        relative = list(sub.absolute_path)[depth:]
        if sub.validator == "required" and any(f"'{key}'" in sub.message for key in _DISCRIMINATORS):
            return True
        return len(relative) == 1 and relative[0] in _DISCRIMINATORS and sub.validator in ("const", "enum")

    plausible = [errors for errors in by_branch.values() if not any(mismatched(sub) for sub in errors)]
    if len(plausible) == 1:
        return plausible[0]
    return []


def _schema_at(error: jsonschema.ValidationError) -> dict[str, Any]:
    schema = error.schema
    return schema if isinstance(schema, dict) else {}


def _describe(error: jsonschema.ValidationError) -> Problem:
    path = list(error.absolute_path)
    rule = f"schema.{error.validator}"
    value = error.instance
    schema = _schema_at(error)
    hint = ""
    if error.validator == "required":
        missing = _quoted(error.message)
        path.append(missing)
        message = f"required field '{missing}' is missing"
        hint = _field_description(error, missing) or "add this field"
    elif error.validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extras = sorted(key for key in value if key not in allowed) if isinstance(value, dict) else []
        extra = extras[0] if extras else "?"
        path.append(extra)
        message = f"unknown field '{extra}'" + (f" (and {len(extras) - 1} more)" if len(extras) > 1 else "")
        close = difflib.get_close_matches(extra, allowed, n=1)
        hint = (f"did you mean '{close[0]}'? " if close else "") + f"allowed fields: {', '.join(allowed)}"
    elif error.validator in ("enum", "const"):
        options = schema.get("enum", [schema.get("const")])
        message = f"{_short(value)} is not an allowed value"
        close = difflib.get_close_matches(str(value), [str(option) for option in options], n=1)
        hint = (f"did you mean '{close[0]}'? " if close else "") + "allowed: " + ", ".join(map(str, options))
    elif error.validator == "type":
        expected = schema.get("type")
        message = f"expected {_type_words(expected)}, found {_json_type(value)}"
        hint = _field_description(error) or ""
    elif error.validator == "pattern":
        message = f"{_short(value)} does not have the expected form"
        hint = (schema.get("description") or _pattern_hint(schema.get("pattern", ""))) or ""
    elif error.validator == "format":
        message = f"{_short(value)} is not a valid {schema.get('format')}"
        hint = "write it like 2025-02-10T02:00:00+01:00 (date, time and UTC offset)"
        if schema.get("format") == "date":
            hint = "write it like 2025-02-10"
    elif error.validator == "maxLength":
        message = f"text of {len(value):,} characters is over the {schema['maxLength']:,}-character limit"
        hint = "shorten it or move long material to an attachment"
    elif error.validator == "minLength":
        message = "must not be empty"
    elif error.validator in ("minItems", "maxItems"):
        bound = schema.get(error.validator)
        limit = "at least" if error.validator == "minItems" else "at most"
        message = f"list has {len(value)} items; {limit} {bound} needed"
    elif error.validator == "uniqueItems":
        message = "the list repeats an item"
        hint = "remove the duplicate"
    elif error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        message = f"{_short(value)} is out of range ({error.validator} {schema.get(error.validator)})"
    elif error.validator in ("oneOf", "anyOf"):
        message = "does not match any of the allowed shapes"
        hint = _shapes_hint(schema)
    else:
        message = error.message if len(error.message) < 300 else error.message[:297] + "..."
    return Problem(pointer(path), rule, message, hint, Severity.ERROR)


def _quoted(message: str) -> str:
    start = message.find("'")
    end = message.find("'", start + 1)
    return message[start + 1 : end] if start >= 0 and end > start else "?"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _type_words(expected: Any) -> str:
    words = {
        "object": "an object",
        "array": "a list",
        "string": "text",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "null": "null",
    }
    if isinstance(expected, list):
        return " or ".join(words.get(item, item) for item in expected)
    return words.get(expected, str(expected))


def _pattern_hint(pattern: str) -> str:
    if pattern.startswith("^P"):
        return "an ISO-8601 duration such as PT2H30M, P3D or P1DT6H"
    return f"must match {pattern}"


def _field_description(error: jsonschema.ValidationError, field: str | None = None) -> str:
    schema = _schema_at(error)
    if field is not None:
        schema = schema.get("properties", {}).get(field, {})
    if "$ref" in schema and "description" not in schema:
        schema = _resolve(schema["$ref"])
    return str(schema.get("description", ""))


def _resolve(ref: str) -> dict[str, Any]:
    if not ref.startswith("#/$defs/"):
        return {}
    return load_schema()["$defs"].get(ref.removeprefix("#/$defs/"), {})


def _shapes_hint(schema: dict[str, Any]) -> str:
    shapes = []
    for branch in schema.get("oneOf", schema.get("anyOf", [])):
        properties = branch.get("properties", {})
        for key in _DISCRIMINATORS:
            spec = properties.get(key, {})
            if "const" in spec:
                shapes.append(f"{key}={spec['const']}")
                break
            if "enum" in spec:
                shapes.append(f"{key} in {'/'.join(map(str, spec['enum']))}")
                break
        else:
            required = branch.get("required", [])
            if required:
                shapes.append("{" + ", ".join(required) + "}")
    return ("expected one of: " + "; ".join(shapes)) if shapes else ""


# --- Layer 2: rules a schema cannot say -------------------------------------------------------------


def _items(document: dict[str, Any], key: str) -> list[tuple[Path, dict[str, Any]]]:
    """(path, item) for each object in the list document[key]; anything malformed is skipped."""
    value = document.get(key)
    if not isinstance(value, list):
        return []
    return [((key, index), item) for index, item in enumerate(value) if isinstance(item, dict)]


def _sub_items(parent_path: Path, parent: dict[str, Any], key: str) -> list[tuple[Path, dict[str, Any]]]:
    return [((*parent_path, *path), item) for path, item in _items(parent, key)]


def _minutes(value: Any) -> float | None:
    if isinstance(value, str):
        return _text_minutes(value)
    try:
        return parse_minutes(value)
    except (ValueError, TypeError):
        return None


@lru_cache(maxsize=4096)
def _text_minutes(value: str) -> float | None:
    """Durations repeat (designers reuse a few shapes): parse each distinct text once."""
    try:
        return parse_minutes(value)
    except (ValueError, TypeError):
        return None


def _datetime(value: Any) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except (ValueError, TypeError):
        return None
    return parsed if parsed.tzinfo is not None else None


_BOUND_NAMES = {
    "uniform": ("min", "max"),
    "triangular": ("min", "mode", "max"),
    "lognormal": ("median", "p90"),
}


def _delay_in_order(delay: dict[str, Any]) -> bool:
    """Whether the bounds of a delay are in order (unreadable ones are the schema's business).
    Designers reuse a few delay shapes on thousands of links: each distinct one is parsed once.
    (Called once per link: the names are spelled out rather than looked up.)"""
    dist = delay.get("dist")
    try:
        if dist == "uniform":
            return _text_bounds_in_order(dist, delay.get("min"), delay.get("max"))
        if dist == "lognormal":
            return _text_bounds_in_order(dist, delay.get("median"), delay.get("p90"))
        if dist == "triangular":
            return _text_bounds_in_order(dist, delay.get("min"), delay.get("mode"), delay.get("max"))
    except TypeError:  # an unhashable value: the schema reports it
        return True
    return True


@lru_cache(maxsize=4096)
def _text_bounds_in_order(dist: str, *values: Any) -> bool:
    bounds = [_minutes(value) for value in values]
    return any(bound is None for bound in bounds) or bounds == sorted(bounds)


def _exact_extra_attempts() -> int:
    return EXACT_EXTRA_ATTEMPTS


def _str_list(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


@dataclass
class _SemanticMemo:
    """What a run of the rules leaves for the next one (see ScenarioValidator)."""

    systems_context: Any = None
    systems: dict[int, tuple[Any, list[Problem], tuple[list[str], list[str]]]] = field(default_factory=dict)
    """Per index in /systems: (the system, its findings, its link targets)."""
    cycles: tuple[list[tuple[str, str]], list[list[str]]] | None = None
    """(the depends edges, the dependency cycles among them)."""


class _SemanticChecker:
    """Runs the layer-2 rules over one document; each ``_check_*`` method covers one family."""

    def __init__(
        self, document: dict[str, Any], memo: _SemanticMemo | None = None, fresh: set[Path] | None = None
    ) -> None:
        self.doc = document
        self.problems: list[Problem] = []
        self.ids: dict[str, dict[str, Path]] = {}
        self.window: float | None = None
        self.sessions: list[tuple[float, float]] = []
        self.memo = memo if memo is not None else _SemanticMemo()
        """Findings of the previous run, reused for the parts not in ``fresh`` (None: reuse nothing)."""
        self.fresh = fresh
        self.link_targets: dict[str, tuple[list[str], list[str]]] = {}
        """Reach and depends targets (known systems only) of the first system of each id."""

    def run(self) -> list[Problem]:
        self.systems = _items(self.doc, "systems")
        for collection in (
            "organisations",
            "cells",
            "personas",
            "objectives",
            "systems",
            "playbooks",
            "injects",
        ):
            items = self.systems if collection == "systems" else _items(self.doc, collection)
            self.ids[collection] = self._index(items, collection)
        self.ids["reflex_sheets"] = self._index(_items(self.doc, "reflex_sheets"), "reflex sheets")
        self.ids["sites"] = self._index(
            [
                entry
                for path, org in _items(self.doc, "organisations")
                for entry in _sub_items(path, org, "sites")
            ],
            "sites",
        )
        timeline = self.doc.get("timeline")
        events = _sub_items(("timeline",), timeline, "events") if isinstance(timeline, dict) else []
        self.ids["events"] = self._index(events, "timeline events")
        self.system_kind: dict[str, Any] = {}
        self.zones: set[Any] = set()
        for _, item in self.systems:
            ident = item.get("id")
            if isinstance(ident, str):
                self.system_kind[ident] = item.get("kind")
            self.zones.add(item.get("zone"))
        self._check_organisations_cells_personas()
        self._check_systems()
        self._check_attack()
        self._check_playbooks()
        self._check_time()
        self._check_timeline(events)
        self._check_injects()
        self._check_graph_warnings()
        self.problems.extend(story_problems(self.doc, self.ids))
        return self.problems

    # helpers

    def _add(self, path: Path, rule: str, message: str, hint: str = "", warning: bool = False) -> None:
        severity = Severity.WARNING if warning else Severity.ERROR
        self.problems.append(Problem(pointer(path), rule, message, hint, severity))

    def _index(self, items: list[tuple[Path, dict[str, Any]]], what: str) -> dict[str, Path]:
        seen: dict[str, Path] = {}
        for path, item in items:
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                self._add(
                    (*path, "id"),
                    "ids.unique",
                    f"id '{ident}' is used twice among {what}",
                    f"first used at {pointer(seen[ident])}; give each one its own id",
                )
            else:
                seen[ident] = path
        return seen

    def _ref(self, path: Path, value: Any, collection: str, what: str, rule: str | None = None) -> bool:
        """Report ``value`` at ``path`` if it is a string that names no item of ``collection``."""
        if not isinstance(value, str) or value in self.ids[collection]:
            return True
        known = list(self.ids[collection])
        close = difflib.get_close_matches(value, known, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        hint += (
            f"known {what}: {', '.join(known[:12])}" + (" ..." if len(known) > 12 else "") if known else ""
        )
        self._add(
            path, rule or f"ref.{collection}", f"'{value}' is not a known {what.rstrip('s')}", hint.strip()
        )
        return False

    def _ref_list(self, path: Path, values: Any, collection: str, what: str, rule: str | None = None) -> None:
        if isinstance(values, list):
            for index, value in enumerate(values):
                self._ref((*path, index), value, collection, what, rule)

    def _credential(self, path: Path, value: Any, target: Any = None) -> None:
        """Check a credential node, one that a movement to ``target`` requires if given."""
        if self._ref(path, value, "systems", "systems", "ref.credential") and isinstance(value, str):
            if self.system_kind.get(value) != "credential":
                self._add(
                    path,
                    "ref.credential",
                    f"'{value}' is a {self.system_kind.get(value)} node, not a credential",
                    "point to a system of kind 'credential' (e.g. domain admin)",
                )
            elif value == target:
                self._add(
                    path,
                    "ref.requires_own_target",
                    f"this movement obtains credential '{value}' but needs it first: it can never start",
                    "require the credential the attacker must already hold to make this movement",
                )

    def _delay_order(self, path: Path, delay: Any) -> None:
        if not isinstance(delay, dict):
            return
        if not _delay_in_order(delay):
            dist = delay["dist"]
            names = " <= ".join(_BOUND_NAMES[dist])
            self._add(path, "time.delay_order", f"{dist} delay bounds are out of order", f"need {names}")

    def _trigger(self, path: Path, trigger: Any) -> None:
        if not isinstance(trigger, dict):
            return
        node = trigger.get("node")
        if trigger.get("on") == "credential_obtained" and node is not None:
            self._credential((*path, "node"), node)
        else:
            self._ref((*path, "node"), node, "systems", "systems")
        self._delay_order((*path, "delay"), trigger.get("delay"))

    # rule families

    def _check_organisations_cells_personas(self) -> None:
        for path, org in _items(self.doc, "organisations"):
            self._ref((*path, "member_of"), org.get("member_of"), "organisations", "organisations")
            self._ref_list((*path, "fallback_for"), org.get("fallback_for"), "organisations", "organisations")
        for path, cell in _items(self.doc, "cells"):
            self._ref((*path, "organisation"), cell.get("organisation"), "organisations", "organisations")
        cell_type = {item.get("id"): item.get("type") for _, item in _items(self.doc, "cells")}
        for path, persona in _items(self.doc, "personas"):
            self._ref((*path, "organisation"), persona.get("organisation"), "organisations", "organisations")
            played_by = persona.get("played_by")
            if self._ref((*path, "played_by"), played_by, "cells", "cells") and played_by in cell_type:
                if cell_type[played_by] == "player":
                    self._add(
                        (*path, "played_by"),
                        "warn.persona_played_by_player",
                        f"persona is played by player cell '{played_by}'",
                        "personas are normally played by the animation cell",
                        warning=True,
                    )
        for path, objective in _items(self.doc, "objectives"):
            self._ref_list((*path, "cells"), objective.get("cells"), "cells", "cells")
            self._index(
                _sub_items(path, objective, "criteria"), f"criteria of objective {objective.get('id')}"
            )
        for path, sheet in _items(self.doc, "reflex_sheets"):
            self._ref_list((*path, "cells"), sheet.get("cells"), "cells", "cells")

    def _check_systems(self) -> None:
        sites_of = {
            org.get("id"): {site.get("id") for _, site in _sub_items(path, org, "sites")}
            for path, org in _items(self.doc, "organisations")
        }
        # What a system's findings depend on besides the system itself: when it is as at the previous
        # run, an unchanged system's findings are too (the studio's one edit at 10k systems).
        context = (
            self.ids["organisations"],
            self.ids["sites"],
            self.ids["systems"],
            sites_of,
            self.system_kind,
        )
        memo = self.memo
        reusable = memo.systems if self.fresh is not None and memo.systems_context == context else {}
        found: dict[int, tuple[Any, list[Problem], tuple[list[str], list[str]]]] = {}
        first = self.ids["systems"]
        for path, system in self.systems:
            index = path[1]
            previous = reusable.get(index)
            if previous is not None and previous[0] is system and path not in self.fresh:  # type: ignore[operator]
                problems, targets = previous[1], previous[2]
                self.problems += problems
            else:
                start = len(self.problems)
                targets = self._check_system(path, system, sites_of)
                problems = self.problems[start:]
            found[index] = (system, problems, targets)
            own_id = system.get("id")
            if isinstance(own_id, str) and first.get(own_id) == path:
                self.link_targets[own_id] = targets
        memo.systems_context, memo.systems = context, found

    def _check_system(
        self, path: Path, system: dict[str, Any], sites_of: dict[Any, set[Any]]
    ) -> tuple[list[str], list[str]]:
        """Check one system; return the known systems its links reach and depend on."""
        self._ref((*path, "organisation"), system.get("organisation"), "organisations", "organisations")
        site = system.get("site")
        if self._ref((*path, "site"), site, "sites", "sites"):
            org = system.get("organisation")
            if isinstance(site, str) and org in sites_of and site not in sites_of[org]:
                self._add(
                    (*path, "site"),
                    "ref.site_organisation",
                    f"site '{site}' does not belong to organisation '{org}'",
                    "pick a site listed under that organisation",
                )
        backup = system.get("backup")
        if self._ref((*path, "backup"), backup, "systems", "systems") and isinstance(backup, str):
            if self.system_kind.get(backup) != "backup":
                self._add(
                    (*path, "backup"),
                    "warn.backup_kind",
                    f"backup '{backup}' is a {self.system_kind.get(backup)} node",
                    "restores read from a node of kind 'backup'",
                    warning=True,
                )
        self._delay_order((*path, "recovery_time"), system.get("recovery_time"))
        return self._check_links(path, system)

    def _check_links(self, path: Path, system: dict[str, Any]) -> tuple[list[str], list[str]]:
        # The hot loop of a big scenario (50k links at 10k systems): paths are built only for what
        # needs a closer look.
        links = system.get("links")
        depends = 0
        known = self.ids["systems"]
        own_id = system.get("id")
        reach_targets: list[str] = []
        depends_targets: list[str] = []
        for index, link in enumerate(links if isinstance(links, list) else ()):
            if not isinstance(link, dict):
                continue
            target = link.get("target")
            kind = link.get("kind")
            if isinstance(target, str) and target in known:
                if kind == "reach":
                    reach_targets.append(target)
                elif kind == "depends":
                    depends_targets.append(target)
                usual = target != own_id
            else:
                usual = False
            if not usual:
                link_path = (*path, "links", index)
                if self._ref((*link_path, "target"), target, "systems", "systems", "ref.link_target"):
                    if target == own_id:
                        self._add(
                            (*link_path, "target"), "ref.self_link", "a link points back to its own system"
                        )
            if kind == "depends":
                depends += 1
            if "requires" in link:
                self._credential((*path, "links", index, "requires"), link.get("requires"), target)
            also_requires = link.get("also_requires")
            if also_requires:
                for position, credential in enumerate(_str_list(also_requires)):
                    self._credential((*path, "links", index, "also_requires", position), credential, target)
            if "p_success" in link:
                self._warn_approximated_retries((*path, "links", index), link)
            delay = link.get("delay")
            if isinstance(delay, dict) and not _delay_in_order(delay):
                self._delay_order((*path, "links", index, "delay"), delay)
        gate = system.get("gate")
        if isinstance(gate, dict) and gate.get("type") == "k_of_n" and isinstance(gate.get("k"), int):
            if gate["k"] > depends:
                self._add(
                    (*path, "gate", "k"),
                    "gate.k_exceeds_n",
                    f"k-of-n gate needs {gate['k']} dependencies but the system has {depends} depends links",
                    "lower k or add depends links",
                )
        return reach_targets, depends_targets

    def _warn_approximated_retries(self, link_path: Path, link: dict[str, Any]) -> None:
        p, limit = link.get("p_success"), link.get("max_attempts")
        if not isinstance(p, int | float) or isinstance(p, bool) or not 0 < p < 1:
            return
        exact = _exact_extra_attempts()
        if isinstance(limit, int) and limit <= exact + 1:
            return
        # share of runs needing more attempts than are drawn one by one
        beyond = math.exp((exact + 1) * math.log1p(-p))
        if beyond > 1e-3:
            self._add(
                (*link_path, "p_success"),
                "warn.retries_approximated",
                f"with p_success {p} the movement needs over {exact + 1:,} attempts in "
                f"{beyond:.1%} of runs; the delays of the attempts beyond are summed as one normal draw",
                "fine for a slow, stubborn attacker; set max_attempts if the attacker gives up",
                warning=True,
            )

    def _check_attack(self) -> None:
        attack = self.doc.get("attack")
        if not isinstance(attack, dict):
            return
        for path, access in _sub_items(("attack",), attack, "initial_access"):
            self._ref((*path, "node"), access.get("node"), "systems", "systems", "ref.initial_access")
        detonation = attack.get("detonation")
        if isinstance(detonation, dict):
            self._trigger(("attack", "detonation", "trigger"), detonation.get("trigger"))
            if "domain_credential" in detonation:
                self._credential(
                    ("attack", "detonation", "domain_credential"), detonation["domain_credential"]
                )
            elif "domain_joined" in _str_list(detonation.get("scope")):
                self._add(
                    ("attack", "detonation", "scope"),
                    "ref.domain_credential",
                    "scope 'domain_joined' needs attack.detonation.domain_credential",
                    "name the credential (e.g. domain admin) with which the attacker pushes encryption",
                )
        self._index(_sub_items(("attack",), attack, "exfiltration"), "exfiltrations")
        for path, exfil in _sub_items(("attack",), attack, "exfiltration"):
            self._ref((*path, "node"), exfil.get("node"), "systems", "systems")
            self._trigger((*path, "trigger"), exfil.get("trigger"))
        for path, detection in _sub_items(("attack",), attack, "detection"):
            self._trigger((*path, "trigger"), detection.get("trigger"))
            self._delay_order((*path, "delay"), detection.get("delay"))

    def _check_playbooks(self) -> None:
        defaults = [
            path for path, playbook in _items(self.doc, "playbooks") if playbook.get("default") is True
        ]
        for path in defaults[1:]:
            self._add(
                (*path, "default"),
                "playbook.default_unique",
                "more than one playbook is the default",
                "mark only one playbook as default",
            )
        needs_targets = {"isolate_node", "reset_credentials", "activate_degraded_mode", "restore", "shutdown"}
        for path, playbook in _items(self.doc, "playbooks"):
            self._index(_sub_items(path, playbook, "actions"), f"actions of playbook {playbook.get('id')}")
            for action_path, action in _sub_items(path, playbook, "actions"):
                kind = action.get("action")
                self._trigger((*action_path, "trigger"), action.get("trigger"))
                if kind == "reset_credentials":
                    for index, target in enumerate(_str_list(action.get("targets"))):
                        self._credential((*action_path, "targets", index), target)
                else:
                    self._ref_list(
                        (*action_path, "targets"),
                        action.get("targets"),
                        "systems",
                        "systems",
                        "ref.playbook_target",
                    )
                if kind in needs_targets and not action.get("targets"):
                    self._add(
                        (*action_path, "targets"),
                        "playbook.targets_missing",
                        f"'{kind}' needs targets",
                        "list the nodes this action applies to",
                    )
                if kind == "isolate_zone":
                    zones = _str_list(action.get("zones"))
                    if not zones:
                        self._add(
                            (*action_path, "zones"),
                            "playbook.zones_missing",
                            "'isolate_zone' needs zones",
                            "list the zones to isolate",
                        )
                    for index, zone in enumerate(zones):
                        if zone not in self.zones:
                            known = sorted(z for z in self.zones if isinstance(z, str))
                            self._add(
                                (*action_path, "zones", index),
                                "ref.zone",
                                f"no system is in zone '{zone}'",
                                "known zones: " + ", ".join(known),
                            )

    def _check_time(self) -> None:
        exercise = self.doc.get("exercise")
        if not isinstance(exercise, dict):
            return
        startex, endex = _datetime(exercise.get("startex")), _datetime(exercise.get("endex"))
        if startex and endex:
            if endex <= startex:
                self._add(
                    ("exercise", "endex"),
                    "time.endex_before_startex",
                    "ENDEX is not after STARTEX",
                    "set endex later than startex",
                )
            else:
                self.window = (endex - startex).total_seconds() / 60
        self._check_sessions(exercise, startex, endex)
        model = exercise.get("time_model")
        if not isinstance(model, dict):
            return
        previous: tuple[float, float, float] | None = None
        for path, segment in _sub_items(("exercise", "time_model"), model, "segments"):
            start, shown, speed = (
                _minutes(segment.get("from")),
                _minutes(segment.get("scenario_offset")),
                segment.get("speed"),
            )
            if (
                start is None
                or shown is None
                or not isinstance(speed, int | float)
                or isinstance(speed, bool)
            ):
                previous = None
                continue
            if previous is None and path[-1] == 0 and start != 0:
                self._add(
                    (*path, "from"),
                    "time.model_start",
                    "the first segment must start at STARTEX (PT0S)",
                    "set from to PT0S",
                )
            if previous is not None:
                prev_start, prev_shown, prev_speed = previous
                if start <= prev_start:
                    self._add(
                        (*path, "from"),
                        "time.segments_order",
                        "segments must start in increasing order",
                        "sort the segments by 'from'",
                    )
                elif shown < prev_shown + (start - prev_start) * prev_speed - 1e-9:
                    self._add(
                        (*path, "scenario_offset"),
                        "time.backwards",
                        "the scenario clock would run backwards here",
                        "a segment's scenario_offset must be at least where the previous segment has reached",
                    )
            previous = (start, shown, float(speed))

    def _check_sessions(
        self, exercise: dict[str, Any], startex: datetime | None, endex: datetime | None
    ) -> None:
        previous_end: datetime | None = None
        for path, session in _sub_items(("exercise",), exercise, "sessions"):
            start, end = _datetime(session.get("start")), _datetime(session.get("end"))
            if start is None or end is None:
                continue
            if end <= start:
                self._add(
                    (*path, "end"),
                    "time.session_order",
                    "a session ends before it starts",
                    "set end later than start",
                )
            if startex and endex and (start < startex or end > endex):
                self._add(
                    path,
                    "time.session_outside_window",
                    "the session is not inside STARTEX-ENDEX",
                    "sessions are the played parts of the exercise window",
                )
            if previous_end is not None and start < previous_end:
                self._add(
                    (*path, "start"),
                    "time.sessions_overlap",
                    "sessions overlap or are not in time order",
                    "list sessions in order, without overlap",
                )
            previous_end = end
            if startex is not None:
                self.sessions.append(
                    ((start - startex).total_seconds() / 60, (end - startex).total_seconds() / 60)
                )

    def _check_timeline(self, events: list[tuple[Path, dict[str, Any]]]) -> None:
        seen: set[str] = set()
        for path, event in events:
            self._ref((*path, "node"), event.get("node"), "systems", "systems")
            for index, cause in enumerate(_str_list(event.get("causes"))):
                if cause not in seen:
                    if cause in self.ids["events"]:
                        self._add(
                            (*path, "causes", index),
                            "timeline.cause_order",
                            f"cause '{cause}' comes after the event it causes",
                            "events must be listed in time order, causes first",
                        )
                    else:
                        self._ref((*path, "causes", index), cause, "events", "timeline events")
            if isinstance(event.get("id"), str):
                seen.add(event["id"])
        timeline = self.doc.get("timeline")
        if isinstance(timeline, dict):
            self._ref(("timeline", "playbook"), timeline.get("playbook"), "playbooks", "playbooks")

    def _check_injects(self) -> None:
        cell_type = {item.get("id"): item.get("type") for _, item in _items(self.doc, "cells")}
        has_timeline = isinstance(self.doc.get("timeline"), dict)
        injects = _items(self.doc, "injects")
        self._check_contingency_cycles(injects)
        for path, inject in injects:
            self._ref((*path, "from"), inject.get("from"), "personas", "personas")
            for key in ("to", "cc"):
                self._ref_list((*path, key), inject.get(key), "cells", "cells")
            for index, cell in enumerate(_str_list(inject.get("to"))):
                if cell_type.get(cell) not in (None, "player"):
                    self._add(
                        (*path, "to", index),
                        "warn.inject_to_non_player",
                        f"inject is addressed to {cell_type[cell]} cell '{cell}'",
                        "injects normally go to player cells",
                        warning=True,
                    )
            self._ref((*path, "establishment"), inject.get("establishment"), "organisations", "organisations")
            self._ref_list((*path, "objective_ids"), inject.get("objective_ids"), "objectives", "objectives")
            self._ref_list((*path, "system_refs"), inject.get("system_refs"), "systems", "systems")
            self._ref((*path, "contingency_for"), inject.get("contingency_for"), "injects", "injects")
            backed_up = inject.get("contingency_for")
            if backed_up is not None and backed_up == inject.get("id"):
                self._add(
                    (*path, "contingency_for"),
                    "ref.contingency_self",
                    "the inject is held in reserve for itself",
                    "point contingency_for at the inject this one backs up",
                )
            if inject.get("cause_refs") and not has_timeline:
                self._add(
                    (*path, "cause_refs"),
                    "ref.events",
                    "cause_refs name timeline events but the scenario has no timeline",
                    "run the simulation and keep its timeline, or remove cause_refs",
                )
            else:
                self._ref_list((*path, "cause_refs"), inject.get("cause_refs"), "events", "timeline events")
            offset = _minutes(inject.get("offset"))
            if offset is not None and self.sessions and not any(a <= offset <= b for a, b in self.sessions):
                self._add(
                    (*path, "offset"),
                    "time.inject_outside_session",
                    "inject is played while play is paused (outside every session)",
                    "move it into a session or add a session",
                )
            if offset is not None and self.window is not None and offset > self.window:
                self._add(
                    (*path, "offset"),
                    "time.inject_after_endex",
                    "inject is played after ENDEX",
                    "move it inside the exercise window or extend ENDEX",
                )

    def _check_contingency_cycles(self, injects: list[tuple[Path, dict[str, Any]]]) -> None:
        """Flag each cycle of two or more injects held in reserve for one another, once.

        Every inject backs up at most one other, so following ``contingency_for`` from each inject
        either ends or enters exactly one cycle. A cycle is reported at its first inject in file
        order; a one-inject cycle is ``ref.contingency_self``, reported with the inject itself.
        """
        positions = self.ids["injects"]
        backs_up: dict[str, str] = {}
        for path, inject in injects:
            ident, backed_up = inject.get("id"), inject.get("contingency_for")
            if (
                isinstance(ident, str)
                and positions.get(ident) == path
                and isinstance(backed_up, str)
                and backed_up in positions
                and backed_up != ident
            ):
                backs_up[ident] = backed_up
        explored: set[str] = set()
        cycles: list[list[str]] = []
        for start in backs_up:
            walk: dict[str, None] = {}
            current = start
            while current in backs_up and current not in explored and current not in walk:
                walk[current] = None
                current = backs_up[current]
            if current in walk:
                members = list(walk)[list(walk).index(current) :]
                first = members.index(min(members, key=lambda ident: positions[ident]))
                cycles.append(members[first:] + members[:first])
            explored.update(walk)
        for cycle in sorted(cycles, key=lambda members: positions[members[0]]):
            self._add(
                (*positions[cycle[0]], "contingency_for"),
                "ref.contingency_cycle",
                f"injects held in reserve for one another in a cycle: {' -> '.join([*cycle, cycle[0]])}",
                "a contingency backs up an inject that is played if the first fails; point one of them "
                "at the inject it really backs up, or remove its contingency_for",
            )

    def _check_graph_warnings(self) -> None:
        graph = _GraphFacts.of_targets(self.doc, self.ids["systems"], self.link_targets, self.memo)
        positions = self.ids["systems"]
        attack = self.doc.get("attack")
        entry_points = {
            access.get("node")
            for _, access in (_items(attack, "initial_access") if isinstance(attack, dict) else [])
        }
        for node in graph.untouched():
            if node in positions and node not in entry_points:
                self._add(
                    (*positions[node], "id"),
                    "warn.untouched_system",
                    f"nothing depends on '{node}' and nothing reaches it",
                    "link it (depends or reach) or remove it: it cannot change during the simulation",
                    warning=True,
                )
        for cycle in graph.dependency_cycles():
            first = min(cycle)
            bootstrap = [node for node in cycle if graph.systems[node].get("bootstrap")]
            self._add(
                (*positions.get(first, ("systems",)), "links"),
                "warn.dependency_cycle",
                "dependency cycle: " + " -> ".join(sorted(cycle)),
                "restoring it will deadlock unless one node is marked bootstrap"
                if not bootstrap
                else f"restore starts from bootstrap node(s) {', '.join(sorted(bootstrap))}",
                warning=True,
            )
        self._warn_unreached_credentials(graph.reached)
        injects = [item for _, item in _items(self.doc, "injects")]
        if injects:
            served = {obj for inject in injects for obj in _str_list(inject.get("objective_ids"))}
            for path, objective in _items(self.doc, "objectives"):
                if objective.get("id") not in served:
                    self._add(
                        (*path, "id"),
                        "warn.objective_unserved",
                        f"no inject serves objective '{objective.get('id')}'",
                        "add objective_ids to an inject or regenerate the MSEL",
                        warning=True,
                    )

    def _warn_unreached_credentials(self, reached: set[str]) -> None:
        for node, kind in self.system_kind.items():
            if kind == "credential" and node not in reached and node in self.ids["systems"]:
                self._add(
                    (*self.ids["systems"][node], "id"),
                    "warn.credential_unreachable",
                    f"no reach link leads to credential '{node}'",
                    "add a reach link from the node where the attacker can obtain it",
                    warning=True,
                )


class _GraphFacts:
    """What the graph warnings need from the systems graph, read straight from the document.

    The same graph as studio.graph.model.build_graph (first system of each id, links to known ids
    only; tests check both agree) without building networkx objects: at 10k systems that took most
    of the validation time.
    """

    def __init__(self, document: dict[str, Any]) -> None:
        from studio.graph.model import LINK_KINDS, system_entries

        self.systems = dict(system_entries(document))
        targets: dict[str, tuple[list[str], list[str]]] = {}
        for holder, system in self.systems.items():
            links = system.get("links")
            reach_targets: list[str] = []
            depends_targets: list[str] = []
            for link in links if isinstance(links, list) else ():
                if not isinstance(link, dict):
                    continue
                kind, target = link.get("kind"), link.get("target")
                if kind not in LINK_KINDS or not isinstance(target, str) or target not in self.systems:
                    continue
                (reach_targets if kind == "reach" else depends_targets).append(target)
            targets[holder] = (reach_targets, depends_targets)
        self._link(targets)
        self._cycles: list[list[str]] | None = None

    @classmethod
    def of_targets(
        cls,
        document: dict[str, Any],
        first_systems: dict[str, Path],
        targets: dict[str, tuple[list[str], list[str]]],
        memo: _SemanticMemo,
    ) -> _GraphFacts:
        """The facts from what the system rules collected: ``first_systems`` (id -> path of the first
        system of each id) and ``targets`` (holder -> reach and depends targets, for those systems, in
        document order). The dependency cycles of the previous run are reused when no depends link
        changed."""
        facts = cls.__new__(cls)
        systems = document.get("systems")  # a list whenever first_systems is not empty
        facts.systems = {ident: systems[path[1]] for ident, path in first_systems.items()}
        facts._link(targets)
        facts._cycles = (
            memo.cycles[1] if memo.cycles is not None and memo.cycles[0] == facts.depends else None
        )
        memo.cycles = (facts.depends, facts.dependency_cycles())
        return facts

    def _link(self, targets: dict[str, tuple[list[str], list[str]]]) -> None:
        self.reached: set[str] = set()
        self.with_depends: set[str] = set()
        self.depends: list[tuple[str, str]] = []
        for holder, (reach_targets, depends_targets) in targets.items():
            self.reached.update(reach_targets)
            if depends_targets:
                self.with_depends.add(holder)
                self.with_depends.update(depends_targets)
                self.depends += [(target, holder) for target in depends_targets]

    def untouched(self) -> list[str]:
        """As studio.graph.model.untouched_systems."""
        from studio.graph.model import UNTOUCHED_EXEMPT_KINDS

        return sorted(
            node
            for node, system in self.systems.items()
            if system.get("kind") not in UNTOUCHED_EXEMPT_KINDS
            and node not in self.with_depends
            and node not in self.reached
        )

    def dependency_cycles(self) -> list[list[str]]:
        """As studio.graph.model.dependency_cycles (strongly connected groups of depends edges)."""
        if self._cycles is None:
            self._cycles = self._strong_groups()
        return self._cycles

    def _strong_groups(self) -> list[list[str]]:
        if not self.depends:
            return []
        if len(self.depends) <= _PYTHON_CYCLES_UP_TO and "scipy" not in sys.modules:
            return _strong_groups(list(self.systems), self.depends)
        import numpy as np
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        number = {node: index for index, node in enumerate(self.systems)}
        rows = np.fromiter((number[a] for a, _ in self.depends), dtype=np.int64, count=len(self.depends))
        cols = np.fromiter((number[b] for _, b in self.depends), dtype=np.int64, count=len(self.depends))
        size = len(number)
        matrix = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(size, size)).tocsr()
        _, labels = connected_components(matrix, directed=True, connection="strong")
        members: dict[int, list[str]] = defaultdict(list)
        for node, label in zip(self.systems, labels.tolist(), strict=True):
            members[label].append(node)
        return sorted((sorted(group) for group in members.values() if len(group) > 1), key=lambda c: c[0])


_PYTHON_CYCLES_UP_TO = 20_000
"""Depends links up to which the cycles are found in Python when scipy is not loaded yet. Loading
scipy takes 0.1-0.3 s, more than Python takes for 20,000 links (~35 ms at 10,000 systems and
20,000 links, against ~24 ms for scipy's search once loaded): `crisis-studio validate` then starts
without it. Larger graphs, and processes that already use scipy (the studio), keep scipy."""


def _strong_groups(nodes: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    """The groups of two or more ``nodes`` that reach one another through ``edges``, each sorted,
    sorted by first member: the strongly connected groups, by Tarjan's algorithm with an explicit
    stack (a long dependency chain would overflow Python's recursion)."""
    number = {node: position for position, node in enumerate(nodes)}
    successors: list[list[int]] = [[] for _ in nodes]
    for source, target in edges:
        successors[number[source]].append(number[target])
    order = [-1] * len(nodes)  # visiting order, -1 until visited
    low = [0] * len(nodes)  # lowest visiting order reachable while the node is on the stack
    on_stack = [False] * len(nodes)
    stack: list[int] = []
    groups: list[list[str]] = []
    visited = 0
    for root in range(len(nodes)):
        if order[root] >= 0 or not successors[root]:
            continue
        order[root] = low[root] = visited
        visited += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, iter(successors[root]))]
        while work:
            node, children = work[-1]
            for child in children:
                if order[child] < 0:
                    order[child] = low[child] = visited
                    visited += 1
                    stack.append(child)
                    on_stack[child] = True
                    work.append((child, iter(successors[child])))
                    break
                if on_stack[child] and order[child] < low[node]:
                    low[node] = order[child]
            else:
                work.pop()
                if work and low[node] < low[work[-1][0]]:
                    low[work[-1][0]] = low[node]
                if low[node] == order[node]:
                    members = []
                    while True:
                        member = stack.pop()
                        on_stack[member] = False
                        members.append(nodes[member])
                        if member == node:
                            break
                    if len(members) > 1:
                        groups.append(sorted(members))
    return sorted(groups, key=lambda group: group[0])


_UPGRADE_NOTES_SHOWN = 5
"""Upgrade notes listed in the warning; the others are counted (a 0.9 file notes two per inject)."""


def check_document(document: Any, checker: ScenarioValidator | None = None) -> tuple[Any, list[Problem]]:
    """Upgrade an older document to the current schema (in memory), then validate it.

    Returns (the document to work on, its problems). An upgrade adds a warning naming what changed;
    an unknown schema_version is one error at ``/schema_version`` and the document is returned as is.
    Pass a ``checker`` to validate later documents built from this one with
    ``checker.validate(output, changed=[...])``, which re-checks only their new parts.
    """
    from studio.scenario.migrate import MigrationError, upgrade

    notes: list[str] = []
    if isinstance(document, dict) and document.get("schema_version") != load_schema()["properties"][
        "schema_version"
    ].get("const"):
        try:
            document, notes = upgrade(document)
        except MigrationError as exc:
            return document, [Problem("/schema_version", "schema.version", str(exc), exc.hint)]
    problems = (checker or ScenarioValidator()).validate(document)
    if notes:
        upgraded = Problem(
            "/schema_version",
            "schema.upgraded",
            "; ".join(notes[:_UPGRADE_NOTES_SHOWN])
            + (
                f"; and {len(notes) - _UPGRADE_NOTES_SHOWN} more changes"
                if len(notes) > _UPGRADE_NOTES_SHOWN
                else ""
            ),
            "save the scenario to write it in the current format",
            Severity.WARNING,
        )
        problems.insert(0, upgraded)
    return document, problems
