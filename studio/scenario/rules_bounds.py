"""Bounds on the values the engine and the exporters compute with, checked along the schema.

The schema's patterns and types say what a duration, a date or a probability looks like; they do
not say how large it may be. A dwell time of ``P99999999999999D`` is a well-formed duration that no
calendar can add to a date, and a probability of ``1e-300`` makes a geometric draw overflow. These
rules walk the document together with the schema (following ``$ref``, the matching ``oneOf`` branch,
``properties`` and ``items``), so each value is judged by what the schema says it is, and report:

- ``bounds.duration``: a duration longer than :data:`MAX_DURATION_DAYS`;
- ``bounds.date``: a date or date-time outside years :data:`MIN_YEAR`..:data:`MAX_YEAR`;
- ``bounds.exercise_length``: ENDEX more than :data:`MAX_EXERCISE_DAYS` after STARTEX;
- ``bounds.number``: a number that is not finite or larger than :data:`MAX_NUMBER` where the schema
  sets no maximum;
- ``bounds.probability``: a probability above zero but below :data:`MIN_PROBABILITY`;
- ``text.line_break``: an id, code or other patterned value ending with a line break (JSON Schema
  patterns use ``re.search``, where ``$`` also matches before a final newline);
- ``text.surrogate``: a string holding a lone UTF-16 surrogate, which no file can encode (files are
  refused by the parser; this catches documents built in memory).
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime
from functools import cache
from typing import Any

from studio.durations import parse_minutes
from studio.scenario.problems import Problem, pointer
from studio.scenario.schema import load_schema

MAX_DURATION_DAYS = 3660
"""Ten years: longer than any dwell time or exercise, far inside what calendars can add."""
MIN_YEAR, MAX_YEAR = 1900, 2200
MAX_EXERCISE_DAYS = 14
"""Exercises last hours to a few days. Generating and exporting grow faster than the window (2 days:
18 s, 14 days: 4 min on a loaded machine), so a month-long window would hold a command for hours."""
MAX_NUMBER = 10**12
"""Above this, a count or an amount is a typing error, and floats lose whole units."""
MIN_PROBABILITY = 1e-9
"""Below this, a probability is zero in practice and draws by inversion overflow."""

_SURROGATE = re.compile("[\ud800-\udfff]")
_DISCRIMINATORS = ("dist", "kind", "type", "at", "on")
Found = dict[tuple[str, str], Problem]


PathLink = tuple[Any, Any] | None
"""A path as (parent link, key), turned into a JSON pointer only for a problem: most values have none."""


Part = tuple[Any, ...]
"""A top-level field (``("exercise",)``) or an item of a top-level list (``("systems", 12)``)."""
Seed = tuple[dict[str, Any], str, Any, PathLink]
"""Where a walk starts: (schema node, name of the $defs it came from, value, path)."""
Expansions = dict[tuple[int, str, Any], list[tuple[dict[str, Any], str]]]


def bound_problems(document: Any) -> list[Problem]:
    """The bound problems of ``document`` (any JSON value), one per path and rule.

    The document is cut into parts (see :class:`BoundParts`); the parts are serialised and screened
    (:func:`may_break_bounds`), and only those the screen cannot clear are walked.
    """
    if not isinstance(document, dict):
        found: Found = {}
        _walk(found, [(load_schema(), "", document, None)], {})
        return list(found.values())
    plan = BoundParts(document)
    parts: list[tuple[Part, Any]] = []
    for key, value in document.items():
        if key in plan.split:
            parts += [((key, index), item) for index, item in enumerate(value)]
        else:
            parts.append(((key,), value))
    problems: list[Problem] = []
    for part, value in unclear_parts(parts):
        problems += plan.walk(part, value)
    return problems + exercise_length_problems(document)


class BoundParts:
    """Where a walk of the whole ``document`` with its schema reaches each part of it.

    A part is a top-level field, or an item of a top-level list whose schema has ``items`` (as the
    schema layer of studio.scenario.validate cuts documents); ``walk`` checks one part alone.
    """

    def __init__(self, document: dict[str, Any]) -> None:
        schema = load_schema()
        list_keys = _list_part_keys()
        self.expansions: Expansions = {}
        self.nodes: dict[str, list[dict[str, Any]]] = {}
        """Schema nodes of each field, or of each item of a list in ``split``."""
        self.split: set[str] = set()
        for leaf, _ in _expand(schema, schema, "", document, self.expansions):
            properties = leaf.get("properties") or {}
            extra = leaf.get("additionalProperties")
            extra = extra if isinstance(extra, dict) else None
            for key, child in document.items():
                child_schema = properties.get(key, extra)
                if child_schema is None:
                    continue
                nodes = self.nodes.setdefault(key, [])
                if key in list_keys and isinstance(child, list):
                    self.split.add(key)
                    for item_leaf, _ in _expand(schema, child_schema, "", child, self.expansions):
                        if isinstance(item_leaf.get("items"), dict):
                            nodes.append(item_leaf["items"])
                else:
                    nodes.append(child_schema)

    def walk(self, part: Part, value: Any) -> list[Problem]:
        """The bound problems of ``value``, the part ``part`` of the document."""
        nodes = self.nodes.get(part[0])
        if not nodes:
            return []
        link: PathLink = (None, part[0]) if len(part) == 1 else ((None, part[0]), part[1])
        found: Found = {}
        _walk(found, [(node, "", value, link) for node in nodes], self.expansions)
        return list(found.values())


@cache
def _list_part_keys() -> frozenset[str]:
    return frozenset(
        key
        for key, spec in load_schema().get("properties", {}).items()
        if isinstance(spec, dict) and "items" in spec and "prefixItems" not in spec
    )


def unclear_parts(parts: list[tuple[Part, Any]]) -> list[tuple[Part, Any]]:
    """The (part, value) pairs the screen cannot clear. All of them are screened as one JSON text
    first (one call to the encoder); only when that is flagged is each screened alone."""
    if not parts or not may_break_bounds([value for _, value in parts]):
        return []
    return [(part, value) for part, value in parts if may_break_bounds(value)]


def exercise_length_problems(document: Any) -> list[Problem]:
    found: Found = {}
    _check_exercise_length(found, document)
    return list(found.values())


def _walk(found: Found, seeds: list[Seed], expansions: Expansions) -> None:
    """Walk values together with the schema from ``seeds``, checking every leaf value."""
    schema = load_schema()
    stack = list(seeds)
    while stack:
        node, ref_name, value, link = stack.pop()
        for leaf, leaf_ref in _expand(schema, node, ref_name, value, expansions):
            if isinstance(value, dict):
                properties = leaf.get("properties") or {}
                extra = leaf.get("additionalProperties")
                extra = extra if isinstance(extra, dict) else None
                for key, child in value.items():
                    child_schema = properties.get(key, extra)
                    if child_schema is not None:
                        stack.append((child_schema, "", child, (link, key)))
            elif isinstance(value, list) and isinstance(leaf.get("items"), dict):
                items = leaf["items"]
                stack.extend((items, "", child, (link, index)) for index, child in enumerate(value))
            else:
                _check_leaf(found, leaf, leaf_ref, value, link)


# --- the screen ----------------------------------------------------------------------------------
# Walking a value with its schema costs about a microsecond per leaf (half a million leaves at 10k
# systems). Almost every part of a real scenario has no bound problem, and that is visible in its JSON
# text: every rule above needs a character or a run of digits that ordinary values never hold. The
# screen looks for those in the part's JSON (C code: the encoder, str and bytes searches); a part it
# flags is walked, so a false alarm costs time, never a finding.

_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DURATION = re.compile(rb'"P[0DTHMS.]*0000')
"""A duration over MAX_DURATION_DAYS needs a run of 4 digits: 999D + 999H + 999M + 999S is ~1,000 days."""
_YEAR_START = b'"0000'
_LARGE_NUMBER = b"0" * 13
"""abs(x) > MAX_NUMBER: an integer of 13 digits or more, or a float that repr writes so or with e+."""
_EXPONENTS = (b"0e-", b"0e+")
"""repr writes floats below 1e-4 (so every probability below MIN_PROBABILITY) and above 1e16 so."""


def may_break_bounds(value: Any) -> bool:
    """False only when no value inside ``value`` can break a bound or text rule above."""
    try:
        text = _ENCODE(value)
    except (TypeError, ValueError, RecursionError):  # not JSON, not finite, circular, too deep
        return True
    if not text.isascii() and _SURROGATE.search(text):
        return True
    if '\\n"' in text:  # a string ending with a line break
        return True
    raw = text.encode("utf-8")
    digits = raw.translate(_DIGITS_AS_ZERO)
    if _LARGE_NUMBER in digits or any(exponent in digits for exponent in _EXPONENTS):
        return True
    if _LONG_DURATION.search(digits):
        return True
    start = digits.find(_YEAR_START)
    while start >= 0:
        if not MIN_YEAR <= int(raw[start + 1 : start + 5]) <= MAX_YEAR:
            return True
        start = digits.find(_YEAR_START, start + 5)
    return False


def _expand(
    schema: dict[str, Any],
    node: dict[str, Any],
    ref_name: str,
    value: Any,
    cache: Expansions,
) -> list[tuple[dict[str, Any], str]]:
    """The schema objects ``value`` is checked against at ``node``: ``$ref`` followed, ``allOf``,
    ``anyOf`` and the matching ``oneOf`` branches flattened. Cached per node and discriminator values,
    since a document holds thousands of values of the same few shapes."""
    discriminators = tuple(value.get(key) for key in _DISCRIMINATORS) if isinstance(value, dict) else None
    try:
        key = (id(node), ref_name, discriminators)
        hash(key)
    except TypeError:  # a list or object where a discriminator should be: no caching
        key = None
    if key is not None and key in cache:
        return cache[key]
    flat: list[tuple[dict[str, Any], str]] = []
    pending = [(node, ref_name)]
    while pending:
        current, current_ref = pending.pop()
        if not isinstance(current, dict):
            continue
        flat.append((current, current_ref))
        ref = current.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.rsplit("/", 1)[-1]
            pending.append((schema["$defs"].get(name, {}), name))
        for keyword in ("allOf", "anyOf", "oneOf"):
            pending.extend((branch, current_ref) for branch in _branches(current, keyword, value))
    if key is not None:
        cache[key] = flat
    return flat


def _branches(node: dict[str, Any], keyword: str, value: Any) -> list[dict[str, Any]]:
    """The branches of ``keyword`` that ``value`` can mean: those whose discriminator matches."""
    branches = node.get(keyword)
    if not isinstance(branches, list):
        return []
    if not isinstance(value, dict):
        return [branch for branch in branches if isinstance(branch, dict)]
    chosen = []
    for branch in branches:
        if not isinstance(branch, dict):
            continue
        properties = branch.get("properties", {})
        if any(
            key in value and "const" in properties.get(key, {}) and properties[key]["const"] != value[key]
            for key in _DISCRIMINATORS
        ):
            continue
        chosen.append(branch)
    return chosen


def _check_leaf(found: Found, node: dict[str, Any], ref_name: str, value: Any, path: PathLink) -> None:
    if isinstance(value, str):
        _check_text(found, node, ref_name, value, path)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        _check_number(found, node, value, path)


def _check_text(found: Found, node: dict[str, Any], ref_name: str, value: str, path: PathLink) -> None:
    if _SURROGATE.search(value):
        _add(found, path, "text.surrogate", "the text holds a lone surrogate (not valid Unicode)")
        return
    pattern = node.get("pattern")
    if isinstance(pattern, str) and pattern.endswith("$") and value.endswith("\n"):
        _add(found, path, "text.line_break", "the value ends with a line break", "remove the line break")
    if ref_name == "duration":
        try:
            minutes = parse_minutes(value)
        except ValueError:
            return  # the schema's pattern reports it
        if minutes > MAX_DURATION_DAYS * 1440:
            _add(
                found,
                path,
                "bounds.duration",
                f"the duration {value[:40]} is longer than {MAX_DURATION_DAYS} days",
                "write a duration of at most ten years, e.g. P30D",
            )
    elif node.get("format") in ("date", "date-time"):
        year = _year(value, node["format"])
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            _add(
                found,
                path,
                "bounds.date",
                f"the year {year} is outside {MIN_YEAR}..{MAX_YEAR}",
                "write a date between 1900 and 2200",
            )


def _check_number(found: Found, node: dict[str, Any], value: float, path: PathLink) -> None:
    if node.get("type") not in ("number", "integer") and not (
        isinstance(node.get("type"), list) and {"number", "integer"} & set(node["type"])
    ):
        return
    if isinstance(value, float) and not math.isfinite(value):
        _add(found, path, "bounds.number", "the number is not finite", "write an ordinary number")
        return
    if "maximum" not in node and "exclusiveMaximum" not in node and abs(value) > MAX_NUMBER:
        _add(
            found,
            path,
            "bounds.number",
            f"the number {value:.3g} is larger than {MAX_NUMBER:.0e}",
            "write a realistic value",
        )
    is_probability = node.get("maximum") == 1 and 0 in (node.get("minimum"), node.get("exclusiveMinimum"))
    if is_probability and 0 < value < MIN_PROBABILITY:
        _add(
            found,
            path,
            "bounds.probability",
            f"the probability {value:.3g} is below {MIN_PROBABILITY:g}",
            "write 0 for never, or a probability of at least 1e-9",
        )


def _check_exercise_length(found: Found, document: Any) -> None:
    exercise = document.get("exercise") if isinstance(document, dict) else None
    if not isinstance(exercise, dict):
        return
    try:
        startex = datetime.fromisoformat(exercise["startex"])
        endex = datetime.fromisoformat(exercise["endex"])
        days = (endex - startex).total_seconds() / 86400
    except (KeyError, TypeError, ValueError, OverflowError):
        return  # the schema and the time rules report malformed or naive dates
    if days > MAX_EXERCISE_DAYS:
        _add(
            found,
            ((None, "exercise"), "endex"),
            "bounds.exercise_length",
            f"ENDEX is {days:.0f} days after STARTEX, more than {MAX_EXERCISE_DAYS}",
            "split a long campaign into several exercises",
        )


def _year(value: str, kind: str) -> int | None:
    try:
        return (date.fromisoformat(value) if kind == "date" else datetime.fromisoformat(value)).year
    except ValueError:
        return None


def _add(found: Found, path: PathLink, rule: str, message: str, hint: str = "") -> None:
    parts: list[Any] = []
    while path is not None:
        path, key = path
        parts.append(key)
    where = pointer(parts[::-1])
    found.setdefault((where, rule), Problem(where, rule, message, hint))
