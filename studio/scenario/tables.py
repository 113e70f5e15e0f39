"""Scenario sections as flat table rows and back, for table editors (the studio's st.data_editor).

A table row is a plain dict of the editable columns of one item (a cell, a persona, a system...).
Each row also carries a hidden ``_row`` column: the index of the item it was made from, or nothing for
a row the designer added. Turning rows back into items starts from a copy of that original item, so
the fields a table does not show (cell members, a system's degraded mode...) are never lost.

Values come back from a table editor in pandas' clothes (NaN for an empty cell, numpy numbers,
floats in integer columns); ``clean_value`` turns them back into plain JSON values and an empty cell
into "field absent", so that validation reports a missing required field instead of an empty string.

Nothing here imports streamlit: the studio pages and the tests call these functions directly.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from studio.durations import format_minutes, parse_minutes
from studio.scenario.schema import definition

ROW_KEY = "_row"
"""Hidden column holding the index of the item a row was made from."""
LINK_KEY = "_link"
"""Hidden column of the links table: ``"<system index>#<link index>"`` of the original link."""


class TableError(ValueError):
    """A table cell holds something that cannot become a scenario value; the message says which."""


# --------------------------------------------------------------------------------------------- schema


def _resolve(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow one local ``$ref`` (``#/$defs/name``) of the scenario schema."""
    ref = spec.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return definition(ref.removeprefix("#/$defs/"))
    return spec


def schema_enum(def_name: str, prop: str | None = None) -> list[str]:
    """The allowed values of ``$defs/def_name`` (or of its property ``prop``), read from the schema.

    Array properties give the enum of their items (a persona's ``channels`` gives the channels).
    """
    spec: Mapping[str, Any] = definition(def_name)
    if prop is not None:
        spec = _resolve(spec["properties"][prop])
        if spec.get("type") == "array":
            spec = _resolve(spec["items"])
    values = spec.get("enum")
    if values is None:
        raise KeyError(f"$defs/{def_name}{'/' + prop if prop else ''} has no enum in the scenario schema")
    return list(values)


# --------------------------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """One editable column of a table.

    ``kind`` is how the cell is edited and converted: ``text``, ``int``, ``float``, ``bool``, ``list``
    (comma-separated text for a list of strings), ``choice`` (one of ``options``) or ``ref`` (an id
    of another section, whose choices the page computes with ``id_choices``).
    ``path`` is where the value sits in the item when it is not a top-level field.
    """

    name: str
    kind: str = "text"
    options: tuple[str, ...] = ()
    refers_to: str = ""
    path: tuple[str, ...] = ()
    help: str = ""
    default: Any = None
    """Value meant when the field is absent (a schema default); shown for absent fields, and not
    written back for an item that did not have the field, so untouched rows stay as they were."""

    @property
    def field_path(self) -> tuple[str, ...]:
        return self.path or (self.name,)


@dataclass(frozen=True)
class TableSpec:
    """The editable columns of one list section of a scenario (``cells``, ``personas``...)."""

    section: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def _choice(name: str, def_name: str, prop: str | None = None, help: str = "") -> Column:
    return Column(name, "choice", tuple(schema_enum(def_name, prop)), help=help)


def _flag(name: str, def_name: str) -> Column:
    """A boolean column whose default is the schema's default for that property."""
    return Column(name, "bool", default=definition(def_name)["properties"][name].get("default", False))


def cell_spec() -> TableSpec:
    return TableSpec(
        "cells",
        (
            Column("id"),
            Column("name"),
            _choice("type", "cell", "type"),
            _choice("level", "cell", "level"),
            Column("organisation", "ref", refers_to="organisations"),
            Column("location"),
            Column("mission"),
            Column("initial_situation"),
        ),
    )


def persona_spec() -> TableSpec:
    return TableSpec(
        "personas",
        (
            Column("id"),
            Column("name"),
            Column("role"),
            _choice("kind", "persona", "kind"),
            Column("organisation", "ref", refers_to="organisations"),
            Column("played_by", "ref", refers_to="cells"),
            Column("channels", "list", help="Comma-separated: " + ", ".join(schema_enum("channel"))),
            Column("phone"),
            Column("email"),
            _flag("in_directory", "persona"),
            Column("notes"),
        ),
    )


def objective_spec() -> TableSpec:
    return TableSpec(
        "objectives",
        (
            Column("id"),
            Column("title"),
            Column("description"),
            Column("cells", "list", help="Comma-separated cell ids; empty means every player cell"),
        ),
    )


def system_spec() -> TableSpec:
    return TableSpec(
        "systems",
        (
            Column("id"),
            Column("name"),
            _choice("kind", "system", "kind"),
            Column("organisation", "ref", refers_to="organisations"),
            Column("site", "ref", refers_to="sites"),
            Column("zone"),
            Column("criticality", "int"),
            Column("units", "int"),
            _flag("domain_joined", "system"),
            _flag("internet_facing", "system"),
            _flag("edr", "system"),
            _flag("bootstrap", "system"),
            Column("backup", "ref", refers_to="systems"),
            Column("description"),
        ),
    )


LINK_COLUMNS: tuple[Column, ...] = (
    Column("source", "ref", refers_to="systems", help="The system that holds the link"),
    Column("kind", "choice", ("reach", "depends")),
    Column("target", "ref", refers_to="systems"),
    Column(
        "delay",
        help="reach only: PT2H (fixed), PT1H..PT3H (uniform), PT1H..PT2H..PT4H (triangular), "
        "PT2H~PT8H (lognormal median~p90)",
    ),
    Column("p_success", "float"),
    Column("max_attempts", "int"),
    Column("requires", "ref", refers_to="systems"),
    Column("technique"),
    Column("grace", help="depends only: how long the system keeps working after its dependency fails"),
    Column("note"),
)
"""Columns of the links table: one row per link, whatever system holds it."""

CRITERION_COLUMNS: tuple[Column, ...] = (
    Column("objective", "ref", refers_to="objectives"),
    Column("id"),
    Column("text"),
    Column("target"),
)
"""Columns of the criteria table: one row per evaluation criterion of an objective."""

_REACH_FIELDS = ("delay", "p_success", "max_attempts", "requires", "technique")
_DEPENDS_FIELDS = ("grace", "note")


# --------------------------------------------------------------------------------------------- values


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    # pandas.NA and NaT refuse bool(); they are the only values here whose equality is not a bool.
    try:
        return bool(value != value)
    except TypeError:
        return True


def clean_value(column: Column, value: Any) -> Any:
    """Turn one table cell into a JSON value, or None when the field should be absent.

    Raises TableError when the cell cannot be read as the column's kind.
    """
    if _is_empty(value):
        return None
    if column.kind == "bool":
        return bool(value)
    if column.kind in ("int", "float"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise TableError(f"{column.name}: {value!r} is not a number") from None
        if column.kind == "int":
            if not number.is_integer():
                raise TableError(f"{column.name}: {value!r} is not a whole number")
            return int(number)
        return number
    if column.kind == "list":
        if isinstance(value, str):
            parts = value.split(",")
        elif isinstance(value, Iterable):
            parts = [str(part) for part in value]
        else:
            parts = [str(value)]
        items = [part.strip() for part in parts if part.strip()]
        return list(dict.fromkeys(items)) or None
    return str(value).strip()


def display_value(column: Column, value: Any) -> Any:
    """The cell shown for one item value (lists as comma-separated text, absent flags as their default)."""
    if value is None:
        return column.default
    if column.kind == "list":
        return ", ".join(str(part) for part in value) if isinstance(value, list) else str(value)
    return value


def _get_path(item: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = item
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _set_path(item: dict[str, Any], path: Sequence[str], value: Any) -> None:
    """Set (or, for None, remove) the value at ``path``, dropping parents left empty."""
    *parents, last = path
    target = item
    for part in parents:
        if not isinstance(target.get(part), dict):
            if value is None:
                return
            target[part] = {}
        target = target[part]
    if value is None:
        target.pop(last, None)
    else:
        target[last] = value
    if value is None and parents and not target:
        _set_path(item, parents, None)


def _row_index(row: Mapping[str, Any], key: str = ROW_KEY) -> int | None:
    value = row.get(key)
    if _is_empty(value):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------------------------- tables


def rows_from_items(items: Sequence[Mapping[str, Any]], spec: TableSpec) -> list[dict[str, Any]]:
    """One row per item of a section, with the spec's columns and the hidden ``_row`` index."""
    rows = []
    for index, item in enumerate(items):
        row: dict[str, Any] = {ROW_KEY: index}
        for column in spec.columns:
            row[column.name] = display_value(column, _get_path(item, column.field_path))
        rows.append(row)
    return rows


def _blank_row(row: Mapping[str, Any], columns: Iterable[Column]) -> bool:
    return all(_is_empty(row.get(column.name)) for column in columns)


def items_from_rows(
    original: Sequence[Mapping[str, Any]], rows: Iterable[Mapping[str, Any]], spec: TableSpec
) -> list[dict[str, Any]]:
    """Rebuild a section from edited rows, keeping the fields the table does not show.

    Rows keep their table order; a row with every column empty (a half-added row) is ignored.
    Raises TableError (with the row number) when a cell cannot be converted.
    """
    items = []
    for position, row in enumerate(rows, start=1):
        if _blank_row(row, spec.columns):
            continue
        index = _row_index(row)
        base = original[index] if index is not None and 0 <= index < len(original) else {}
        item = copy.deepcopy(dict(base))
        for column in spec.columns:
            try:
                value = clean_value(column, row.get(column.name))
            except TableError as exc:
                raise TableError(f"{spec.section} row {position}: {exc}") from None
            if value is not None and value == column.default and _get_path(base, column.field_path) is None:
                continue
            _set_path(item, column.field_path, value)
        items.append(item)
    return items


def replace_section(
    scenario: Mapping[str, Any], spec: TableSpec, rows: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """A copy of ``scenario`` whose section ``spec.section`` is rebuilt from ``rows``."""
    updated = dict(scenario)
    updated[spec.section] = items_from_rows(scenario.get(spec.section) or [], rows, spec)
    return updated


def id_choices(scenario: Mapping[str, Any], section: str) -> list[str]:
    """Ids that a select box pointing into ``section`` offers, in document order, without repeats.

    ``section`` is a list section (``cells``, ``systems``...) or ``sites`` (every organisation's sites).
    """
    if section == "sites":
        found = (
            site.get("id")
            for organisation in scenario.get("organisations") or []
            if isinstance(organisation, Mapping)
            for site in organisation.get("sites") or []
            if isinstance(site, Mapping)
        )
    else:
        found = (item.get("id") for item in scenario.get(section) or [] if isinstance(item, Mapping))
    return list(dict.fromkeys(value for value in found if isinstance(value, str) and value))


# --------------------------------------------------------------------------------------------- delays


def format_delay(delay: Any) -> str | None:
    """Compact text of a delay object (see LINK_COLUMNS' help); None when there is none."""
    if not isinstance(delay, Mapping):
        return None
    dist = delay.get("dist")
    if dist == "fixed":
        return str(delay.get("value", ""))
    if dist == "uniform":
        return f"{delay.get('min', '')}..{delay.get('max', '')}"
    if dist == "triangular":
        return f"{delay.get('min', '')}..{delay.get('mode', '')}..{delay.get('max', '')}"
    if dist == "lognormal":
        return f"{delay.get('median', '')}~{delay.get('p90', '')}"
    return None


def _duration(text: str) -> str:
    text = text.strip().upper()
    parse_minutes(text)  # raises ValueError with a readable message
    return text


def parse_delay(text: str) -> dict[str, str]:
    """Read the compact delay text back into a schema delay object. Raises TableError."""
    try:
        if "~" in text:
            median, p90 = text.split("~", 1)
            return {"dist": "lognormal", "median": _duration(median), "p90": _duration(p90)}
        parts = [part for part in text.split("..")]
        if len(parts) == 1:
            return {"dist": "fixed", "value": _duration(parts[0])}
        if len(parts) == 2:
            return {"dist": "uniform", "min": _duration(parts[0]), "max": _duration(parts[1])}
        if len(parts) == 3:
            return {
                "dist": "triangular",
                "min": _duration(parts[0]),
                "mode": _duration(parts[1]),
                "max": _duration(parts[2]),
            }
    except ValueError as exc:
        raise TableError(f"delay {text!r}: {exc}") from None
    raise TableError(f"delay {text!r}: use PT2H, PT1H..PT3H, PT1H..PT2H..PT4H or PT2H~PT8H")


def minutes_label(minutes: float) -> str:
    """An ISO duration for a number of minutes (used for slider captions)."""
    return format_minutes(max(minutes, 0.0))


# --------------------------------------------------------------------------------------------- links


def link_rows(systems: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per link of every system, in document order, with the hidden ``_link`` reference."""
    rows = []
    for system_index, system in enumerate(systems):
        for link_index, link in enumerate(system.get("links") or []):
            if not isinstance(link, Mapping):
                continue
            row: dict[str, Any] = {LINK_KEY: f"{system_index}#{link_index}", "source": system.get("id")}
            for column in LINK_COLUMNS[1:]:
                value = link.get(column.name)
                row[column.name] = format_delay(value) if column.name == "delay" else value
            rows.append(row)
    return rows


def _original_link(systems: Sequence[Mapping[str, Any]], reference: Any) -> Mapping[str, Any]:
    if not isinstance(reference, str) or "#" not in reference:
        return {}
    try:
        system_index, link_index = (int(part) for part in reference.split("#", 1))
        link = systems[system_index]["links"][link_index]
    except (ValueError, IndexError, KeyError, TypeError):
        return {}
    return link if isinstance(link, Mapping) else {}


def _link_from_row(original: Mapping[str, Any], row: Mapping[str, Any], position: int) -> dict[str, Any]:
    values = {}
    for column in LINK_COLUMNS[1:]:
        try:
            values[column.name] = clean_value(column, row.get(column.name))
        except TableError as exc:
            raise TableError(f"links row {position}: {exc}") from None
    kind = values["kind"]
    # Keep fields the table does not show only when the kind did not change: the two kinds of link
    # accept different fields and the schema refuses the others.
    link = copy.deepcopy(dict(original)) if original.get("kind") == kind else {}
    if kind is not None:
        link["kind"] = kind
    else:
        link.pop("kind", None)
    _set_path(link, ("target",), values["target"])
    allowed = _REACH_FIELDS if kind == "reach" else _DEPENDS_FIELDS if kind == "depends" else ()
    for name in (*_REACH_FIELDS, *_DEPENDS_FIELDS):
        value = values[name] if name in allowed else None
        if name == "delay" and value is not None:
            try:
                value = parse_delay(value)
            except TableError as exc:
                raise TableError(f"links row {position}: {exc}") from None
        _set_path(link, (name,), value)
    return link


def systems_from_tables(
    original: Sequence[Mapping[str, Any]],
    system_table: Iterable[Mapping[str, Any]],
    link_table: Iterable[Mapping[str, Any]],
) -> tuple[list[dict[str, Any]], list[str]]:
    """Rebuild the systems (with their links) from the edited systems and links tables.

    Renaming a system in the systems table renames it in the links table too. A link whose source
    system no longer exists (the system row was deleted) is dropped; the second value lists those
    drops as readable notes. Raises TableError for a cell that cannot be converted.
    """
    spec = system_spec()
    system_rows = list(system_table)
    systems = items_from_rows(original, system_rows, spec)
    renames: dict[str, str] = {}
    for row in system_rows:
        index = _row_index(row)
        if index is None or not 0 <= index < len(original):
            continue
        old_id, new_id = original[index].get("id"), clean_value(spec.columns[0], row.get("id"))
        if isinstance(old_id, str) and new_id and old_id != new_id:
            renames[old_id] = new_id

    links_by_source: dict[str, list[dict[str, Any]]] = {}
    dropped = []
    known_ids = {system.get("id") for system in systems}
    for position, row in enumerate(link_table, start=1):
        if _blank_row(row, LINK_COLUMNS):
            continue
        source = clean_value(LINK_COLUMNS[0], row.get("source"))
        source = renames.get(source, source)
        link = _link_from_row(_original_link(original, row.get(LINK_KEY)), row, position)
        if isinstance(link.get("target"), str):
            link["target"] = renames.get(link["target"], link["target"])
        if "requires" in link:
            link["requires"] = renames.get(link["requires"], link["requires"])
        if source not in known_ids:
            dropped.append(
                f"links row {position}: link to {link.get('target')} dropped: no system {source!r} holds it"
            )
            continue
        links_by_source.setdefault(source, []).append(link)

    for system in systems:
        links = links_by_source.pop(system.get("id"), [])
        if links:
            system["links"] = links
        else:
            system.pop("links", None)
        for field in ("backup",):
            if system.get(field) in renames:
                system[field] = renames[system[field]]
    return systems, dropped


# --------------------------------------------------------------------------------------------- objectives


def criterion_rows(objectives: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per criterion of every objective, with the hidden ``_row`` reference ``"i#j"``."""
    rows = []
    for objective_index, objective in enumerate(objectives):
        for criterion_index, criterion in enumerate(objective.get("criteria") or []):
            if not isinstance(criterion, Mapping):
                continue
            rows.append(
                {
                    ROW_KEY: f"{objective_index}#{criterion_index}",
                    "objective": objective.get("id"),
                    "id": criterion.get("id"),
                    "text": criterion.get("text"),
                    "target": criterion.get("target"),
                }
            )
    return rows


def objectives_from_tables(
    original: Sequence[Mapping[str, Any]],
    objective_table: Iterable[Mapping[str, Any]],
    criterion_table: Iterable[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Rebuild the objectives from the edited objectives and criteria tables.

    Criteria follow their objective when it is renamed; criteria of a deleted objective go with it.
    """
    spec = objective_spec()
    objective_rows = list(objective_table)
    objectives = items_from_rows(original, objective_rows, spec)
    renames = {}
    for row in objective_rows:
        index = _row_index(row)
        if index is not None and 0 <= index < len(original):
            new_id = clean_value(spec.columns[0], row.get("id"))
            if new_id and original[index].get("id") != new_id:
                renames[original[index].get("id")] = new_id
    criteria_by_objective: dict[str, list[dict[str, Any]]] = {}
    for position, row in enumerate(criterion_table, start=1):
        if _blank_row(row, CRITERION_COLUMNS):
            continue
        owner = clean_value(CRITERION_COLUMNS[0], row.get("objective"))
        owner = renames.get(owner, owner)
        base: Mapping[str, Any] = {}
        reference = row.get(ROW_KEY)
        if isinstance(reference, str) and "#" in reference:
            objective_index, criterion_index = (int(part) for part in reference.split("#", 1))
            try:
                base = original[objective_index]["criteria"][criterion_index]
            except (IndexError, KeyError, TypeError):
                base = {}
        criterion = copy.deepcopy(dict(base))
        for column in CRITERION_COLUMNS[1:]:
            try:
                _set_path(criterion, (column.name,), clean_value(column, row.get(column.name)))
            except TableError as exc:
                raise TableError(f"criteria row {position}: {exc}") from None
        criteria_by_objective.setdefault(owner, []).append(criterion)
    for objective in objectives:
        # Keep the key even when empty: validation then says that an objective needs a criterion.
        objective["criteria"] = criteria_by_objective.get(objective.get("id"), [])
    return objectives


# --------------------------------------------------------------------------------------------- exercise


EXERCISE_TEXT_FIELDS: tuple[tuple[str, ...], ...] = (
    ("title",),
    ("subtitle",),
    ("organiser",),
    ("startex",),
    ("endex",),
    ("safety", "marking"),
    ("safety", "stop_code"),
    ("context",),
    ("ground_truth",),
)
"""Free-text fields of ``exercise`` the metadata form edits, as paths inside ``exercise``."""
EXERCISE_CHOICE_FIELDS = ("language", "type", "format")
"""Fields of ``exercise`` edited with a select box; options come from ``exercise_options``."""


def exercise_options(field: str) -> list[str]:
    """Allowed values of a choice field of ``exercise``, read from the schema."""
    return schema_enum("exercise", field)


def exercise_values(scenario: Mapping[str, Any]) -> dict[str, Any]:
    """The metadata form's values: ``"safety.marking"``-style keys, missing fields as ""."""
    exercise = scenario.get("exercise") or {}
    values = {}
    for path in (*EXERCISE_TEXT_FIELDS, *((name,) for name in EXERCISE_CHOICE_FIELDS)):
        value = _get_path(exercise, path)
        values[".".join(path)] = "" if value is None else value
    return values


def apply_exercise_values(scenario: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``scenario`` with the metadata form's values written into ``exercise``.

    Empty text removes the field (validation then reports a required one); other fields are kept.
    """
    updated = dict(scenario)
    exercise = copy.deepcopy(dict(scenario.get("exercise") or {}))
    for key, value in values.items():
        path = tuple(key.split("."))
        text = value.strip() if isinstance(value, str) else value
        _set_path(exercise, path, None if _is_empty(text) else text)
    updated["exercise"] = exercise
    return updated
