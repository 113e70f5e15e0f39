"""French typography, the fictitious directory and the exercise schedule, one behaviour per test."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.exports.chronogramme import ScenarioView
from studio.exports.common import safe_filename_part, scenario_labels
from studio.exports.contacts import Directory, is_fictitious_phone, is_reserved_email
from studio.exports.schedule import exercise_schedule, schedule_lines
from studio.exports.typography import NBSP, NNBSP, typeset_french
from studio.scenario.schema import validator


@pytest.mark.parametrize(
    ("raw", "typeset"),
    [
        ("Heure: 08:30", f"Heure{NBSP}: 08:30"),  # clock times keep their colon
        ("Note :", f"Note{NBSP}:"),
        ("Quoi?! Vraiment ?", f"Quoi{NNBSP}?! Vraiment{NNBSP}?"),
        ("a ; b", f"a{NNBSP}; b"),
        ('Il dit "bonjour".', f"Il dit «{NBSP}bonjour{NBSP}»."),
        ("« déjà »", f"«{NBSP}déjà{NBSP}»"),
        ("l'hôpital aujourd'hui", "l\u2019hôpital aujourd\u2019hui"),
        ("à 8h30, puis 14h et 10h00", f"à 8{NBSP}h{NBSP}30, puis 14{NBSP}h et 10{NBSP}h"),
        ("4 h - Le standard", f"4{NBSP}h - Le standard"),
        ("1500000 € en 2026", f"1{NNBSP}500{NNBSP}000 € en 2026"),
        # Left alone: URLs, addresses, ids, ISO text, phone numbers, words glued to "h".
        ("http://x.test:80/a?b=1", "http://x.test:80/a?b=1"),
        ("a.b@chu.test", "a.b@chu.test"),
        ("inj-00012 T+01:30 PT1H30M", "inj-00012 T+01:30 PT1H30M"),
        ("01 99 00 12 34", "01 99 00 12 34"),
        ("2 hôpitaux, 1 heure, 72h", "2 hôpitaux, 1 heure, 72h"),
        ("a;b", "a;b"),
    ],
)
def test_typeset_french(raw: str, typeset: str) -> None:
    assert typeset_french(raw) == typeset


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1 :;!?«»\"'h.0\n-\u00a0")), max_size=40))
def test_typeset_french_is_idempotent(text: str) -> None:
    once = typeset_french(text)
    assert typeset_french(once) == once


def test_fiction_checks() -> None:
    assert is_fictitious_phone("01 99 00 12 34") and is_fictitious_phone("06 39 98 00 00")
    assert not is_fictitious_phone("01 45 00 12 34") and not is_fictitious_phone("0199001234")
    assert is_reserved_email("a@chu.test") and is_reserved_email("a@b.example.org")
    assert not is_reserved_email("a@chu.fr") and not is_reserved_email("a@notexample.org")


def test_directory_fills_missing_contacts_deterministically_and_keeps_given_ones(golden_fr: dict) -> None:
    scenario = copy.deepcopy(golden_fr)
    scenario["personas"][0]["phone"] = "02 61 91 00 01"
    first = Directory(scenario)
    assert first.persona(scenario["personas"][0]["id"])[0] == "02 61 91 00 01"
    phones = [first.persona(p["id"])[0] for p in scenario["personas"]] + [
        first.cell(c["id"])[0] for c in scenario["cells"]
    ]
    emails = [first.persona(p["id"])[1] for p in scenario["personas"]]
    assert all(map(is_fictitious_phone, phones)) and all(map(is_reserved_email, emails))
    assert len(set(phones)) == len(phones) and len(set(emails)) == len(emails)
    again = Directory(copy.deepcopy(scenario))
    assert [again.persona(p["id"]) for p in scenario["personas"]] == [
        first.persona(p["id"]) for p in scenario["personas"]
    ]


def test_directory_settings_choose_the_block_and_domain(golden_fr: dict) -> None:
    scenario = copy.deepcopy(golden_fr)
    scenario["exercise"]["contacts"] = {"phone_block": "05 36 49", "email_domain": "ght-val.example"}
    assert list(validator().iter_errors(scenario)) == []
    directory = Directory(scenario)
    phone, email = directory.cell(scenario["cells"][0]["id"])
    assert phone.startswith("05 36 49 ") and email.endswith("@ght-val.example")
    scenario["exercise"]["contacts"]["email_domain"] = "chu-real.fr"
    assert list(validator().iter_errors(scenario))  # a real domain is refused by the schema


def _schedule_scenario(golden_fr: dict) -> dict[str, Any]:
    scenario = copy.deepcopy(golden_fr)
    startex = scenario["exercise"]["startex"]
    day, zone = startex[:10], startex[19:]
    scenario["exercise"]["sessions"] = [
        {"start": startex, "end": f"{day}T12:00:00{zone}", "label": "Matin"},
        {"start": f"{day}T14:00:00{zone}", "end": scenario["exercise"]["endex"], "label": "Après-midi"},
    ]
    return scenario


def test_schedule_lines_name_debex_sessions_finex_and_hot_debrief(golden_fr: dict) -> None:
    scenario = _schedule_scenario(golden_fr)
    labels = scenario_labels(scenario)
    lines = dict(schedule_lines(exercise_schedule(scenario), labels))
    assert list(lines) == [
        "Début de jeu (DEBEX)",
        "Matin",
        "Après-midi",
        "Fin de jeu (FINEX)",
        "RETEX à chaud",
    ]
    assert lines["Matin"].endswith("de 9 h à 12 h")
    scenario["exercise"]["hot_debrief"] = {
        "start": scenario["exercise"]["endex"].replace("T", "T").replace(":00:00", ":15:00"),
        "end": scenario["exercise"]["endex"].replace(":00:00", ":45:00"),
    }
    assert list(validator().iter_errors(scenario)) == []
    hot = dict(schedule_lines(exercise_schedule(scenario), labels))["RETEX à chaud"]
    assert hot.endswith("h 15 à " + hot.rsplit("à ", 1)[-1]) and "45" in hot


def test_clock_display_day_time_or_offset(golden_fr: dict) -> None:
    scenario = copy.deepcopy(golden_fr)
    view = ScenarioView(scenario)
    assert view.schedule.clock(90, view.labels) == "J1 10:30"
    assert view.schedule.clock(24 * 60, view.labels) == "J2 09:00"
    scenario["exercise"]["clock_display"] = "offset"
    assert list(validator().iter_errors(scenario)) == []
    view = ScenarioView(scenario)
    assert view.schedule.clock(90, view.labels) == "T+01:30"


def test_file_names_are_transliterated() -> None:
    assert safe_filename_part("Sainte-Aube, l’île coupée : cœur") == "Sainte-Aube-l-ile-coupee-coeur"
