"""Pacing of the MSEL over the exercise: played sessions, staggering, follow-ups that keep every
player cell busy, and the lint rules that check it (outside_session, quiet_period, front_loaded)."""

from __future__ import annotations

import copy
import itertools
from functools import cache
from typing import Any

import pytest
from inject_fixtures import hand_timeline, hospital_scenario

from studio.durations import format_minutes, parse_minutes
from studio.injects.generator import DEFAULT_MAX_QUIET, generate_msel, is_protected, quarter_minute
from studio.injects.lint import lint_msel, max_window_count
from studio.injects.lint_story import involvement_minutes
from studio.scenario.canonical import canonical_bytes
from studio.scenario.document import load_scenario
from studio.scenario.library import library_paths
from studio.scenario.timemodel import TimeModel, played_windows
from studio.scenario.validate import validate_scenario

LIBRARY = {path.stem: path for path in library_paths()}
TERRITORY = "territoire-insulaire-ght"
TWO_DAYS = [
    {"start": "2027-02-09T08:30:00+04:00", "end": "2027-02-09T17:30:00+04:00", "label": "Jour 1"},
    {"start": "2027-02-10T08:30:00+04:00", "end": "2027-02-10T16:30:00+04:00", "label": "Jour 2"},
]
CASES = [*sorted(LIBRARY), f"{TERRITORY}+sessions"]


def _source(case: str) -> dict[str, Any]:
    stem, _, variant = case.partition("+")
    scenario = load_scenario(LIBRARY[stem])
    if variant == "sessions":
        scenario["exercise"]["sessions"] = copy.deepcopy(TWO_DAYS)
    return scenario


@cache
def _msel(case: str) -> dict[str, Any]:
    return generate_msel(_source(case)).scenario


def msel(case: str) -> dict[str, Any]:
    return copy.deepcopy(_msel(case))


def _counted(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        inject
        for inject in scenario["injects"]
        if not inject.get("contingency") and inject.get("visibility", "players") == "players"
    ]


def _errors(problems: list[Any]) -> list[str]:
    return [str(problem) for problem in problems if problem.is_error]


def _rules(problems: list[Any]) -> set[str]:
    return {problem.rule for problem in problems}


def _longest_quiet(scenario: dict[str, Any], cell: str) -> float:
    """Longest stretch of a played window, from the first inject on and once the cell is in play
    and alerted (the information model), without an inject to ``cell``."""
    counted = _counted(scenario)
    crisis_start = min(parse_minutes(i["offset"]) for i in counted)
    involved = involvement_minutes(scenario).get(cell, 0.0)
    minutes = sorted(parse_minutes(i["offset"]) for i in counted if cell in i["to"])
    longest = 0.0
    for start, end in played_windows(scenario):
        anchor = max(start, crisis_start, involved)
        if anchor >= end:
            continue
        points = [anchor, *(m for m in minutes if anchor <= m <= end), end]
        longest = max(longest, *(b - a for a, b in itertools.pairwise(points)))
    return longest


# --- 1. played sessions -----------------------------------------------------------------------


def test_sessions_are_honoured_on_the_territory() -> None:
    scenario = msel(f"{TERRITORY}+sessions")
    windows = played_windows(scenario)
    assert windows == [(0.0, 540.0), (1440.0, 1920.0)]
    offsets = [parse_minutes(inject["offset"]) for inject in scenario["injects"]]
    assert all(any(a <= offset <= b for a, b in windows) for offset in offsets)
    # The night events (06:00-07:30 the next morning) are told when day 2 starts, not at night.
    assert not [offset for offset in offsets if 540 < offset < 1440]
    assert any(offset >= 1440 for offset in offsets)
    assert _errors(validate_scenario(scenario)) == []
    problems = lint_msel(scenario)
    assert _errors(problems) == []
    assert "msel.outside_session" not in _rules(problems)


def test_a_beat_after_the_last_session_is_dropped_with_a_note() -> None:
    scenario = hospital_scenario()
    scenario["timeline"] = hand_timeline()
    scenario["exercise"]["sessions"] = [
        {"start": "2025-03-10T08:00:00+01:00", "end": "2025-03-10T09:00:00+01:00"},
        {"start": "2025-03-10T10:00:00+01:00", "end": "2025-03-10T11:00:00+01:00"},
    ]
    result = generate_msel(scenario)
    offsets = [parse_minutes(inject["offset"]) for inject in result.scenario["injects"]]
    assert offsets and all(0 <= o <= 60 or 120 <= o <= 180 for o in offsets)
    assert any("after the last session" in reason for reason in result.skipped)
    assert _errors(validate_scenario(result.scenario)) == []
    assert _errors(lint_msel(result.scenario)) == []


# --- 2. staggering and pacing -----------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_pacing_limit_and_staggering_hold(case: str) -> None:
    scenario = msel(case)
    limit = scenario["generation"]["max_injects_per_cell_per_15min"]
    by_cell: dict[str, list[float]] = {}
    for inject in _counted(scenario):
        for cell in inject["to"]:
            by_cell.setdefault(cell, []).append(parse_minutes(inject["offset"]))
    for minutes in by_cell.values():
        assert max_window_count(minutes) <= limit
        # Injects that fell on the same minutes are told one after the other.
        assert len(set(minutes)) == len(minutes)


@pytest.mark.parametrize("case", CASES)
def test_no_inject_before_its_cause_and_every_objective_served(case: str) -> None:
    scenario = msel(case)
    assert _errors(validate_scenario(scenario)) == []
    assert _errors(lint_msel(scenario)) == []


# --- 3. sustained play ------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_no_player_cell_is_left_quiet(case: str) -> None:
    scenario = msel(case)
    players = [cell["id"] for cell in scenario["cells"] if cell["type"] == "player"]
    quiet = {cell: _longest_quiet(scenario, cell) for cell in players}
    # Hospital cells never wait long; a regional or communication cell may wait for the news to
    # reach the people who call it (the information model), within the lint's warning bound.
    hospital = [c["id"] for c in scenario["cells"] if c["type"] == "player" and c.get("level") != "strategic"]
    assert all(quiet[cell] <= 2 * DEFAULT_MAX_QUIET for cell in players), quiet
    assert all(quiet[cell] <= DEFAULT_MAX_QUIET for cell in hospital if "com" not in cell), quiet


@pytest.mark.parametrize("case", CASES)
def test_the_msel_is_not_front_loaded(case: str) -> None:
    scenario = msel(case)
    quarter = quarter_minute(played_windows(scenario))
    minutes = [parse_minutes(inject["offset"]) for inject in _counted(scenario)]
    assert sum(1 for minute in minutes if minute < quarter) * 2 <= len(minutes)
    assert "msel.front_loaded" not in _rules(lint_msel(scenario))


@pytest.mark.parametrize("case", CASES)
def test_follow_ups_tell_the_situation_of_their_time(case: str) -> None:
    scenario = msel(case)
    model = TimeModel.from_scenario(scenario)
    events = {event["id"]: event for event in scenario["timeline"]["events"]}
    follow_ups = [inject for inject in scenario["injects"] if "-sustain-" in inject["id"]]
    assert follow_ups
    for inject in follow_ups:
        assert inject["priority"] == "optional" and not inject.get("contingency")
        assert inject["message"].startswith(scenario["exercise"]["safety"]["marking"])
        played = model.scenario_minute(parse_minutes(inject["offset"]))
        assert inject["cause_refs"] and all(
            events[c]["minute"] <= played + 1e-6 for c in inject["cause_refs"]
        )
    assert not any(i.get("contingency_for") in {f["id"] for f in follow_ups} for i in scenario["injects"])


def test_follow_ups_can_be_turned_off() -> None:
    scenario = _source(TERRITORY)
    injects = generate_msel(scenario, max_quiet=0).scenario["injects"]
    assert injects and not any("-sustain-" in inject["id"] for inject in injects)


def test_a_shorter_gap_gives_more_follow_ups() -> None:
    scenario = _source("ch-rancongiciel-nuit")
    shorter = generate_msel(scenario, max_quiet=20).scenario
    longer = generate_msel(scenario, max_quiet=60).scenario
    players = [cell["id"] for cell in shorter["cells"] if cell["type"] == "player"]
    assert all(_longest_quiet(shorter, cell) <= 60 for cell in players)

    def follow_ups(msel: dict[str, Any]) -> int:
        return sum(1 for inject in msel["injects"] if "-sustain-" in inject["id"])

    assert follow_ups(shorter) > follow_ups(longer)


# --- 4. determinism and protected injects ------------------------------------------------------


def test_same_scenario_and_seed_give_the_same_bytes_with_sessions() -> None:
    first = canonical_bytes(generate_msel(_source(f"{TERRITORY}+sessions")).scenario)
    second = canonical_bytes(generate_msel(_source(f"{TERRITORY}+sessions")).scenario)
    assert first == second


def test_protected_injects_are_kept_and_followed_around() -> None:
    scenario = msel(f"{TERRITORY}+sessions")
    follow_up = next(i for i in scenario["injects"] if "-sustain-" in i["id"])
    follow_up["status"] = "approved"
    kept = copy.deepcopy(follow_up)
    again = generate_msel(scenario).scenario
    assert kept in again["injects"]
    assert [i["id"] for i in again["injects"]].count(kept["id"]) == 1
    assert all(is_protected(i) or i["status"] == "draft" for i in again["injects"])
    assert _errors(lint_msel(again)) == []


# --- 5. lint rules ----------------------------------------------------------------------------


def _generated() -> dict[str, Any]:
    scenario = hospital_scenario()
    scenario["timeline"] = hand_timeline()
    return generate_msel(scenario).scenario


def test_an_inject_while_play_is_paused_is_an_error() -> None:
    scenario = _generated()
    assert "msel.outside_session" not in _rules(lint_msel(scenario))
    scenario["exercise"]["sessions"] = [
        {"start": "2025-03-10T08:00:00+01:00", "end": "2025-03-10T10:00:00+01:00"},
        {"start": "2025-03-10T13:00:00+01:00", "end": "2025-03-10T16:00:00+01:00"},
    ]
    index = next(n for n, i in enumerate(scenario["injects"]) if 120 < parse_minutes(i["offset"]) < 180)
    problems = [p for p in lint_msel(scenario) if p.rule == "msel.outside_session"]
    assert problems and all(p.is_error for p in problems)
    assert f"/injects/{index}/offset" in {p.path for p in problems}
    assert all(p.hint for p in problems)


def test_a_quiet_player_cell_is_a_warning() -> None:
    scenario = _generated()
    # The fixture's ARS cell has few counterparts (see test_lint); the hospital cells are busy.
    before = {p.path for p in lint_msel(scenario) if p.rule == "msel.quiet_period"}
    cells = [c["id"] for c in scenario["cells"]]
    assert before <= {f"/cells/{cells.index('cars')}"}
    target = (
        "cell-com"
        if "cell-com" in cells
        else next(c["id"] for c in scenario["cells"] if c["type"] == "player")
    )
    # Nothing reaches the cell after the second hour.
    scenario["injects"] = [
        i for i in scenario["injects"] if not (target in i["to"] and parse_minutes(i["offset"]) > 120)
    ]
    problems = [p for p in lint_msel(scenario) if p.rule == "msel.quiet_period" and p.path not in before]
    assert len(problems) == 1
    assert not problems[0].is_error
    assert problems[0].path == f"/cells/{cells.index(target)}"
    assert target in problems[0].message and problems[0].hint


def test_a_front_loaded_msel_is_a_warning() -> None:
    scenario = _generated()
    assert "msel.front_loaded" not in _rules(lint_msel(scenario))
    # Everything but the last three injects is pulled into the first hour (1 minute apart).
    ordered = sorted(scenario["injects"], key=lambda i: parse_minutes(i["offset"]))
    for minute, inject in enumerate(ordered[:-3]):
        inject["offset"] = format_minutes(min(minute, 110))
        inject.pop("contingency_for", None)
        inject.pop("contingency", None)
    scenario.pop("timeline")
    for inject in scenario["injects"]:
        inject.pop("cause_refs", None)
    problems = [p for p in lint_msel(scenario) if p.rule == "msel.front_loaded"]
    assert len(problems) == 1 and not problems[0].is_error
    assert problems[0].path == "/injects" and problems[0].hint
