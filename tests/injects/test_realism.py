"""Credibility of the offline MSEL: service-specific impacts, fitting senders, playable volume, and
territorial routing (SAMU, ARS, préfecture and GHT-level cells)."""

from __future__ import annotations

import copy
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from inject_fixtures import hand_timeline, hospital_scenario

from studio.durations import parse_minutes
from studio.injects.context import ScenarioContext
from studio.injects.generator import generate_msel, is_protected, service_profile
from studio.injects.lint import lint_msel, max_window_count
from studio.injects.lint_story import _system_phrases, named_systems
from studio.injects.prompts import (
    PromptError,
    parse_service_profiles,
    service_profiles,
    staff_tools,
)
from studio.scenario.canonical import canonical_bytes
from studio.scenario.document import load_scenario
from studio.scenario.library import library_paths
from studio.scenario.validate import validate_scenario

LIBRARY = {path.stem: path for path in library_paths()}
TERRITORY = "territoire-insulaire-ght"
NIGHT = "ch-rancongiciel-nuit"
CRITICAL_NAMES = re.compile(r"urgences|réanimation|néonatologie|bloc|maternité", re.I)


@cache
def _library_msel(stem: str) -> dict[str, Any]:
    return generate_msel(load_scenario(LIBRARY[stem])).scenario


def library_msel(stem: str) -> dict[str, Any]:
    return copy.deepcopy(_library_msel(stem))


def _kind(inject: dict[str, Any]) -> str:
    """The template kind of a generated inject ("story" for the scenario's own storyline beats)."""
    family, kind = inject["provenance"]["template"].split("/")[:2]
    return "story" if family == "storyline" else kind


def _played(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    return [inject for inject in scenario["injects"] if not inject.get("contingency")]


def _body_without_names(scenario: dict[str, Any], inject: dict[str, Any]) -> str:
    """The message with the marking, names (systems, organisations, people, cells) and figures
    removed: what is left is the wording itself."""
    text = inject["message"].removeprefix(scenario["exercise"]["safety"]["marking"])
    names = [s["name"] for s in scenario["systems"]]
    names += [o["name"] for o in scenario["organisations"]]
    names += [o.get("short_name", "") for o in scenario["organisations"]]
    names += [p["name"] for p in scenario["personas"]] + [p["role"] for p in scenario["personas"]]
    names += [c["name"] for c in scenario["cells"]]
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, "")
    return re.sub(r"\s+", " ", re.sub(r"\d+", "", text)).strip()


# --- 1. service-specific impacts ---------------------------------------------------------------


@pytest.mark.parametrize("stem", sorted(LIBRARY))
def test_no_two_clinical_impacts_share_their_wording(stem: str) -> None:
    scenario = library_msel(stem)
    impacts = [i for i in _played(scenario) if i["category"] == "clinical_impact"]
    assert impacts
    bodies = Counter(_body_without_names(scenario, inject) for inject in impacts)
    repeated = [body[:120] for body, count in bodies.items() if count > 1]
    assert repeated == []


@pytest.mark.parametrize("stem", sorted(LIBRARY))
def test_an_impact_report_tells_the_services_own_workaround_and_losses(stem: str) -> None:
    scenario = library_msel(stem)
    systems = {s["id"]: s for s in scenario["systems"]}
    events = {e["id"]: e for e in scenario["timeline"]["events"]}
    checked = 0
    for inject in _played(scenario):
        if _kind(inject) not in {"service_down", "service_degraded"}:
            continue
        service = systems[inject["system_refs"][0]]
        assert service["name"] in inject["title"] + inject["message"]
        degraded = service.get("degraded_mode")
        if degraded:
            assert degraded["description"] in inject["message"], inject["id"]
        # What it lost: the systems of the events that brought it down, at most three of them, in
        # the words of the people who report it (the staff words of prompts/functions/tools).
        causes = [events[c] for e in inject["cause_refs"] for c in events[e].get("causes", [])]
        lost = [systems[e["node"]] for e in causes if e.get("node") in systems]
        # People on the wards name the tools they use: the service's own applications count too.
        linked = [
            systems[link["target"]] for link in service.get("links", []) if link.get("target") in systems
        ]
        lost += linked
        tools = staff_tools(scenario["exercise"]["language"])
        said = [
            s
            for s in lost
            if s["name"] in inject["message"] or tools.get(s.get("catalogue_ref", "")) in inject["message"]
        ]
        assert said or not lost, inject["id"]
        assert len(named_systems(inject["message"], _system_phrases(scenario))) <= 3, inject["id"]
        checked += 1
    assert checked


def test_the_emergency_department_and_the_lab_do_not_speak_alike() -> None:
    scenario = library_msel(NIGHT)
    by_service: dict[str, str] = {}
    for inject in _played(scenario):
        if inject["category"] == "clinical_impact" and inject.get("system_refs"):
            by_service.setdefault(inject["system_refs"][0], inject["message"])
    assert "tri" in by_service["chb-svc-emergency"] or "box" in by_service["chb-svc-emergency"]
    assert "imprimante" not in " ".join(by_service.values())
    profiles = service_profiles("fr")
    scenes = set(profiles["emergency"].lines["scene"])
    lab_scenes = set(profiles["laboratory"].lines["scene"])
    assert scenes.isdisjoint(lab_scenes)


def test_every_catalogue_service_has_a_profile_of_its_own() -> None:
    for stem in LIBRARY:
        scenario = load_scenario(LIBRARY[stem])
        ctx = ScenarioContext(scenario)
        for system in scenario["systems"]:
            if system["kind"] == "clinical_service":
                assert service_profile(ctx, system).name != "default", system["id"]


def test_profiles_are_recognised_by_name_without_a_catalogue_id() -> None:
    ctx = ScenarioContext(hospital_scenario())
    names = {
        "Urgences pédiatriques": "emergency",
        "Réanimation polyvalente": "icu",
        "Laboratoire de biologie": "laboratory",
        "Pharmacie à usage intérieur": "pharmacy",
        "Service de chirurgie digestive": "theatres",
        "Unité d'accueil des familles": "switchboard",
        "Hôpital de jour d'oncologie": "oncology",
        "Service de gériatrie": "default",
    }
    for name, profile in names.items():
        assert service_profile(ctx, {"id": "x", "name": name}).name == profile, name


def test_both_languages_offer_the_same_service_profiles() -> None:
    french, english = service_profiles("fr"), service_profiles("en")
    assert list(french) == list(english)
    for name, profile in french.items():
        other = english[name]
        assert profile.catalogue == other.catalogue, name
        assert [p.pattern for p in profile.patterns] == [p.pattern for p in other.patterns], name
        assert profile.critical == other.critical, name
        assert {k: len(v) for k, v in profile.lines.items()} == {k: len(v) for k, v in other.lines.items()}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("=== default ===\n[colour]\n- x\n", r"unknown section \[colour\]"),
        ("=== default ===\n[scene]\n- {sevice}\n", r"unknown variable \{sevice\}"),
        ("=== default ===\n[match]\n- (unclosed\n", "bad regular expression"),
        ("=== default ===\n[scene]\nno dash\n", "needs '- ' items"),
        ("=== emergency ===\n[scene]\n- x\n", "no '=== default ===' profile"),
    ],
)
def test_malformed_service_files_fail_clearly(text: str, reason: str) -> None:
    with pytest.raises(PromptError, match=reason):
        parse_service_profiles(text, "services.md")


# --- 2. senders -----------------------------------------------------------------------------


def _with_ward_people(scenario: dict[str, Any]) -> dict[str, Any]:
    scenario["personas"] += [
        {"id": "p-urgentiste", "name": "Dr Paul Aubry", "role": "Médecin urgentiste", "kind": "staff",
         "organisation": "chb"},
        {"id": "p-biologiste", "name": "Dr Inès Roy", "role": "Biologiste de garde", "kind": "staff",
         "organisation": "chb"},
        {"id": "p-cadre-2", "name": "Marc Vidal", "role": "Cadre supérieur de santé", "kind": "staff",
         "organisation": "chb"},
        {"id": "p-syndic", "name": "Délégué CGT", "role": "Représentant syndical", "kind": "staff",
         "organisation": "chb"},
    ]  # fmt: skip
    return scenario


def test_a_service_is_reported_by_its_own_people_when_the_scenario_has_them() -> None:
    scenario = _with_ward_people(hospital_scenario())
    scenario["timeline"] = hand_timeline()
    injects = generate_msel(scenario).scenario["injects"]
    senders = {
        inject["system_refs"][0]: inject["from"]
        for inject in injects
        if inject["category"] == "clinical_impact" and not inject.get("contingency")
    }
    # The ED nurse manager of the test scenario and the emergency physician both fit the ED.
    assert senders["sau"] in {"p-cadre", "p-urgentiste"}
    assert senders["labo"] == "p-biologiste"
    # Réanimation has nobody of its own: a care manager who belongs to no other service, never
    # the biologist, the ED's people or the union delegate.
    assert senders["rea"] == "p-cadre-2"
    assert "p-syndic" not in senders.values()


def test_services_without_their_own_people_are_spread_over_the_care_managers() -> None:
    scenario = library_msel(TERRITORY)
    base = load_scenario(LIBRARY[TERRITORY])
    # A second manager on the night the services are hit (a day one would be off duty then).
    extra = {"id": "cadre-sup-chusa", "name": "Cadre supérieur - CHU Sainte-Aube", "kind": "staff"}
    base["personas"].append(
        {**extra, "role": "Cadre supérieur de santé de garde", "organisation": "chu-sainte-aube"}
        | {"function": "night_nurse_manager"}
    )
    again = generate_msel(base).scenario
    chusa = [
        i["from"]
        for i in _played(again)
        if i["category"] == "clinical_impact" and i.get("establishment") == "chu-sainte-aube"
    ]
    assert {"cadre-nuit-chusa", "cadre-sup-chusa"} <= set(chusa)
    # Without the extra persona, every establishment's impacts come from its own staff.
    for inject in _played(scenario):
        if inject["category"] == "clinical_impact":
            persona = next(p for p in scenario["personas"] if p["id"] == inject["from"])
            assert persona["organisation"] == inject["establishment"]


def test_care_network_senders_come_from_the_fallback_establishment() -> None:
    scenario = library_msel(TERRITORY)
    personas = {p["id"]: p for p in scenario["personas"]}
    orgs = {o["id"]: o for o in scenario["organisations"]}
    transfers = [i for i in _played(scenario) if _kind(i) in {"transfer_request", "fallback_offer"}]
    assert transfers
    for inject in transfers:
        receiver = orgs[personas[inject["from"]]["organisation"]]
        assert inject["establishment"] in receiver.get("fallback_for", []), inject["id"]


def test_no_authority_is_impersonated_by_another() -> None:
    scenario = library_msel(TERRITORY)
    personas = {p["id"]: p for p in scenario["personas"]}
    orgs = {o["id"]: o for o in scenario["organisations"]}
    for inject in _played(scenario):
        kind = _kind(inject)
        org_type = orgs.get(personas[inject["from"]].get("organisation", ""), {}).get("type")
        if kind == "ars_call":
            assert org_type == "ars"
        if kind == "corruss_request":
            assert org_type == "ministry"


# --- 3. volume and pacing ---------------------------------------------------------------------


def test_non_critical_services_falling_together_make_one_situation_point() -> None:
    scenario = library_msel(NIGHT)
    systems = {s["id"]: s for s in scenario["systems"]}
    points = [i for i in _played(scenario) if _kind(i) == "situation_point"]
    assert points
    for point in points:
        assert "cell-direction" in point["to"] and point.get("cc") == ["cell-soins"]
        assert len(point["system_refs"]) >= 2
        for ref in point["system_refs"]:
            service = systems[ref]
            assert not CRITICAL_NAMES.search(service["name"])
            line = next(
                line for line in point["message"].splitlines() if line.startswith(f"- {service['name']}")
            )
            assert service["degraded_mode"]["description"] in line
    grouped = {ref for point in points for ref in point["system_refs"]}
    alone = {i["system_refs"][0] for i in _played(scenario) if _kind(i) == "service_down"}
    assert grouped and not grouped & alone


def test_a_service_already_reported_in_a_kept_inject_leaves_the_situation_point() -> None:
    scenario = library_msel(NIGHT)
    point = next(i for i in _played(scenario) if _kind(i) == "situation_point")
    service = point["system_refs"][0]
    down = next(e for e in scenario["timeline"]["events"] if e["kind"] == "down" and e.get("node") == service)
    report = next(i for i in _played(scenario) if _kind(i) == "service_down")
    kept = {
        **copy.deepcopy(report),
        "id": f"inj-{down['id']}-{service}-service_down",
        "system_refs": [service],
        "cause_refs": [down["id"]],
        "status": "approved",
    }
    scenario["injects"].append(kept)
    again = generate_msel(scenario).scenario
    assert kept in again["injects"]
    points = [i for i in again["injects"] if _kind(i) == "situation_point" and not is_protected(i)]
    # Its outage is no longer told in the point (a later point may still tell its degraded mode).
    assert points and all(down["id"] not in p["cause_refs"] for p in points)
    first = next(p for p in points if p["offset"] == point["offset"])
    assert service not in first["system_refs"]
    assert [p for p in lint_msel(again) if p.is_error] == []


def test_critical_services_keep_their_own_reports() -> None:
    scenario = library_msel(NIGHT)
    systems = {s["id"]: s for s in scenario["systems"]}
    reported = {systems[i["system_refs"][0]]["name"] for i in _played(scenario) if _kind(i) == "service_down"}
    assert {"Urgences", "Réanimation", "Néonatologie", "Maternité", "Bloc opératoire"} <= reported


@pytest.mark.parametrize("stem", sorted(LIBRARY))
def test_library_msels_are_playable(stem: str) -> None:
    """About 1-3 injects per cell per 15 minutes at most, never above the pacing limit, and far
    fewer impact reports than services."""
    scenario = library_msel(stem)
    limit = scenario["generation"]["max_injects_per_cell_per_15min"]
    by_cell: dict[str, list[float]] = {}
    for inject in _played(scenario):
        for cell in inject["to"]:
            by_cell.setdefault(cell, []).append(parse_minutes(inject["offset"]))
    assert all(max_window_count(minutes) <= limit for minutes in by_cell.values())
    services = [s for s in scenario["systems"] if s["kind"] == "clinical_service"]
    impacts = [
        i
        for i in _played(scenario)
        if i["category"] in {"clinical_impact", "business_impact"} and not _kind(i).startswith("story")
    ]
    assert len(impacts) < len(services)


def test_a_lone_non_critical_service_keeps_its_own_report(scenario: dict[str, Any]) -> None:
    injects = generate_msel(scenario).scenario["injects"]
    labo = [i for i in injects if i.get("system_refs") == ["labo"] and i["category"] == "clinical_impact"]
    assert labo and not any(_kind(i) == "situation_point" for i in injects)


# --- 4. territorial routing -------------------------------------------------------------------


def test_every_player_cell_of_the_territory_receives_injects() -> None:
    scenario = library_msel(TERRITORY)
    received = Counter(cell for inject in _played(scenario) for cell in inject["to"])
    players = [c["id"] for c in scenario["cells"] if c["type"] == "player"]
    assert all(received[cell] >= 1 for cell in players), received


def test_samu_prefecture_and_ars_cells_get_what_concerns_them() -> None:
    scenario = library_msel(TERRITORY)

    def categories(cell: str) -> set[str]:
        return {i["category"] for i in _played(scenario) if cell in i["to"]}

    assert "care_network" in categories("cell-samu")
    assert "authority" in categories("cell-prefecture")
    assert {"authority", "media"} <= categories("cell-ars")
    assert "media" in categories("cell-prefecture")
    kinds = {_kind(i) for i in _played(scenario)}
    # The SAMU and the préfecture play: their own calls are not simulated.
    assert "samu_diversion" not in kinds and "prefecture" not in kinds
    assert {"fallback_offer", "corruss_request", "cod_question"} <= kinds
    assert all(
        "cell-samu" in i["to"]
        for i in _played(scenario)
        if _kind(i) in {"fallback_offer", "transfer_request"}
    )


def test_ght_level_cells_receive_the_group_injects() -> None:
    scenario = library_msel(TERRITORY)
    encryptions = [i for i in _played(scenario) if _kind(i) == "encryption"]
    assert {i["establishment"] for i in encryptions} == {"chu-sainte-aube", "ch-port-salin", "ch-anse-rouge"}
    assert all(i["to"] == ["cell-dsi-ght"] for i in encryptions)
    # The crisis cell of a member hospital is copied on what the GHT cell receives about it.
    copied = {i["establishment"]: i.get("cc", []) for i in encryptions}
    assert copied["ch-port-salin"] == ["cell-direction-chps"]
    assert copied["ch-anse-rouge"] == ["cell-direction-char"]


def test_cells_whose_organisation_is_the_ght_are_reached() -> None:
    base = load_scenario(LIBRARY[TERRITORY])
    for cell in base["cells"]:
        if cell["id"] in {"cell-dsi-ght", "cell-com-ght"}:
            cell["organisation"] = "ght-sainte-aube"
    scenario = generate_msel(base).scenario
    assert [p for p in validate_scenario(scenario) if p.is_error] == []
    assert [p for p in lint_msel(scenario) if p.is_error] == []
    received = Counter(cell for inject in _played(scenario) for cell in inject["to"])
    assert received["cell-dsi-ght"] >= 3 and received["cell-com-ght"] >= 2
    technical = [i for i in _played(scenario) if i["category"] == "technical_alert"]
    assert technical and all(i["to"] == ["cell-dsi-ght"] for i in technical)


def test_territorial_injects_wait_for_the_cells_that_play(scenario: dict[str, Any]) -> None:
    # The test hospital has an ARS cell but no SAMU or préfecture cell: no COD question, no offer to
    # a SAMU cell; the SAMU persona still calls about diversion.
    kinds = {_kind(i) for i in generate_msel(scenario).scenario["injects"]}
    assert "samu_diversion" in kinds
    assert not {"cod_question", "fallback_offer"} & kinds


def test_same_seed_same_bytes_on_the_territory() -> None:
    document = load_scenario(LIBRARY[TERRITORY])
    first = canonical_bytes(generate_msel(document, seed=5).scenario)
    second = canonical_bytes(generate_msel(copy.deepcopy(document), seed=5).scenario)
    assert first == second


def test_the_service_files_are_data_not_code() -> None:
    folder = Path(__file__).resolve().parents[2] / "prompts" / "injects" / "clinical_impact"
    assert {p.name for p in folder.glob("services.*.md")} == {"services.fr.md", "services.en.md"}
