"""The system catalogue: its schema, its references, and the systems instantiate() builds from it."""

from __future__ import annotations

import json

import jsonschema
import pytest

from studio.graph.catalogue import (
    PROFILES,
    catalogue_entries,
    catalogue_problems,
    existing_entries,
    hospital_template,
    instantiate,
    load_catalogue,
    profile_entries,
)
from studio.resources import library_dir
from studio.scenario.schema import load_schema
from studio.scenario.validate import errors_only, validate_scenario


def _systems_validator() -> jsonschema.protocols.Validator:
    """Validates a list of scenario systems against the scenario schema's own ``system`` definition."""
    schema = load_schema()
    array_of_systems = {
        "$schema": schema["$schema"],
        "$defs": schema["$defs"],
        "type": "array",
        "items": {"$ref": "#/$defs/system"},
    }
    return jsonschema.Draft202012Validator(array_of_systems)


def _dangling_references(systems: list[dict]) -> list[str]:
    ids = {system["id"] for system in systems}
    dangling = []
    for system in systems:
        for link in system.get("links", []):
            dangling += [ref for ref in (link["target"], link.get("requires")) if ref and ref not in ids]
        if "backup" in system and system["backup"] not in ids:
            dangling.append(system["backup"])
    return dangling


def test_catalogue_file_is_valid_and_consistent():
    document = json.loads((library_dir() / "catalogue" / "systems.json").read_text(encoding="utf-8"))
    assert catalogue_problems(document) == []


def test_catalogue_problems_reports_schema_errors_and_unknown_references():
    broken = load_catalogue()
    broken["entries"][0]["criticality"] = 9
    assert any("criticality" in problem or "9" in problem for problem in catalogue_problems(broken))
    dangling = load_catalogue()
    dangling["entries"][1].setdefault("links", []).append({"kind": "depends", "target": "no-such-entry"})
    assert any("no-such-entry" in problem for problem in catalogue_problems(dangling))
    bad_profile = load_catalogue()
    bad_profile["profiles"]["ch"]["entries"].append("ghost")
    assert any("ghost" in problem for problem in catalogue_problems(bad_profile))


def test_load_catalogue_returns_independent_copies():
    first = load_catalogue()
    first["entries"].clear()
    assert catalogue_entries(), "mutating a returned catalogue must not affect the next caller"


def test_catalogue_covers_the_typical_hospital_and_its_clinical_services():
    entries = {entry["id"]: entry for entry in catalogue_entries()}
    kinds = {entry["kind"] for entry in entries.values()}
    assert {
        "identity",
        "virtualisation",
        "storage",
        "backup",
        "application",
        "clinical_service",
        "credential",
    } <= kinds
    for required in (
        "ad",
        "dpi",
        "pas",
        "lis",
        "pacs",
        "backup-offline",
        "cred-da",
        "svc-emergency",
        "svc-icu",
    ):
        assert required in entries
    for entry in entries.values():
        assert entry["text"]["fr"]["name"] and entry["text"]["en"]["name"]
        if entry["kind"] == "clinical_service":
            assert entry.get("degraded_mode"), f"{entry['id']} needs a paper workaround"
            assert entry["text"]["fr"].get("workaround")
            assert any(link["kind"] == "depends" for link in entry.get("links", []))


@pytest.mark.parametrize("profile", PROFILES)
def test_hospital_template_gives_schema_valid_systems_whose_links_resolve(profile):
    systems = hospital_template("org-test", "site-test", "tst", profile=profile)
    assert list(_systems_validator().iter_errors(systems)) == []
    assert _dangling_references(systems) == []
    assert all(system["id"].startswith("tst-") for system in systems)
    it_systems = [s for s in systems if s["kind"] not in ("credential", "clinical_service")]
    assert len(it_systems) >= 25


def test_hospital_template_passes_the_scenario_validator_without_errors():
    systems = hospital_template("org-test", "site-test", "tst", profile="chu")
    scenario = {
        "schema_version": "1.1",
        "id": "template-check",
        "exercise": {
            "title": "t",
            "organiser": "o",
            "language": "fr",
            "type": "strategic",
            "format": "tabletop",
            "startex": "2026-01-01T09:00:00+01:00",
            "endex": "2026-01-01T17:00:00+01:00",
            "time_model": {
                "scenario_start": "2026-01-01T09:00:00+01:00",
                "segments": [{"from": "PT0S", "scenario_offset": "PT0S", "speed": 1}],
            },
            "safety": {"marking": "EXERCICE", "stop_code": "STOP"},
        },
        "organisations": [
            {
                "id": "org-test",
                "name": "Test",
                "type": "hospital",
                "sites": [{"id": "site-test", "name": "S"}],
            }
        ],
        "cells": [{"id": "cell-a", "name": "A", "type": "player"}],
        "personas": [],
        "objectives": [{"id": "o1", "title": "t", "criteria": [{"id": "c1", "text": "x"}]}],
        "systems": systems,
        "attack": {
            "initial_access": [{"node": "tst-vpn", "at": "PT0S"}],
            "detonation": {"trigger": {"at": "P1D"}, "scope": ["compromised"]},
        },
        "injects": [],
    }
    problems = validate_scenario(scenario)
    assert errors_only(problems) == []
    assert not [p for p in problems if p.rule == "warn.untouched_system"]


def test_instantiate_prefixes_ids_and_zones_and_drops_links_to_missing_entries():
    systems = instantiate(["dpi", "pas", "cred-da"], organisation="h", site=None, prefix="chx")
    by_id = {system["id"]: system for system in systems}
    assert list(by_id) == ["chx-dpi", "chx-pas", "chx-cred-da"]
    dpi = by_id["chx-dpi"]
    assert dpi["catalogue_ref"] == "dpi"
    assert dpi["zone"] == "chx-servers"
    assert "site" not in dpi
    assert [link["target"] for link in dpi["links"]] == ["chx-pas"]
    assert dpi["degraded_mode"]["description"].startswith("Prescriptions manuscrites")
    assert _dangling_references(systems) == []


def test_instantiate_drops_reach_links_whose_credential_is_absent():
    without_credential = instantiate(["admin-workstation", "ad"], organisation="h", site=None, prefix="p")
    targets = [link["target"] for link in without_credential[0].get("links", []) if link["kind"] == "reach"]
    assert "p-ad" not in targets
    with_credential = instantiate(
        ["admin-workstation", "ad", "cred-da"], organisation="h", site=None, prefix="p"
    )
    reach = [link for link in with_credential[0]["links"] if link["kind"] == "reach"]
    assert {"target": "p-ad", "requires": "p-cred-da"}.items() <= next(
        link for link in reach if link["target"] == "p-ad"
    ).items()


def test_instantiate_wires_shared_systems_instead_of_duplicating_them():
    systems = instantiate(
        ["dpi", "ad", "workstations"], organisation="h", site=None, prefix="sat", shared={"ad": "ght-ad"}
    )
    ids = [system["id"] for system in systems]
    assert ids == ["sat-dpi", "sat-workstations"], "a shared entry is not instantiated again"
    dpi_targets = {link["target"] for link in systems[0]["links"]}
    assert "ght-ad" in dpi_targets


def test_instantiate_uses_the_requested_language_and_scales_units():
    english = instantiate(["dpi", "workstations"], organisation="h", site=None, prefix="", language="en")
    assert english[0]["id"] == "dpi"
    assert english[0]["name"] == "Electronic health record (EHR)"
    base_units = next(e["units"] for e in catalogue_entries() if e["id"] == "workstations")
    scaled = instantiate(["workstations"], organisation="h", site=None, prefix="x", units_factor=0.5)
    assert scaled[0]["units"] == round(base_units * 0.5)


def test_instantiate_rejects_unknown_entries_languages_and_profiles():
    with pytest.raises(ValueError, match="no-such"):
        instantiate(["no-such"], organisation="h", site=None, prefix="p")
    with pytest.raises(ValueError, match="language"):
        instantiate(["dpi"], organisation="h", site=None, prefix="p", language="de")
    with pytest.raises(ValueError, match="profile"):
        profile_entries("clinic")


def test_instantiate_is_deterministic():
    first = hospital_template("h", "s", "p", profile="ch")
    second = hospital_template("h", "s", "p", profile="ch")
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_existing_entries_let_new_systems_wire_to_an_existing_hospital():
    hospital = instantiate(["dpi", "pas", "sql-db"], organisation="h", site=None, prefix="chx")
    present = existing_entries(hospital, "chx")
    assert present == {"dpi": "chx-dpi", "pas": "chx-pas", "sql-db": "chx-sql-db"}
    assert existing_entries(hospital, "other") == {}
    added = instantiate(["chemo", "dpi"], organisation="h", site=None, prefix="chx", shared=present)
    assert [system["id"] for system in added] == ["chx-chemo"]
    assert {link["target"] for link in added[0]["links"]} == {"chx-dpi", "chx-sql-db"}
