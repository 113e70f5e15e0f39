"""The scenario library: every shipped scenario is valid, canonical, complete and plays out."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from studio.resources import library_dir
from studio.scenario.canonical import canonical_bytes
from studio.scenario.library import library_paths
from studio.scenario.schema import validator
from studio.scenario.timemodel import TimeModel
from studio.scenario.validate import errors_only, validate_scenario

REQUIRED = ("ch-rancongiciel-nuit", "territoire-insulaire-ght", "chu-double-extorsion", "supplier-compromise")
PATHS = library_paths()


def _load(path: Path) -> dict:
    return json.loads(path.read_bytes())


def _it_systems(scenario: dict, organisation: str | None = None) -> list[dict]:
    return [
        system
        for system in scenario["systems"]
        if system["kind"] not in ("credential", "clinical_service")
        and (organisation is None or system.get("organisation") == organisation)
    ]


def _minutes_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 60


def test_the_required_scenarios_are_shipped():
    assert set(REQUIRED) <= {path.stem for path in PATHS}


@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.stem)
class TestEveryScenario:
    def test_schema_valid(self, path):
        errors = [error.message for error in validator().iter_errors(_load(path))]
        assert errors == []

    def test_no_validation_errors(self, path):
        assert [str(problem) for problem in errors_only(validate_scenario(_load(path)))] == []

    def test_canonical_bytes(self, path):
        raw = path.read_bytes()
        assert raw == canonical_bytes(json.loads(raw))

    def test_id_matches_file_name(self, path):
        assert _load(path)["id"] == path.stem

    def test_at_least_one_hospital_of_25_systems(self, path):
        scenario = _load(path)
        hospitals = [
            org["id"]
            for org in scenario["organisations"]
            if org["type"] in ("hospital", "university_hospital")
        ]
        sizes = {org: len(_it_systems(scenario, org)) for org in hospitals}
        assert max(sizes.values()) >= 25, sizes

    def test_graph_has_clinical_services_credentials_and_a_domain_admin_path(self, path):
        scenario = _load(path)
        kinds = Counter(system["kind"] for system in scenario["systems"])
        assert kinds["clinical_service"] >= 5 and kinds["credential"] >= 2
        credentials = {system["id"] for system in scenario["systems"] if system["kind"] == "credential"}
        gated = [
            link
            for system in scenario["systems"]
            for link in system.get("links", [])
            if link["kind"] == "reach" and link.get("requires") in credentials
        ]
        assert gated, "reach links should need credentials somewhere on the path"

    def test_exercise_frame_is_complete(self, path):
        scenario = _load(path)
        exercise = scenario["exercise"]
        assert exercise["safety"]["marking"] in (
            "EXERCICE - EXERCICE - EXERCICE",
            "EXERCISE - EXERCISE - EXERCISE",
        )
        for field in ("context", "scope", "artificialities", "rules_of_play", "ground_truth"):
            assert exercise.get(field), field
        cells = {cell["id"]: cell for cell in scenario["cells"]}
        types = Counter(cell["type"] for cell in cells.values())
        assert types["animation"] == 1 and types["evaluation"] == 1 and types["player"] >= 3
        for cell in cells.values():
            if cell["type"] == "player":
                assert cell.get("mission") and cell.get("initial_situation"), cell["id"]
        animation = next(cell_id for cell_id, cell in cells.items() if cell["type"] == "animation")
        assert all(persona["played_by"] == animation for persona in scenario["personas"])
        assert any(persona["kind"] == "attacker" for persona in scenario["personas"])
        assert len(scenario["personas"]) >= 8
        assert all(objective["criteria"] for objective in scenario["objectives"])
        assert len(scenario["rating_scale"]["levels"]) >= 3
        assert scenario["reflex_sheets"] and scenario["glossary"]

    def test_left_for_the_generators(self, path):
        scenario = _load(path)
        assert scenario["injects"] == []
        assert "timeline" not in scenario
        assert isinstance(scenario["generation"]["seed"], int)

    def test_two_named_playbooks_one_default_with_restores(self, path):
        playbooks = _load(path)["playbooks"]
        assert len(playbooks) >= 2
        assert sum(1 for book in playbooks if book.get("default")) == 1
        for book in playbooks:
            assert book["name"]
            assert any(action["action"] == "restore" for action in book["actions"])

    def test_attack_obtains_domain_admin_and_detonates_inside_the_window(self, path):
        from studio.propagation import run_timeline

        scenario = _load(path)
        timeline = run_timeline(scenario, seed=scenario["generation"]["seed"])
        kinds = Counter(event["kind"] for event in timeline["events"])
        for kind in ("initial_access", "credential_obtained", "encrypted", "detected", "down", "restored"):
            assert kinds[kind] > 0, kind
        exercise = scenario["exercise"]
        window = _minutes_between(exercise["startex"], exercise["endex"])
        last_scenario_minute = TimeModel.from_scenario(scenario).scenario_minute(window)
        detonation = min(event["minute"] for event in timeline["events"] if event["kind"] == "encrypted")
        assert detonation <= last_scenario_minute


def test_chu_scenario_uses_time_jumps():
    scenario = _load(library_dir() / "chu-double-extorsion.json")
    jumps = TimeModel.from_scenario(scenario).jumps()
    assert len(jumps) >= 2
    resumed_days = [resumed / 1440 for _, _, resumed in jumps]
    assert resumed_days == sorted(resumed_days)
    assert scenario["attack"]["ransom"]["leak_after"] == "P21D"


def test_territorial_scenario_size_and_actors():
    scenario = _load(library_dir() / "territoire-insulaire-ght.json")
    assert len(_it_systems(scenario)) >= 60
    ght = next(org["id"] for org in scenario["organisations"] if org["type"] == "ght")
    members = [
        org
        for org in scenario["organisations"]
        if org.get("member_of") == ght and org["type"] in ("hospital", "university_hospital")
    ]
    assert len(members) >= 3
    assert any(org.get("fallback_for") for org in scenario["organisations"])
    player_orgs = {cell.get("organisation") for cell in scenario["cells"] if cell["type"] == "player"}
    org_types = {org["id"]: org["type"] for org in scenario["organisations"]}
    assert {"ars", "prefecture", "samu"} <= {org_types.get(org) for org in player_orgs}
    shared = {system["id"] for system in _it_systems(scenario, ght)}
    crossing = [
        link
        for system in scenario["systems"]
        if system.get("organisation") != ght
        for link in system.get("links", [])
        if link["target"] in shared
    ]
    assert crossing, "member hospitals should depend on the GHT's shared services"


def test_english_scenario_is_in_english():
    scenario = _load(library_dir() / "supplier-compromise.json")
    assert scenario["exercise"]["language"] == "en"
    assert scenario["exercise"]["safety"]["marking"] == "EXERCISE - EXERCISE - EXERCISE"
    names = {system["catalogue_ref"]: system["name"] for system in scenario["systems"]}
    assert names["dpi"] == "Electronic health record (EHR)"
    hospitals = [org for org in scenario["organisations"] if org["type"] == "hospital"]
    assert len(hospitals) >= 2
