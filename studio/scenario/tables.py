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

from studio.durations import parse_minutes
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
    (comma-separated text for a list of strings), ``choice`` (one of ``options``), ``ref`` (an id
    of another section, whose choices the page computes with ``id_choices``), ``delay`` or
    ``trigger`` (compact text, see ``parse_delay`` and ``parse_trigger``).
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
        "PT2H~PT8H (lognormal median~p90), exp PT4H (exponential with this mean)",
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
    kind = type(value)  # the common cell types first: this runs for every cell of every row
    if kind is str:
        return not value.strip()
    if kind is int or kind is bool:
        return False
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
    if column.kind == "delay":
        return parse_delay(str(value))
    if column.kind == "trigger":
        return parse_trigger(str(value))
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
    if column.kind == "delay":
        return format_delay(value)
    if column.kind == "trigger":
        return format_trigger(value)
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


def _writable_copy(base: Mapping[str, Any], paths: Iterable[Sequence[str]]) -> dict[str, Any]:
    """A copy of ``base`` that ``_set_path`` may write at each of ``paths`` without touching ``base``.

    Only the dicts along the paths are copied; everything else is shared with ``base``. A deep copy
    of every item cost most of a table rebuild at thousands of systems, and the rebuilt items are
    never modified below the paths afterwards (callers replace top-level fields only).
    """
    item = dict(base)
    for path in paths:
        target = item
        for part in path[:-1]:
            child = target.get(part)
            if not isinstance(child, dict):
                break
            child = target[part] = dict(child)
            target = child
    return item


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
    nested_paths = [column.field_path for column in spec.columns if len(column.field_path) > 1]
    for position, row in enumerate(rows, start=1):
        if _blank_row(row, spec.columns):
            continue
        index = _row_index(row)
        base = original[index] if index is not None and 0 <= index < len(original) else {}
        item = _writable_copy(base, nested_paths)
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


def sites_of(scenario: Mapping[str, Any], organisation: str | None) -> list[str]:
    """Ids of the sites of one organisation, in document order (none for an unknown organisation)."""
    for item in scenario.get("organisations") or []:
        if isinstance(item, Mapping) and item.get("id") == organisation:
            return [
                site["id"]
                for site in item.get("sites") or []
                if isinstance(site, Mapping) and isinstance(site.get("id"), str)
            ]
    return []


SYSTEM_FORM_FIELDS = ("name", "kind", "organisation", "site", "zone", "criticality", "description")
"""Fields of one system that the graph's edit form shows."""


def edit_system(scenario: Mapping[str, Any], system_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``scenario`` where system ``system_id`` takes ``values`` (blank or None removes a field).

    Only SYSTEM_FORM_FIELDS are touched; links and every other field are kept. Raises TableError
    for an unknown system.
    """
    systems = [
        dict(system) if isinstance(system, Mapping) else system for system in scenario.get("systems") or []
    ]
    for system in systems:
        if isinstance(system, dict) and system.get("id") == system_id:
            for field in SYSTEM_FORM_FIELDS:
                if field not in values:
                    continue
                value = values[field]
                if isinstance(value, str):
                    value = value.strip()
                if value in (None, ""):
                    system.pop(field, None)
                else:
                    system[field] = int(value) if field == "criticality" else value
            return {**scenario, "systems": systems}
    raise TableError(f"no system {system_id!r} in the scenario")


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
    if dist == "exponential":
        return f"exp {delay.get('mean', '')}"
    return None


def _duration(text: str) -> str:
    text = text.strip().upper()
    parse_minutes(text)  # raises ValueError with a readable message
    return text


def parse_delay(text: str) -> dict[str, str]:
    """Read the compact delay text back into a schema delay object. Raises TableError."""
    try:
        if text.strip().lower().startswith("exp "):
            return {"dist": "exponential", "mean": _duration(text.strip()[4:])}
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
    raise TableError(f"delay {text!r}: use PT2H, PT1H..PT3H, PT1H..PT2H..PT4H, PT2H~PT8H or exp PT4H")


TRIGGER_HELP = "PT2H (at a scenario offset), or an event: detected, compromised:ad, encrypted+PT30M"


def format_trigger(trigger: Any) -> str | None:
    """Compact text of a trigger: ``PT2H`` for ``at``; ``event[:node][+delay]`` for ``on``."""
    if not isinstance(trigger, Mapping):
        return None
    if "at" in trigger:
        return str(trigger["at"])
    text = str(trigger.get("on", ""))
    if trigger.get("node"):
        text += f":{trigger['node']}"
    delay = format_delay(trigger.get("delay"))
    return f"{text}+{delay}" if delay else text


def parse_trigger(text: str) -> dict[str, Any]:
    """Read the compact trigger text back into a schema trigger. Raises TableError."""
    text = text.strip()
    if text.upper().startswith("P"):
        try:
            return {"at": _duration(text)}
        except ValueError as exc:
            raise TableError(f"trigger {text!r}: {exc}") from None
    event, _, delay = text.partition("+")
    event, _, node = event.partition(":")
    events = definition("trigger")["oneOf"][1]["properties"]["on"]["enum"]
    if event.strip() not in events:
        raise TableError(f"trigger {text!r}: use a duration (PT2H) or one of the events {', '.join(events)}")
    trigger: dict[str, Any] = {"on": event.strip()}
    if node.strip():
        trigger["node"] = node.strip()
    if delay.strip():
        trigger["delay"] = parse_delay(delay)
    return trigger


def with_hours(rows: Iterable[Mapping[str, Any]], minute_field: str = "minute") -> list[dict[str, Any]]:
    """Copies of chart rows with an ``hours`` column (minutes / 60): long runs read better in hours."""
    return [{**row, "hours": round(float(row[minute_field]) / 60, 2)} for row in rows]


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


def _depends_grace(text: str, position: int) -> str:
    """The grace of a depends link from a delay typed in its row (one duration only)."""
    try:
        delay = parse_delay(text) if isinstance(text, str) else {}
    except TableError as exc:
        raise TableError(f"links row {position}: {exc}") from None
    if delay.get("dist") != "fixed":
        raise TableError(
            f"links row {position}: a depends link waits one fixed duration (its grace), "
            f"not a distribution: {text!r}"
        )
    return delay["value"]


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
    # Links are written at their top level only: a shallow copy leaves the original untouched.
    link = dict(original) if original.get("kind") == kind else {}
    if kind is not None:
        link["kind"] = kind
    else:
        link.pop("kind", None)
    _set_path(link, ("target",), values["target"])
    allowed = _REACH_FIELDS if kind == "reach" else _DEPENDS_FIELDS if kind == "depends" else ()
    if kind == "depends" and values.get("delay") and not values.get("grace"):
        # A depends link has no delay of its own: the time before the failure reaches the dependent
        # is its grace, so a delay typed there is kept as the grace rather than dropped.
        values["grace"] = _depends_grace(values["delay"], position)
    for name in (*_REACH_FIELDS, *_DEPENDS_FIELDS):
        value = values[name] if name in allowed else None
        if name == "delay" and value is not None:
            try:
                value = parse_delay(value)
            except TableError as exc:
                raise TableError(f"links row {position}: {exc}") from None
        _set_path(link, (name,), value)
    return link


def same_row(row: Mapping[str, Any], other: Mapping[str, Any] | None) -> bool:
    """Whether two table rows hold the same values (an empty cell, None or NaN, equals itself)."""
    if other is None or row.keys() != other.keys():
        return False
    if row == other:
        return True
    return all(
        value == other[name] or (_is_empty(value) and _is_empty(other[name])) for name, value in row.items()
    )


def systems_from_tables(
    original: Sequence[Mapping[str, Any]],
    system_table: Iterable[Mapping[str, Any]],
    link_table: Iterable[Mapping[str, Any]],
    shown_links: Iterable[Mapping[str, Any]] | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Rebuild the systems (with their links) from the edited systems and links tables.

    Renaming a system in the systems table renames it in the links table too. A link whose source
    system no longer exists (the system row was deleted) is dropped; the second value lists those
    drops as readable notes. Raises TableError for a cell that cannot be converted.

    ``shown_links`` are the links table's rows as the editor was given them (before any edit, in the
    same representation as ``link_table``): a row left as it was shown keeps its original link as it
    is, unless a system was renamed. At thousands of systems, converting every cell of every link
    again was most of the time of a rerun after one edit. A ``link_table`` with a true ``unchanged``
    attribute (the studio's rows of an editor holding no edit) is not read at all when no system was
    renamed or deleted with links: every kept system keeps its links as they are.
    """
    spec = system_spec()
    system_rows = list(system_table)
    systems = items_from_rows(original, system_rows, spec)
    shown = {row.get(LINK_KEY): row for row in shown_links or ()}
    renames: dict[str, str] = {}
    for row in system_rows:
        index = _row_index(row)
        if index is None or not 0 <= index < len(original):
            continue
        old_id, new_id = original[index].get("id"), clean_value(spec.columns[0], row.get("id"))
        if isinstance(old_id, str) and new_id and old_id != new_id:
            renames[old_id] = new_id

    if getattr(link_table, "unchanged", False) and not renames:
        kept = {_row_index(row) for row in system_rows}
        if all(index in kept or not system.get("links") for index, system in enumerate(original)):
            # The rebuilt items are copies of their originals, links included; added rows have
            # none. (A deleted system with links takes the long way: its links' notes are needed.)
            return systems, []
    links_by_source: dict[str, list[dict[str, Any]]] = {}
    dropped = []
    known_ids = {system.get("id") for system in systems}
    for position, row in enumerate(link_table, start=1):
        before = _original_link(original, row.get(LINK_KEY))
        unchanged = bool(before) and not renames and same_row(row, shown.get(row.get(LINK_KEY)))
        if not unchanged and _blank_row(row, LINK_COLUMNS):
            continue
        source = clean_value(LINK_COLUMNS[0], row.get("source"))
        if unchanged:
            link = dict(before)
        else:
            source = renames.get(source, source)
            link = _link_from_row(before, row, position)
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


def nested_from_tables(
    original: Sequence[Mapping[str, Any]],
    parent_spec: TableSpec,
    parent_table: Iterable[Mapping[str, Any]],
    child_field: str,
    child_columns: Sequence[Column],
    child_table: Iterable[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Rebuild parents holding a list of children (objectives and criteria, playbooks and actions).

    The children table has the owner's id in its first column and ``"i#j"`` references in ``_row``.
    Children follow their parent when it is renamed; children of a deleted parent go with it; a
    parent always gets its ``child_field`` list, so validation can say when it must not be empty.
    """
    parent_rows = list(parent_table)
    parents = items_from_rows(original, parent_rows, parent_spec)
    renames = {}
    for row in parent_rows:
        index = _row_index(row)
        if index is not None and 0 <= index < len(original):
            new_id = clean_value(parent_spec.columns[0], row.get("id"))
            if new_id and original[index].get("id") != new_id:
                renames[original[index].get("id")] = new_id
    owner_column, *own_columns = child_columns
    children: dict[str, list[dict[str, Any]]] = {}
    for position, row in enumerate(child_table, start=1):
        if _blank_row(row, child_columns):
            continue
        owner = clean_value(owner_column, row.get(owner_column.name))
        owner = renames.get(owner, owner)
        base: Any = {}
        reference = row.get(ROW_KEY)
        if isinstance(reference, str) and "#" in reference:
            try:
                parent_index, child_index = (int(part) for part in reference.split("#", 1))
                base = original[parent_index][child_field][child_index]
            except (ValueError, IndexError, KeyError, TypeError):
                base = {}
        child = (
            _writable_copy(base, [column.field_path for column in own_columns])
            if isinstance(base, Mapping)
            else {}
        )
        for column in own_columns:
            try:
                _set_path(child, column.field_path, clean_value(column, row.get(column.name)))
            except TableError as exc:
                raise TableError(f"{child_field} row {position}: {exc}") from None
        children.setdefault(owner, []).append(child)
    for parent in parents:
        parent[child_field] = children.get(parent.get("id"), [])
    return parents


def nested_rows(
    parents: Sequence[Mapping[str, Any]], child_field: str, child_columns: Sequence[Column]
) -> list[dict[str, Any]]:
    """One row per child of every parent, owner id first, with ``"i#j"`` in the hidden ``_row``."""
    owner_column, *own_columns = child_columns
    rows = []
    for parent_index, parent in enumerate(parents):
        for child_index, child in enumerate(parent.get(child_field) or []):
            if not isinstance(child, Mapping):
                continue
            row: dict[str, Any] = {
                ROW_KEY: f"{parent_index}#{child_index}",
                owner_column.name: parent.get("id"),
            }
            for column in own_columns:
                row[column.name] = display_value(column, _get_path(child, column.field_path))
            rows.append(row)
    return rows


def criterion_rows(objectives: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per criterion of every objective."""
    return nested_rows(objectives, "criteria", CRITERION_COLUMNS)


def objectives_from_tables(
    original: Sequence[Mapping[str, Any]],
    objective_table: Iterable[Mapping[str, Any]],
    criterion_table: Iterable[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Rebuild the objectives from the edited objectives and criteria tables."""
    return nested_from_tables(
        original, objective_spec(), objective_table, "criteria", CRITERION_COLUMNS, criterion_table
    )


def playbook_spec() -> TableSpec:
    return TableSpec(
        "playbooks",
        (Column("id"), Column("name"), Column("description"), _flag("default", "playbook")),
    )


def action_columns() -> tuple[Column, ...]:
    """Columns of the playbook actions table (one row per action of every playbook)."""
    return (
        Column("playbook", "ref", refers_to="playbooks"),
        Column("id"),
        _choice("action", "playbook_action", "action"),
        Column("trigger", "trigger", help=TRIGGER_HELP),
        Column("targets", "list", help="Comma-separated system ids"),
        Column("zones", "list", help="Comma-separated zones (isolate_zone)"),
        Column("label"),
    )


def playbooks_from_tables(
    original: Sequence[Mapping[str, Any]],
    playbook_table: Iterable[Mapping[str, Any]],
    action_table: Iterable[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Rebuild the playbooks from the edited playbooks and actions tables."""
    return nested_from_tables(
        original, playbook_spec(), playbook_table, "actions", action_columns(), action_table
    )


INITIAL_ACCESS_SPEC = TableSpec(
    "initial_access",
    (
        Column("node", "ref", refers_to="systems"),
        Column("at", help="Scenario offset, e.g. PT0S"),
        Column("vector"),
    ),
)
"""The attack's points of entry (a list inside ``attack``)."""


ATTACK_FIELDS: tuple[Column, ...] = (
    Column("actor"),
    Column("dwell", "text", help="Minimum time between initial access and detonation, e.g. P3D"),
    Column("detonation_trigger", "trigger", path=("detonation", "trigger"), help=TRIGGER_HELP),
    Column(
        "detonation_scope",
        "list",
        path=("detonation", "scope"),
        help="Comma-separated: "
        + ", ".join(definition("attack")["properties"]["detonation"]["properties"]["scope"]["items"]["enum"]),
    ),
    Column("domain_credential", "ref", refers_to="systems", path=("detonation", "domain_credential")),
)
"""Single-valued fields of ``attack`` the attack form edits."""


def attack_values(scenario: Mapping[str, Any]) -> dict[str, Any]:
    """The attack form's values, as shown in its text boxes ("" for absent)."""
    attack = scenario.get("attack") or {}
    return {
        column.name: display_value(column, _get_path(attack, column.field_path)) or ""
        for column in ATTACK_FIELDS
    }


def apply_attack(scenario: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``scenario`` with the attack form's values written into ``attack``.

    Raises TableError for a trigger or list that cannot be read.
    """
    attack = copy.deepcopy(dict(scenario.get("attack") or {}))
    for column in ATTACK_FIELDS:
        if column.name in values:
            try:
                _set_path(attack, column.field_path, clean_value(column, values[column.name]))
            except TableError as exc:
                raise TableError(f"attack {column.name}: {exc}") from None
    return {**scenario, "attack": attack}


def with_initial_access(
    scenario: Mapping[str, Any], original: Sequence[Mapping[str, Any]], rows: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """A copy of ``scenario`` whose attack entry points are rebuilt from the edited rows."""
    attack = dict(scenario.get("attack") or {})
    attack["initial_access"] = items_from_rows(original, rows, INITIAL_ACCESS_SPEC)
    return {**scenario, "attack": attack}


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


# --------------------------------------------------------------------------------------------- systems


GRAPH_FILTER_FIELDS = ("site", "zone", "kind")
"""System fields the graph view can filter on."""


def filter_values(scenario: Mapping[str, Any]) -> dict[str, list[str]]:
    """For each field of GRAPH_FILTER_FIELDS, the values its systems use, sorted ("" = not set)."""
    found: dict[str, set[str]] = {field: set() for field in GRAPH_FILTER_FIELDS}
    for system in scenario.get("systems") or []:
        if isinstance(system, Mapping):
            for field in GRAPH_FILTER_FIELDS:
                found[field].add(str(system.get(field) or ""))
    return {field: sorted(values) for field, values in found.items()}


def filter_systems(
    scenario: Mapping[str, Any], selected: Mapping[str, Iterable[str]], neighbours: bool = False
) -> dict[str, Any]:
    """A copy of ``scenario`` keeping only the systems that match every non-empty filter.

    ``selected`` maps a field of GRAPH_FILTER_FIELDS to accepted values ("" accepts systems without
    the field). With ``neighbours``, systems one link away from a kept system are kept too, so the
    view shows what a site or zone touches. Links to systems left out are dropped from the copy.
    """
    systems = [system for system in scenario.get("systems") or [] if isinstance(system, Mapping)]
    accepted = {field: set(values) for field, values in selected.items() if values}
    kept = {
        system.get("id")
        for system in systems
        if all(str(system.get(field) or "") in values for field, values in accepted.items())
    }
    if neighbours:
        around = set()
        for system in systems:
            targets = {link.get("target") for link in system.get("links") or [] if isinstance(link, Mapping)}
            if system.get("id") in kept:
                around |= targets
            elif targets & kept:
                around.add(system.get("id"))
        kept |= around
    subset = []
    for system in systems:
        if system.get("id") not in kept:
            continue
        copied = dict(system)
        links = [
            link
            for link in system.get("links") or []
            if isinstance(link, Mapping) and link.get("target") in kept
        ]
        if links:
            copied["links"] = links
        else:
            copied.pop("links", None)
        subset.append(copied)
    return {**scenario, "systems": subset}


def add_systems(
    scenario: Mapping[str, Any], new_systems: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, Any], list[str]]:
    """A copy of ``scenario`` with ``new_systems`` appended; ids already present are skipped and listed."""
    systems = list(scenario.get("systems") or [])
    present = set(id_choices(scenario, "systems"))
    skipped = []
    for system in new_systems:
        if system.get("id") in present:
            skipped.append(str(system.get("id")))
            continue
        present.add(system.get("id"))
        systems.append(copy.deepcopy(dict(system)))
    return {**scenario, "systems": systems}, skipped


def catalogue_label(entry: Mapping[str, Any], language: str) -> str:
    """``name (id)`` of a catalogue entry in ``language`` (falling back to any language it has)."""
    texts = entry.get("text") or {}
    text = texts.get(language) or next(iter(texts.values()), {})
    return f"{text.get('name', entry.get('id'))} ({entry.get('id')})"


# --------------------------------------------------------------------------------------------- results


def _percentile(stats: Mapping[str, Any], name: str) -> Any:
    return (stats.get("percentiles") or {}).get(name)


def metric_rows(metrics: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows of Monte Carlo statistics (``MonteCarloResult.to_json()["metrics"]``), minutes as numbers."""
    return [
        {
            "metric": name,
            "happened %": round(100 * float(stats.get("p_happened", 0.0)), 1),
            "p5": _percentile(stats, "p5"),
            "median": _percentile(stats, "p50"),
            "p95": _percentile(stats, "p95"),
            "mean": stats.get("mean"),
            "never ended": stats.get("never_ended", 0),
        }
        for name, stats in metrics.items()
    ]


def difference_rows(differences: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a playbook comparison: per metric, median of b - a and how often b is earlier."""
    rows = []
    for name, stats in differences.items():
        earlier, later = stats.get("p_b_earlier"), stats.get("p_b_later")
        rows.append(
            {
                "metric": name,
                "paired runs": stats.get("paired_runs", 0),
                "median b - a (min)": _percentile(stats, "p50"),
                "b earlier %": None if earlier is None else round(100 * earlier, 1),
                "b later %": None if later is None else round(100 * later, 1),
                "happened a %": round(100 * float(stats.get("p_happened_a", 0.0)), 1),
                "happened b %": round(100 * float(stats.get("p_happened_b", 0.0)), 1),
            }
        )
    return rows


def hit_rows(
    systems: Mapping[str, Mapping[str, float]], names: Mapping[str, str], top: int = 25
) -> list[dict[str, Any]]:
    """The ``top`` systems most often compromised (``to_json()["systems"]``), as percentage rows."""
    rows = [
        {
            "system": names.get(system_id, system_id),
            "compromised %": round(100 * rates.get("p_compromised", 0.0), 1),
            "encrypted %": round(100 * rates.get("p_encrypted", 0.0), 1),
            "down %": round(100 * rates.get("p_down", 0.0), 1),
        }
        for system_id, rates in systems.items()
    ]
    rows.sort(key=lambda row: (-row["compromised %"], -row["down %"], row["system"]))
    return rows[:top]


def finite_values(values: Iterable[float]) -> list[float]:
    """The values of one metric over runs that happened and ended (no NaN, no infinity)."""
    return [float(value) for value in values if math.isfinite(float(value))]


def system_names(scenario: Mapping[str, Any]) -> dict[str, str]:
    """System id -> display name."""
    return {
        system["id"]: str(system.get("name") or system["id"])
        for system in scenario.get("systems") or []
        if isinstance(system, Mapping) and isinstance(system.get("id"), str)
    }


# --------------------------------------------------------------------------------------------- injects


def inject_rows(injects: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Display rows of injects for a read-only table (recipients comma-separated)."""
    return [
        {
            "number": inject.get("number", ""),
            "offset": inject.get("offset", ""),
            "title": inject.get("title", ""),
            "category": inject.get("category", ""),
            "channel": inject.get("channel", ""),
            "from": inject.get("from", ""),
            "to": ", ".join(inject.get("to") or []),
            "status": inject.get("status", "draft"),
            "priority": inject.get("priority", "core"),
            "contingency": bool(inject.get("contingency")),
            "id": inject.get("id", ""),
        }
        for inject in injects
    ]


INJECT_FORM_FIELDS: tuple[Column, ...] = (
    Column("title"),
    Column("offset", help="Exercise-clock offset from STARTEX, e.g. PT1H30M"),
    _choice("channel", "channel"),
    _choice("category", "inject_category"),
    Column("from", "ref", refers_to="personas"),
    Column("to", "list", help="Recipient cells"),
    Column("message"),
    Column("expected_actions", "lines", help="One expected action per line"),
    Column("synopsis"),
    Column("animator_notes"),
    Column("priority", "choice", options=("core", "optional")),
)
"""Fields of an inject the edit form shows (kinds: ``lines`` is one list item per line)."""


def inject_form_values(inject: Mapping[str, Any]) -> dict[str, Any]:
    """The edit form's initial values for ``inject``: lists as lists, lines as text, absent as ""."""
    values: dict[str, Any] = {}
    for column in INJECT_FORM_FIELDS:
        value = inject.get(column.name)
        if column.kind == "lines":
            values[column.name] = "\n".join(value or [])
        elif column.kind == "list":
            values[column.name] = list(value or [])
        else:
            values[column.name] = "" if value is None else value
    return values


def inject_changes(inject: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The changes the edit form asks for (for ``studio.injects.review.edit_inject``).

    Only fields whose value differs are returned; an emptied field becomes None (removed).
    """
    changes: dict[str, Any] = {}
    for column in INJECT_FORM_FIELDS:
        if column.name not in values:
            continue
        raw = values[column.name]
        if raw is None:
            value: Any = None
        elif column.kind == "lines":
            value = [line.strip() for line in str(raw).splitlines() if line.strip()] or None
        elif column.kind == "list":
            value = list(raw) or None
        else:
            value = str(raw).strip() or None
        if value != inject.get(column.name):
            changes[column.name] = value
    return changes
