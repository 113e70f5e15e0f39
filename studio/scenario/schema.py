"""Loading the JSON Schemas in schemas/ (the single contract) and the validators built on them."""

from __future__ import annotations

import importlib.util
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


class FastValidator:
    """The scenario schema compiled by jsonschema-rs (Rust): answers "valid?" and "where does it fail?"
    about 100x faster than jsonschema, whose slower but richer errors then explain only what failed.

    Formats are checked by the same functions as the jsonschema validator above, so both agree on
    dates; on anything it cannot take (a Python value that is not JSON) it answers ``None``, and the
    caller uses jsonschema.
    """

    def __init__(self, compiled: Any) -> None:
        self._compiled = compiled

    def is_valid(self, instance: Any) -> bool | None:
        try:
            return bool(self._compiled.is_valid(instance))
        except (ValueError, TypeError, OverflowError, RecursionError):
            return None

    def failing_paths(self, instance: Any) -> list[tuple[str | int, ...]] | None:
        """The instance paths of every schema error (empty when valid), or None when it cannot tell."""
        try:
            if self._compiled.is_valid(instance):
                return []
            return [tuple(error.instance_path) for error in self._compiled.iter_errors(instance)]
        except (ValueError, TypeError, OverflowError, RecursionError):
            return None


def _format_check(check: Any) -> Any:
    def passes(value: str) -> bool:
        try:
            return bool(check(value))
        except ValueError:
            return False

    return passes


@cache
def fast_validator(name: str = SCENARIO_SCHEMA) -> FastValidator | None:
    """The jsonschema-rs validator of schemas/``name``, or None when jsonschema-rs is not installed."""
    if importlib.util.find_spec("jsonschema_rs") is None:  # pragma: no cover - a dependency
        return None  # jsonschema alone still gives the same answers, slowly
    return _compile_fast(load_schema(name))


def fast_validator_for(subschema: dict[str, Any], name: str = SCENARIO_SCHEMA) -> FastValidator | None:
    """A fast validator of one part of schemas/``name`` (e.g. ``{"$ref": "#/$defs/system"}``): its
    references resolve in that schema's ``$defs``. None when jsonschema-rs is not installed."""
    if fast_validator(name) is None:
        return None
    schema = load_schema(name)
    wrapper = {key: schema[key] for key in ("$schema", "$id", "$defs") if key in schema}
    return _compile_fast({**wrapper, **subschema})


def _compile_fast(schema: dict[str, Any]) -> FastValidator:
    import jsonschema_rs

    compiled = jsonschema_rs.validator_for(
        schema,
        offline=True,  # every reference is inside the schema; never fetch anything
        validate_formats=True,
        formats={"date-time": _format_check(_is_datetime), "date": _format_check(_is_date)},
    )
    return FastValidator(compiled)


def definition(def_name: str, name: str = SCENARIO_SCHEMA) -> dict[str, Any]:
    """Return ``$defs/def_name`` of a schema."""
    return load_schema(name)["$defs"][def_name]


def control_only_fields(def_name: str) -> frozenset[str]:
    """Names of the properties of ``$defs/def_name`` marked ``x-control-only`` in the schema.

    The player packs and the leak lint read this instead of keeping their own list.
    """
    properties = definition(def_name).get("properties", {})
    return frozenset(key for key, spec in properties.items() if spec.get("x-control-only"))
