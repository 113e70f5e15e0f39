"""The catalogue of typical hospital systems, and building scenario systems from it.

The catalogue (``scenario_library/catalogue/systems.json``, contract ``schemas/catalogue.schema.json``) holds
entries: a typical system or clinical service with its default kind, zone, criticality, flags,
recovery time, degraded mode, and ``links`` whose targets (and ``requires``) name other entries.
*Profiles* list the entries of a typical hospital of a given size (``chu``, ``ch``, ``small``).

``instantiate`` turns entries into scenario systems: ids, zones and link targets get the hospital's
prefix (``dpi`` -> ``chn-dpi``), texts are taken in the requested language, and links towards
entries that were not instantiated are dropped, unless the caller maps such entries to systems that
exist elsewhere in the scenario (``shared``, e.g. a GHT-wide directory).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import jsonschema
import referencing
from referencing.jsonschema import DRAFT202012

from studio.resources import library_dir
from studio.scenario.schema import load_schema

CATALOGUE_FILE = "catalogue/systems.json"
CATALOGUE_SCHEMA = "catalogue.schema.json"
PROFILES = ("chu", "ch", "small")
LANGUAGES = ("fr", "en")

# Fields copied unchanged from an entry to the system it becomes; the others are rewritten.
_COPIED_FIELDS = ("kind", "criticality", "domain_joined", "internet_facing", "edr", "bootstrap", "gate")


class CatalogueError(ValueError):
    """The catalogue file breaks its schema or refers to entries it does not hold."""


@cache
def catalogue_validator() -> jsonschema.protocols.Validator:
    """Draft 2020-12 validator of the catalogue schema; its $refs resolve into the scenario schema."""
    scenario_schema = load_schema()
    catalogue_schema = load_schema(CATALOGUE_SCHEMA)
    registry = referencing.Registry().with_resources(
        (schema["$id"], DRAFT202012.create_resource(schema)) for schema in (scenario_schema, catalogue_schema)
    )
    return jsonschema.Draft202012Validator(catalogue_schema, registry=registry)


def catalogue_problems(catalogue: Mapping[str, Any]) -> list[str]:
    """Human-readable problems of a catalogue document: schema errors, then dangling entry references."""
    problems = [
        f"/{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in sorted(catalogue_validator().iter_errors(catalogue), key=lambda e: list(e.absolute_path))
    ]
    if problems:
        return problems
    known: set[str] = set()
    for entry in catalogue["entries"]:
        if entry["id"] in known:
            problems.append(f"duplicate entry id {entry['id']!r}")
        known.add(entry["id"])
    for entry in catalogue["entries"]:
        referenced = [link["target"] for link in entry.get("links", [])]
        referenced += [link["requires"] for link in entry.get("links", []) if "requires" in link]
        referenced += [entry["backup"]] if "backup" in entry else []
        problems += [
            f"entry {entry['id']!r} refers to unknown entry {ref!r}" for ref in referenced if ref not in known
        ]
    for name, profile in catalogue["profiles"].items():
        problems += [
            f"profile {name!r} lists unknown entry {ref!r}" for ref in profile["entries"] if ref not in known
        ]
    return problems


@cache
def _cached_catalogue() -> dict[str, Any]:
    path = library_dir() / CATALOGUE_FILE
    catalogue = json.loads(path.read_text(encoding="utf-8"))
    problems = catalogue_problems(catalogue)
    if problems:
        raise CatalogueError(f"{path}: " + "; ".join(problems[:5]))
    return catalogue


def load_catalogue() -> dict[str, Any]:
    """Return the validated catalogue document (a fresh copy: callers may modify it).

    The file is read and checked once per process. Raises CatalogueError when it breaks its schema
    or refers to unknown entries.
    """
    return copy.deepcopy(_cached_catalogue())


def catalogue_entries() -> list[dict[str, Any]]:
    """The catalogue entries in file order (copies)."""
    return load_catalogue()["entries"]


def profile_entries(profile: str) -> list[str]:
    """Entry ids of a hospital profile (``chu``, ``ch`` or ``small``)."""
    profiles = _cached_catalogue()["profiles"]
    if profile not in profiles:
        raise ValueError(f"unknown hospital profile {profile!r}; known: {', '.join(sorted(profiles))}")
    return list(profiles[profile]["entries"])


def _system_id(prefix: str, entry_id: str) -> str:
    return f"{prefix}-{entry_id}" if prefix else entry_id


def instantiate(
    entry_ids: Iterable[str],
    *,
    organisation: str,
    site: str | None,
    prefix: str,
    language: str = "fr",
    shared: Mapping[str, str] | None = None,
    units_factor: float = 1.0,
) -> list[dict[str, Any]]:
    """Build scenario systems from catalogue entries, in the order of ``entry_ids`` (duplicates ignored).

    Each system gets the id ``<prefix>-<entry id>`` (just the entry id when ``prefix`` is empty), the
    entry's name, description and workaround in ``language``, ``catalogue_ref``, ``organisation`` and
    ``site`` (left out when None), and the zone prefixed the same way so that a playbook can isolate
    one hospital's zone. ``units`` is scaled by ``units_factor`` (at least 1).

    ``shared`` maps entry ids to systems that already exist elsewhere in the scenario (e.g.
    ``{"ad": "ght-ad"}`` for a group-wide directory): those entries are not instantiated again, and
    links towards them point at the shared system. Any other link is kept only when its target is
    instantiated in the same call; a reach link whose ``requires`` credential is neither is dropped
    too, since it could never fire. ``backup`` follows the same rule and is left out when
    unresolved. Raises ValueError for an unknown entry id or language.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    by_id = {entry["id"]: entry for entry in _cached_catalogue()["entries"]}
    shared = shared or {}
    requested = list(dict.fromkeys(entry_ids))
    unknown = [entry_id for entry_id in [*requested, *shared] if entry_id not in by_id]
    if unknown:
        raise ValueError(f"unknown catalogue entries: {', '.join(unknown)}")
    wanted = [entry_id for entry_id in requested if entry_id not in shared]
    resolved = {entry_id: _system_id(prefix, entry_id) for entry_id in wanted} | dict(shared)
    return [
        _build_system(by_id[entry_id], resolved, organisation, site, prefix, language, units_factor)
        for entry_id in wanted
    ]


def _build_system(
    entry: Mapping[str, Any],
    resolved: Mapping[str, str],
    organisation: str,
    site: str | None,
    prefix: str,
    language: str,
    units_factor: float,
) -> dict[str, Any]:
    wording = entry["text"][language]
    system: dict[str, Any] = {
        "id": resolved[entry["id"]],
        "name": wording["name"],
        "catalogue_ref": entry["id"],
        "organisation": organisation,
    }
    if site is not None:
        system["site"] = site
    if "description" in wording:
        system["description"] = wording["description"]
    for field in _COPIED_FIELDS:
        if field in entry:
            system[field] = copy.deepcopy(entry[field])
    if "zone" in entry:
        system["zone"] = _system_id(prefix, entry["zone"])
    if "units" in entry:
        system["units"] = max(1, round(entry["units"] * units_factor))
    if "recovery_time" in entry:
        system["recovery_time"] = copy.deepcopy(entry["recovery_time"])
    if entry.get("backup") in resolved:
        system["backup"] = resolved[entry["backup"]]
    if "degraded_mode" in entry:
        description = wording.get("workaround") or wording["name"]
        system["degraded_mode"] = {"description": description, **copy.deepcopy(entry["degraded_mode"])}
    links = [_rewire(link, resolved) for link in entry.get("links", [])]
    kept = [link for link in links if link is not None]
    if kept:
        system["links"] = kept
    return system


def _rewire(link: Mapping[str, Any], resolved: Mapping[str, str]) -> dict[str, Any] | None:
    """The link with its target and credential renamed, or None when one of them is not in the graph."""
    target = resolved.get(link["target"])
    credential = resolved.get(link["requires"]) if "requires" in link else None
    if target is None or ("requires" in link and credential is None):
        return None
    rewired = copy.deepcopy(dict(link))
    rewired["target"] = target
    if credential is not None:
        rewired["requires"] = credential
    return rewired


def existing_entries(systems: Iterable[Mapping[str, Any]], prefix: str) -> dict[str, str]:
    """Catalogue entries already present in a scenario under ``prefix``: entry id -> system id.

    Pass the result as ``shared`` to ``instantiate`` when adding entries to an existing hospital, so
    that the new systems are wired to what is already there (and nothing is created twice).
    """
    found = {}
    for system in systems:
        entry_id = system.get("catalogue_ref")
        if isinstance(entry_id, str) and system.get("id") == _system_id(prefix, entry_id):
            found[entry_id] = system["id"]
    return found


def hospital_template(
    organisation: str,
    site: str | None,
    prefix: str,
    *,
    profile: str = "ch",
    language: str = "fr",
    shared: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """A complete typical hospital graph: every entry of ``profile`` instantiated and wired.

    ``chu`` is a university hospital (all entries, more seats), ``ch`` a mid-size hospital hosting
    the SAMU, ``small`` a local hospital without ICU, oncology or SAMU. See ``instantiate`` for ids,
    languages and ``shared``.
    """
    entry_ids = profile_entries(profile)
    return instantiate(
        entry_ids,
        organisation=organisation,
        site=site,
        prefix=prefix,
        language=language,
        shared=shared,
        units_factor=_cached_catalogue()["profiles"][profile].get("units_factor", 1.0),
    )
