"""Upgrading scenarios written for older schema versions.

Each migration is a pure function from one version's document to the next version's; ``upgrade``
chains them. Documents carry ``schema_version``; a document without it is taken as version 0.9,
the draft format used before the 1.0 contract (injects timed in whole minutes, a single recipient as
text, no review status).

To add a version: bump SCHEMA_VERSION and the schema's ``const``, write ``_from_<old>`` returning
the new document, register it in ``_MIGRATIONS``, and add a test with a document of the old version.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from studio.durations import format_minutes
from studio.scenario.information import default_alert_chain, infer_function
from studio.scenario.schema import SCHEMA_VERSION

LEGACY_VERSION = "0.9"


class MigrationError(ValueError):
    """The document's schema_version is unknown or the document cannot be upgraded.

    ``hint`` says what the designer can do (it depends on why the version cannot be read)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def _version_numbers(version: str) -> tuple[int, ...] | None:
    """ "1.10" -> (1, 10); None for text that is not dot-separated numbers."""
    parts = version.split(".")
    return tuple(int(part) for part in parts) if all(part.isdigit() for part in parts) else None


def _unreadable_version(version: object) -> MigrationError:
    """Why ``version`` cannot be read, and what to do: a newer file must never be sent back through
    the migrations by lowering its version, a number must become text, anything else is a typo."""
    current = _version_numbers(SCHEMA_VERSION) or ()
    numbers = _version_numbers(version) if isinstance(version, str) else None
    if numbers is not None and numbers > current:
        return MigrationError(
            f"schema_version {version!r} is newer than this version of Crisis Studio reads (up to "
            f"{SCHEMA_VERSION}): the file was written by a later version",
            "update Crisis Studio, or open the file with the version that wrote it; do not lower the "
            "version by hand (fields of the newer format would be misread); the file was not changed",
        )
    known = ", ".join([*_MIGRATIONS, SCHEMA_VERSION])
    if isinstance(version, int | float) and not isinstance(version, bool):
        return MigrationError(
            f"schema_version is the number {version!r}, not text; this version of Crisis Studio reads "
            + known,
            f'write the version as text between quotes, e.g. "schema_version": "{SCHEMA_VERSION}"',
        )
    return MigrationError(
        f"unknown schema_version {version!r}; this version of Crisis Studio reads {known}",
        f'if the file follows the current format, write "schema_version": "{SCHEMA_VERSION}"',
    )


def _from_0_9(document: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    notes = []
    for index, inject in enumerate(document.get("injects") or []):
        if not isinstance(inject, dict):
            continue
        if "offset_minutes" in inject and "offset" not in inject:
            minutes = inject.pop("offset_minutes")
            if isinstance(minutes, int | float) and not isinstance(minutes, bool) and minutes >= 0:
                inject["offset"] = format_minutes(minutes)
                notes.append(f"/injects/{index}: offset_minutes {minutes} became offset {inject['offset']}")
            else:
                inject["offset_minutes"] = minutes  # leave it for validation to point at
        if isinstance(inject.get("to"), str):
            inject["to"] = [inject["to"]]
            notes.append(f"/injects/{index}: single recipient became a list")
        inject.setdefault("status", "draft")
    document["schema_version"] = "1.0"
    return document, notes


def _from_1_0(document: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """1.1 adds the information model: persona functions and the alert chain are written into the
    document (inferred from roles and organisation types, for the designer to check); cells keep
    being active from STARTEX (the default activation)."""
    notes = []
    listed = document.get("organisations")
    organisations = {
        o["id"]: o
        for o in (listed if isinstance(listed, list) else [])
        if isinstance(o, dict) and isinstance(o.get("id"), str)
    }
    personas = document.get("personas")
    for index, persona in enumerate(personas if isinstance(personas, list) else []):
        if isinstance(persona, dict) and "function" not in persona:
            persona["function"] = infer_function(persona, organisations)
            notes.append(
                f"/personas/{index}/function: set to {persona['function']} from its role "
                f"{persona.get('role', '')!r} (check it: it decides what this persona can know and say)"
            )
    information = document.get("information")
    if not isinstance(information, dict):
        information = document["information"] = {}
    if "alert_chain" not in information:
        try:
            information["alert_chain"] = default_alert_chain(document)
        except (AttributeError, KeyError, TypeError):
            information["alert_chain"] = []  # a malformed document: validation will point at it
        notes.append(
            f"/information/alert_chain: {len(information['alert_chain'])} links of the usual alert chain "
            "added (who informs whom, and how fast); cells stay active from STARTEX unless set to 'alert'"
        )
    document["schema_version"] = "1.1"
    return document, notes


_MIGRATIONS: dict[str, tuple[str, Callable[[dict[str, Any]], tuple[dict[str, Any], list[str]]]]] = {
    "0.9": ("1.0", _from_0_9),
    "1.0": ("1.1", _from_1_0),
}


def upgrade(document: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Return (document upgraded to the current schema version, notes of what changed).

    The input is not modified. A current document comes back unchanged with no notes.
    """
    version = document.get("schema_version", LEGACY_VERSION)
    if version == SCHEMA_VERSION:
        return document, []
    if not isinstance(version, str) or version not in _MIGRATIONS:
        raise _unreadable_version(version)
    upgraded = copy.deepcopy(document)
    notes = [f"upgraded from schema {version} to {SCHEMA_VERSION}"]
    while version != SCHEMA_VERSION:
        version, step = _MIGRATIONS[version]
        upgraded, step_notes = step(upgraded)
        notes.extend(step_notes)
    return upgraded, notes
