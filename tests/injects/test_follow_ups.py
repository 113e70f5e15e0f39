"""Follow-ups of quiet periods: dedicated kinds, variety within an MSEL, few background calls."""

from __future__ import annotations

import collections
import re
from datetime import datetime
from functools import cache
from typing import Any

import pytest

from studio.durations import parse_minutes
from studio.injects.generator import SUSTAIN_KINDS as _SUSTAIN_KINDS
from studio.injects.generator import generate_msel
from studio.injects.kinds import FOLLOW_UP_KINDS, KINDS
from studio.injects.prompts import inject_templates
from studio.scenario.document import load_scenario
from studio.scenario.library import library_paths
from studio.scenario.timemodel import TimeModel, played_windows

LIBRARY = {path.stem: path for path in library_paths()}
# The territorial scenario sustains ten player cells through a long exercise (about 130
# follow-ups): the fixed texts run out and some are told again (see docs/injects.md).
REPEATS_LEFT: set[str] = set()
BACKGROUND = ("police", "noise", "union")


@cache
def _msel(stem: str) -> dict[str, Any]:
    return generate_msel(load_scenario(LIBRARY[stem])).scenario


def _follow_ups(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    return [inject for inject in scenario["injects"] if "-sustain-" in inject["id"]]


def _kind(inject: dict[str, Any]) -> str:
    return inject["provenance"]["template"].split("/")[1]


def _body(scenario: dict[str, Any], inject: dict[str, Any]) -> str:
    """The message without persona names, clock times and numbers."""
    text = inject["message"]
    for name in sorted((p["name"] for p in scenario["personas"]), key=len, reverse=True):
        text = text.replace(name, "<name>")
    return re.sub(r"\d+", "<n>", text)


def test_follow_up_kinds_have_four_to_six_variants_in_both_languages() -> None:
    for name in FOLLOW_UP_KINDS:
        kind = KINDS[name]
        assert kind.priority == "optional" and not kind.contingency
        for language in ("fr", "en"):
            assert 4 <= len(inject_templates(kind.category, language)[name]) <= 6, (name, language)
    listed = {name for names in _SUSTAIN_KINDS.values() for name in names}
    assert listed >= FOLLOW_UP_KINDS


@pytest.mark.parametrize("stem", sorted(LIBRARY))
def test_no_follow_up_message_repeats_within_an_msel(stem: str) -> None:
    if stem in REPEATS_LEFT:
        pytest.xfail("more follow-ups than fixed texts: some are told again")
    scenario = _msel(stem)
    bodies = collections.Counter(_body(scenario, inject) for inject in _follow_ups(scenario))
    repeated = [inject["id"] for inject in _follow_ups(scenario) if bodies[_body(scenario, inject)] > 1]
    assert not repeated, repeated


@pytest.mark.parametrize("stem", sorted(LIBRARY))
def test_background_calls_come_at_most_once_per_cell_and_session(stem: str) -> None:
    """Police and union calls: at most once per player cell and session as follow-ups, and a few
    times per session in all. Estates calls (``noise``) are distractions: their number follows
    ``generation.noise_share`` (tests/injects/test_noise_share.py)."""
    scenario = _msel(stem)
    windows = played_windows(scenario)
    count: collections.Counter[tuple[str, int, str]] = collections.Counter()
    per_session: collections.Counter[tuple[str, int]] = collections.Counter()
    for inject in _follow_ups(scenario):
        kind = _kind(inject)
        if kind not in BACKGROUND or kind == "noise":
            continue
        minute = parse_minutes(inject["offset"])
        session = next(n for n, (start, end) in enumerate(windows) if start <= minute <= end)
        per_session[(kind, session)] += 1
        for cell in inject["to"]:
            count[(kind, session, cell)] += 1
    assert all(times <= 1 for times in count.values()), count
    assert all(times <= 3 for times in per_session.values()), per_session


@pytest.mark.parametrize("stem", sorted(LIBRARY))
def test_follow_ups_use_the_dedicated_kinds(stem: str) -> None:
    kinds = {_kind(inject) for inject in _follow_ups(_msel(stem))}
    assert len(kinds & FOLLOW_UP_KINDS) >= 3, kinds


def test_a_long_exercise_hears_how_the_crisis_wears_on() -> None:
    """The two-day island exercise hears handovers at the changes of shift, supplies running short
    after hours of paper, news of the transferred patients: each when it can be true."""
    scenario = _msel("territoire-insulaire-ght")
    follow_ups = _follow_ups(scenario)
    found = collections.Counter(_kind(inject) for inject in follow_ups)
    assert found["shift_handover"] and found["supplies_short"] and found["transfer_news"], found
    first_alarm = min(
        e["minute"] for e in scenario["timeline"]["events"] if e["kind"] in {"detected", "encrypted"}
    )
    start = TimeModel.from_scenario(scenario).scenario_origin
    for inject in follow_ups:
        when = datetime.fromisoformat(inject["scenario_time"])
        if _kind(inject) == "shift_handover":
            assert 6 * 60 + 30 <= when.hour * 60 + when.minute <= 9 * 60 or 18 <= when.hour <= 21, inject[
                "id"
            ]
        if _kind(inject) == "supplies_short":
            assert (when - start).total_seconds() / 60 - first_alarm >= 4 * 60, inject["id"]


def test_a_restart_setback_speaks_of_a_system_that_came_back() -> None:
    scenario = _msel("territoire-insulaire-ght")
    setbacks = [i for i in scenario["injects"] if _kind(i) == "recovery_setback"]
    restored = {e["id"]: e["node"] for e in scenario["timeline"]["events"] if e["kind"] == "restored"}
    systems = {s["id"]: s["name"] for s in scenario["systems"]}
    for inject in setbacks:
        assert inject["cause_refs"] and inject["cause_refs"][0] in restored, inject["id"]
        assert systems[restored[inject["cause_refs"][0]]] in inject["title"]
