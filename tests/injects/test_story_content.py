"""Exercise content a planner hands out unedited: the information model, the storyline, the text rules.

Each rule of :mod:`studio.injects.lint_story` has a test with a scenario built to break it, and the
four library scenarios are measured against the issue's figures directly (not only through lint).
"""

from __future__ import annotations

import collections
import copy
import json
import math
import re
import statistics
import types
from datetime import datetime
from functools import cache
from typing import Any

import pytest

from studio.durations import format_minutes, parse_minutes
from studio.injects.context import ScenarioContext
from studio.injects.generation.pacing import hour_counts
from studio.injects.generation.text import (
    _field_voice,
    _what_is_new,
    body,
    distinct_title,
    humanize_durations,
    translate_terms,
)
from studio.injects.generator import generate_msel
from studio.injects.lint import lint_msel
from studio.injects.lint_story import _system_phrases, involvement_minutes, named_systems
from studio.injects.wording import clock_words
from studio.scenario.information import compute_knowledge, default_alert_chain, infer_function
from studio.scenario.library import load_library
from studio.scenario.timemodel import played_windows
from studio.scenario.validate import validate_scenario

LIBRARY = ("ch-rancongiciel-nuit", "territoire-insulaire-ght", "chu-double-extorsion", "supplier-compromise")
STORY_RULES = {
    "info.before_activation",
    "info.unknown_to_sender",
    "text.duplicate_body",
    "text.duplicate_title",
    "info.off_duty",
    "text.system_list",
    "text.untranslated",
    "pacing.hour_spike",
    "pacing.session_tail",
}
TIMED_TITLE = re.compile(
    r"(?:– (?:\w+ )?(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday)? ?|appel de |[Cc]all .* at )(?:\d{1,2} h(?: \d{2})?|\d{2}:\d{2})$"
)
"""A title told apart by a clock time (« … – samedi 21 h 30 », « Journaliste : appel de 12 h »): it
says when, not what (« Point de restauration de 2 h 20 » names a restore point: not one)."""


@cache
def _library_msel(name: str) -> str:
    return json.dumps(generate_msel(load_library(name)).scenario)


def library_msel(name: str) -> dict[str, Any]:
    return json.loads(_library_msel(name))


def _players(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        i
        for i in scenario["injects"]
        if i.get("visibility", "players") == "players" and not i.get("contingency")
    ]


# --- the four library scenarios, measured ---------------------------------------------------------


@pytest.mark.parametrize("name", LIBRARY)
def test_library_msel_meets_the_story_rules(name: str) -> None:
    scenario = library_msel(name)
    players = _players(scenario)
    # No verbatim duplicate bodies.
    repeated = [text for text, count in collections.Counter(body(i) for i in players).items() if count > 1]
    assert repeated == []
    # No two injects, reserve included, come from the same sender under the same title.
    titles = collections.Counter((i["title"], i["from"]) for i in scenario["injects"])
    assert [pair for pair, count in titles.items() if count > 1] == []
    # Titles say what is new, not when: none ends with a clock time (« … – samedi 21 h 30 »).
    assert [i["title"] for i in scenario["injects"] if TIMED_TITLE.search(i["title"])] == []
    # Everyone who speaks is at work at that time of the story (no night nurse manager at noon).
    ctx = ScenarioContext(scenario)
    personas = {p["id"]: p for p in scenario["personas"]}
    off_duty = [
        (i["id"], i["from"], i["scenario_time"])
        for i in scenario["injects"]
        if i["from"] in personas
        and not ctx.on_duty(personas[i["from"]], datetime.fromisoformat(i["scenario_time"]))
    ]
    assert off_duty == []
    # No inject reaches a cell before it is in play.
    involved = involvement_minutes(scenario)
    knowledge = compute_knowledge(scenario, scenario["timeline"]["events"])
    activation = {cell: minute for cell, minute in involved.items()}
    for inject in players:
        offset = parse_minutes(inject["offset"])
        alert = inject["id"].startswith("inj-alert-")
        for cell in inject["to"]:
            if cell in activation and not alert:
                cell_spec = next(c for c in scenario["cells"] if c["id"] == cell)
                if cell_spec.get("activation") == "alert":
                    assert offset >= activation[cell] - 1e-6, (inject["id"], cell)
    # No player inject names more than three information systems.
    phrases = _system_phrases(scenario)
    assert all(len(named_systems(i["message"], phrases)) <= 3 for i in players)
    # No hour holds more than 2.5 times the median hour; the last hour of each session has play.
    windows = played_windows(scenario)
    counts = hour_counts([parse_minutes(i["offset"]) for i in players], windows)
    assert max(counts.values()) <= 2.5 * max(statistics.median(counts.values()), 1)
    for start, end in windows:
        assert any(end - 60 <= parse_minutes(i["offset"]) <= end for i in players), (start, end)
    # Lint agrees, and is clean on these rules.
    assert [p for p in lint_msel(scenario) if p.rule in STORY_RULES] == []
    assert knowledge.knows  # the chain reaches people


@pytest.mark.parametrize("name", ["ch-rancongiciel-nuit", "territoire-insulaire-ght", "chu-double-extorsion"])
def test_french_player_text_has_no_engine_or_english_terms(name: str) -> None:
    scenario = library_msel(name)
    problems = [p for p in lint_msel(scenario) if p.rule == "text.untranslated"]
    assert problems == []
    for inject in _players(scenario):
        if inject["category"] == "attacker":
            continue
        text = inject["title"] + " " + inject["message"]
        for raw in ("kerberoasting", "detonation", "PT1H", "encrypted", "restore_blocked"):
            assert raw not in text, (inject["id"], raw)


def test_each_library_scenario_tells_its_own_story() -> None:
    titles = {
        name: {i["title"] for i in library_msel(name)["injects"] if i["id"].startswith("inj-story-")}
        for name in LIBRARY
    }
    assert all(len(found) >= 6 for found in titles.values()), {k: len(v) for k, v in titles.items()}
    for first in LIBRARY:
        for second in LIBRARY:
            if first < second:
                assert not titles[first] & titles[second]


def test_the_island_never_offers_the_mainland_as_a_fallback() -> None:
    scenario = library_msel("territoire-insulaire-ght")
    mainland = [o["id"] for o in scenario["organisations"] if (o.get("location") or {}).get("off_territory")]
    assert mainland
    personas = {p["id"]: p for p in scenario["personas"]}
    offers = [
        i
        for i in scenario["injects"]
        if i["provenance"]["template"].split("/")[-1].startswith("fallback_offer")
    ]
    offers += [i for i in scenario["injects"] if "transfer_request" in i["provenance"]["template"]]
    for inject in offers:
        assert personas[inject["from"]].get("organisation") not in mainland, inject["id"]
    names = [o["name"] for o in scenario["organisations"] if o["id"] in mainland]
    generated = [i for i in scenario["injects"] if not i["id"].startswith("inj-story-")]
    for inject in generated:
        if inject["category"] == "care_network":
            assert not any(name in inject["message"] for name in names), inject["id"]


# --- the information model ------------------------------------------------------------------------


def _tiny() -> dict[str, Any]:
    from studio.injects.generator import obtain_timeline

    scenario = load_library("ch-rancongiciel-nuit")
    scenario["timeline"] = obtain_timeline(scenario, scenario["generation"]["seed"])
    return scenario


def test_knowledge_follows_the_chain_and_its_delays() -> None:
    scenario = _tiny()
    knowledge = compute_knowledge(scenario, scenario["timeline"]["events"])
    first = knowledge.first_symptom[None]
    field = [p["id"] for p in scenario["personas"] if p.get("function") == "night_nurse_manager"]
    assert field and knowledge.knows[field[0]] == first
    for link in scenario["information"]["alert_chain"]:
        source, target = link["from"], link["to"]
        if source in knowledge.knows and math.isfinite(knowledge.knows[source]):
            assert knowledge.knows[target] <= knowledge.knows[source] + parse_minutes(link["delay"]) + 1e-9
    attacker = next(p["id"] for p in scenario["personas"] if p.get("function") == "attacker")
    assert knowledge.knows[attacker] == -math.inf


def test_a_persona_out_of_the_chain_never_speaks_and_lint_says_why() -> None:
    scenario = _tiny()
    scenario["information"]["alert_chain"] = [
        link
        for link in scenario["information"]["alert_chain"]
        if "journalist" not in (link["from"], link["to"])
    ]
    journalist = next(p["id"] for p in scenario["personas"] if p.get("function") == "journalist")
    generated = generate_msel(scenario).scenario
    assert not any(i["from"] == journalist for i in generated["injects"])
    # A designer who writes such an inject by hand is told.
    manual = copy.deepcopy(generated["injects"][0])
    manual.update(id="manual-press", **{"from": journalist}, provenance={"source": "manual"}, status="draft")
    generated["injects"].append(manual)
    rules = {(p.rule, p.path) for p in lint_msel(generated)}
    index = len(generated["injects"]) - 1
    assert ("info.unknown_to_sender", f"/injects/{index}/from") in rules


def test_an_alert_cell_hears_nothing_before_the_alert_reaches_it() -> None:
    scenario = library_msel("territoire-insulaire-ght")
    alert_cells = [c["id"] for c in scenario["cells"] if c.get("activation") == "alert"]
    assert alert_cells
    involved = involvement_minutes(scenario)
    early = min(alert_cells, key=lambda cell: involved[cell])
    broken = copy.deepcopy(scenario)
    inject = next(i for i in broken["injects"] if not i.get("contingency") and early not in i["to"])
    inject["to"] = [*inject["to"], early]
    inject["offset"] = format_minutes(max(0.0, involved[early] - 30))
    problems = [p for p in lint_msel(broken) if p.rule == "info.before_activation"]
    assert problems and early in problems[0].message


def test_default_chain_and_function_inference_cover_a_legacy_scenario() -> None:
    scenario = load_library("chu-double-extorsion")
    organisations = {o["id"]: o for o in scenario["organisations"]}
    for persona in scenario["personas"]:
        assert infer_function({k: v for k, v in persona.items() if k != "function"}, organisations)
    chain = default_alert_chain(scenario)
    reached = {link["to"] for link in chain}
    assert {c["id"] for c in scenario["cells"] if c["type"] == "player"} <= reached


def test_an_unreachable_fallback_is_never_offered() -> None:
    scenario = load_library("territoire-insulaire-ght")
    ctx = ScenarioContext(scenario)
    for org in scenario["organisations"]:
        if (org.get("location") or {}).get("off_territory"):
            for origin in org.get("fallback_for", []):
                assert not ctx.reachable(origin, org["id"])
                assert org["id"] not in ctx.fallback_orgs(origin)
    # A pair linked only by the coastal road is cut off when the road closes, and offered again
    # when it opens.
    variable = next(
        r["requires"] for r in scenario["territory"]["transfers"] if r["mode"] == "road" and r.get("requires")
    )
    first, second = next(
        (r["from"], r["to"]) for r in scenario["territory"]["transfers"] if r.get("requires") == variable
    )
    only_coast = copy.deepcopy(scenario)
    only_coast["territory"]["transfers"] = [
        r
        for r in only_coast["territory"]["transfers"]
        if {r["from"], r["to"]} != {first, second} or r.get("requires") == variable
    ]
    for value, expected in (("closed", False), ("open", True)):
        for item in only_coast["territory"]["variables"]:
            if item["id"] == variable:
                item["value"] = value
        assert ScenarioContext(only_coast).reachable(first, second) is expected


# --- the text rules, each broken on purpose -------------------------------------------------------


def _first_player(scenario: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return next(
        (n, i)
        for n, i in enumerate(scenario["injects"])
        if not i.get("contingency") and i["category"] != "attacker"
    )


def test_a_duplicate_body_is_an_error() -> None:
    scenario = library_msel("ch-rancongiciel-nuit")
    index, inject = _first_player(scenario)
    twin = next(n for n, i in enumerate(scenario["injects"]) if n > index and not i.get("contingency"))
    scenario["injects"][twin]["message"] = inject["message"]
    assert any(
        p.rule == "text.duplicate_body" and p.path == f"/injects/{twin}/message" for p in lint_msel(scenario)
    )


def test_a_duplicate_body_with_a_line_added_at_the_end_is_an_error() -> None:
    scenario = library_msel("ch-rancongiciel-nuit")
    index, inject = _first_player(scenario)
    twin = next(n for n, i in enumerate(scenario["injects"]) if n > index and not i.get("contingency"))
    scenario["injects"][twin]["message"] = inject["message"] + "\n« Je vous rappelle si besoin. »"
    assert any(
        p.rule == "text.duplicate_body" and p.path == f"/injects/{twin}/message" for p in lint_msel(scenario)
    )
    # Two calls that open alike and then say different things are two messages.
    scenario = library_msel("ch-rancongiciel-nuit")
    scenario["injects"][index]["message"] = "Allô, c'est le standard.\n« Les familles appellent. »"
    scenario["injects"][twin]["message"] = "Allô, c'est le standard.\n« Le fax ne marche plus. »"
    assert not [p for p in lint_msel(scenario) if p.rule == "text.duplicate_body"]


def test_the_same_title_from_the_same_sender_is_an_error_and_another_sender_is_not() -> None:
    scenario = library_msel("ch-rancongiciel-nuit")
    index, inject = _first_player(scenario)
    twin = next(
        n
        for n, i in enumerate(scenario["injects"])
        if n > index and not i.get("contingency") and i["from"] != inject["from"]
    )
    scenario["injects"][twin]["title"] = inject["title"]
    assert not [p for p in lint_msel(scenario) if p.rule == "text.duplicate_title"]
    scenario["injects"][twin]["from"] = inject["from"]
    found = [p for p in lint_msel(scenario) if p.rule == "text.duplicate_title"]
    assert [p.path for p in found] == [f"/injects/{twin}/title"]
    assert found[0].severity.value == "error"
    # Written or reviewed by a person: the designer may mean it, lint only warns.
    scenario["injects"][twin]["status"] = "approved"
    assert [p.severity.value for p in lint_msel(scenario) if p.rule == "text.duplicate_title"] == ["warning"]


def _retitle(scenario: dict[str, Any], inject: dict[str, Any], taken: list[dict[str, Any]]) -> str:
    """The title :func:`distinct_title` gives ``inject`` after the ``taken`` injects of the MSEL."""
    plan = types.SimpleNamespace(ctx=ScenarioContext(scenario))
    titled = {(i["title"], i["from"]) for i in taken}
    told = {fact for i in taken for fact in _what_is_new(plan.ctx, i)}
    return distinct_title(plan, inject, titled, told)  # type: ignore[arg-type]


def test_a_repeated_title_says_what_is_new_never_when() -> None:
    scenario = library_msel("territoire-insulaire-ght")
    ctx = ScenarioContext(scenario)
    first = next(i for i in _players(scenario) if i.get("establishment") and i.get("system_refs"))
    clock = datetime.fromisoformat(first["scenario_time"])
    # The caller's own words, when the message quotes them.
    quoted = dict(first, message=f"{ctx.marking}\n\nAllô.\n« Il nous manque trois infirmières cette nuit. »")
    title = _retitle(scenario, quoted, [first])
    assert title.endswith("« Il nous manque trois infirmières cette nuit »"), title
    # No quote: the establishment the earlier one did not concern.
    other = next(
        o for o in scenario["organisations"] if o["id"] != first["establishment"] and o.get("member_of")
    )
    elsewhere = dict(
        first, message=f"{ctx.marking}\n\nMême demande.", establishment=other["id"], system_refs=[]
    )
    assert (
        _retitle(scenario, elsewhere, [first])
        == f"{first['title']} – {ctx.org_name(other['id'], short=True)}"
    )
    # Nothing new to tell: the sender asks again, and counts.
    again = dict(first, message=f"{ctx.marking}\n\nMême demande.")
    assert _retitle(scenario, again, [first]) == f"{first['title']} – relance"
    reminded = dict(first, title=f"{first['title']} – relance")
    assert _retitle(scenario, again, [first, reminded]) == f"{first['title']} – 2e relance"
    for title in (_retitle(scenario, again, [first]), _retitle(scenario, quoted, [first])):
        assert not TIMED_TITLE.search(title)
        assert clock_words(clock.hour, clock.minute) not in title


def test_a_night_nurse_manager_speaking_at_noon_is_reported() -> None:
    scenario = library_msel("ch-rancongiciel-nuit")
    index = next(n for n, i in enumerate(scenario["injects"]) if i["from"] == "day-manager")
    inject = scenario["injects"][index]
    assert 7 <= datetime.fromisoformat(inject["scenario_time"]).hour < 21
    assert not [p for p in lint_msel(scenario) if p.rule == "info.off_duty"]
    inject["from"] = "night-manager"
    found = [p for p in lint_msel(scenario) if p.rule == "info.off_duty"]
    assert [(p.path, p.severity.value) for p in found] == [(f"/injects/{index}/from", "warning")]


def test_shifts_cross_midnight_and_people_without_a_shift_answer_at_any_time() -> None:
    ctx = ScenarioContext(load_library("ch-rancongiciel-nuit"))
    people = {p["id"]: p for p in ctx.personas}
    night, day, regulator = people["night-manager"], people["day-manager"], people["samu-regulator"]
    at = lambda hour, minute=0: datetime(2026, 3, 14, hour, minute)  # noqa: E731 - a Saturday
    assert ctx.on_duty(night, at(23)) and ctx.on_duty(night, at(3)) and ctx.on_duty(night, at(8, 30))
    assert not ctx.on_duty(night, at(11, 20)) and not ctx.on_duty(night, at(19, 59))
    assert ctx.on_duty(day, at(11, 20)) and ctx.on_duty(day, at(7)) and not ctx.on_duty(day, at(3))
    assert all(ctx.on_duty(regulator, at(hour)) for hour in range(24))
    # Off duty by scenario minute: the story starts on Thursday 21:00, so minute 120 is 23:00.
    assert "day-manager" in ctx.off_duty(120) and "night-manager" not in ctx.off_duty(120)
    assert "night-manager" in ctx.off_duty(15 * 60) and "day-manager" not in ctx.off_duty(15 * 60)


def test_follow_up_titles_say_what_is_new() -> None:
    scenario = library_msel("territoire-insulaire-ght")
    quoted = [i for i in scenario["injects"] if "« " in i["title"] and i["id"].startswith("inj-sustain-")]
    assert len(quoted) >= 10
    for inject in quoted:
        said = inject["title"].split("« ", 1)[1].rstrip(" »…")
        # The title quotes the caller's own words of this message.
        assert said.rstrip("…") in inject["message"], inject["id"]


def test_nobody_says_since_the_very_time_they_speak() -> None:
    """« Depuis 1 h 50 » said at 1:50 says nothing: generated calls tell a duration or the time."""
    for name in LIBRARY:
        for inject in _players(library_msel(name)):
            if inject["id"].startswith("inj-story-"):
                continue  # the designer's own words
            when = datetime.fromisoformat(inject["scenario_time"])
            for now in (clock_words(when.hour, when.minute, "fr"), clock_words(when.hour, when.minute, "en")):
                assert f"epuis {now}" not in inject["message"], (inject["id"], inject["message"])
                assert f"ince {now}" not in inject["message"], (inject["id"], inject["message"])


def test_a_system_inventory_is_an_error() -> None:
    scenario = library_msel("ch-rancongiciel-nuit")
    index, inject = _first_player(scenario)
    names = [s["name"] for s in scenario["systems"] if s["kind"] not in {"clinical_service", "credential"}][
        :5
    ]
    inject["message"] += "\nTouchés : " + ", ".join(names)
    assert any(
        p.rule == "text.system_list" and p.path == f"/injects/{index}/message" for p in lint_msel(scenario)
    )


@pytest.mark.parametrize(
    "addition",
    [
        "Délai estimé : PT1H30M.",
        "Voir ch-dpi pour le détail.",
        "Le kerberoasting est confirmé.",
        "Please call us back, the data has been encrypted and we will publish your files.",
    ],
)
def test_english_engine_words_and_identifiers_are_errors_in_french(addition: str) -> None:
    scenario = library_msel("ch-rancongiciel-nuit")
    if "ch-dpi" in addition:
        addition = addition.replace("ch-dpi", scenario["systems"][3]["id"])
    index, inject = _first_player(scenario)
    inject["message"] += "\n" + addition
    assert any(
        p.rule == "text.untranslated" and p.path == f"/injects/{index}/message" for p in lint_msel(scenario)
    )


def test_a_crowded_hour_and_an_empty_session_end_are_warnings() -> None:
    scenario = library_msel("chu-double-extorsion")
    windows = played_windows(scenario)
    start = windows[0][0]
    # Everything after the third hour is told in the first half hour: a burst, then silence.
    for inject in scenario["injects"]:
        if parse_minutes(inject["offset"]) >= start + 180:
            inject["offset"] = format_minutes(start + 30)
    rules = {p.rule for p in lint_msel(scenario)}
    assert {"pacing.hour_spike", "pacing.session_tail"} <= rules


def test_words_are_made_french_and_human() -> None:
    assert humanize_durations("reprise sous PT1H30M, puis P2D", "fr") == "reprise sous 1 h 30, puis 2 jours"
    assert "rançongiciel" in translate_terms("un ransomware connu", "fr")
    assert translate_terms("le VPN", "fr") == "le VPN"


def test_library_scenarios_validate_with_their_story_data() -> None:
    for name in LIBRARY:
        scenario = load_library(name)
        assert [p for p in validate_scenario(scenario) if p.is_error] == []
        assert scenario["storyline"]["beats"] and scenario["information"]["alert_chain"]
        assert all("function" in persona for persona in scenario["personas"])


def test_story_validation_names_the_path_and_rule() -> None:
    scenario = load_library("territoire-insulaire-ght")
    scenario["storyline"]["beats"][0]["from"] = "nobody"
    scenario["information"]["alert_chain"][0]["to"] = "nowhere"
    evasan = next(r for r in scenario["territory"]["transfers"] if r["mode"] == "air_evasan")
    evasan["lead_time"] = "PT2H"
    found = {(p.path.split("/")[1], p.rule) for p in validate_scenario(scenario)}
    assert ("storyline", "ref.beat_sender") in found
    assert ("information", "ref.alert_chain") in found
    assert ("territory", "territory.evasan_lead") in found


def test_nobody_says_hello_again_on_their_first_call() -> None:
    for name in LIBRARY:
        first: dict[str, dict[str, Any]] = {}
        for inject in sorted(_players(library_msel(name)), key=lambda i: parse_minutes(i["offset"])):
            first.setdefault(inject["from"], inject)
        for inject in first.values():
            opening = inject["message"].split("\n\n", 1)[-1]
            assert not re.search(r"\bre-bonjour\b|\bhello again\b|^c'est encore", opening, re.I), (
                inject["id"],
                opening[:80],
            )


def test_a_sender_whose_name_says_its_organisation_is_not_followed_by_it_again() -> None:
    scenario = library_msel("supplier-compromise")
    calls = [i for i in scenario["injects"] if i["from"] == "regional-chu"]
    assert calls
    for inject in calls:
        assert "Regional University Hospital, Regional University Hospital" not in inject["message"]
        assert "Regional University Hospital (Regional University Hospital)" not in inject["message"]


@pytest.mark.parametrize("name", LIBRARY)
def test_a_nurse_manager_does_not_list_servers_and_a_journalist_introduces_himself_once(name: str) -> None:
    scenario = library_msel(name)
    ctx = ScenarioContext(scenario)
    personas = {p["id"]: p for p in scenario["personas"]}
    # An applications point written by someone on the wards names the tools services lost, not
    # the servers and directories no service uses directly.
    unseen = {
        system["name"]
        for system in scenario["systems"]
        if system.get("kind") in {"application", "database", "messaging", "telephony", "interface"}
        and not ctx.services_linking_to(system["id"])
    }
    field_points = [
        i
        for i in scenario["injects"]
        if i["id"].endswith("applications_point") and _field_voice(ctx, personas[i["from"]])
    ]
    for inject in field_points:
        assert not [n for n in unseen if n in inject["message"]], inject["id"]
        assert "n'en dépend directement" not in inject["message"]
        assert "depends on it directly" not in inject["message"]
    # A first contact (« On nous signale que … pouvez-vous confirmer ? ») is made once: the press
    # that called at the alert does not introduce itself again hours later.
    first_contacts = [i["id"] for i in scenario["injects"] if i["id"].endswith("journalist_call")]
    assert len(first_contacts) <= 1, first_contacts


def test_someone_outside_the_hospital_alerts_with_what_they_can_know() -> None:
    # A social-network watcher (double extortion) and a hosting provider (supplier) bring the alert
    # to a cell: neither speaks of printers and teams asking what to do, as a nurse manager would.
    staff_lines = re.compile(
        r"imprimantes|équipes me demandent|printers|teams ask me|rien ne marche plus", re.I
    )
    for name, cell in (("chu-double-extorsion", "cell-com"), ("supplier-compromise", "cell-direction-lor")):
        scenario = library_msel(name)
        alert = next(i for i in scenario["injects"] if i["id"] == f"inj-alert-{cell}")
        assert alert["provenance"]["template"].split("/")[1] in {"alert_public", "alert_supplier"}, alert[
            "id"
        ]
        assert not staff_lines.search(alert["message"]), alert["message"]
