"""``generation.noise_share``: each player cell gets that share of distractions among its played
injects, within rounding (studio.injects.generation.followups.balance_noise)."""

from __future__ import annotations

import collections
import math
from datetime import datetime
from functools import cache
from typing import Any

import pytest

from studio.durations import parse_minutes
from studio.injects.context import ScenarioContext
from studio.injects.generation.followups import DISTRACTION_HOURS, NOISE_KINDS
from studio.injects.generator import generate_msel, obtain_timeline
from studio.injects.kinds import KINDS
from studio.injects.prompts import inject_templates
from studio.scenario.library import load_library
from studio.scenario.validate import validate_scenario

LIBRARY = ("ch-rancongiciel-nuit", "territoire-insulaire-ght", "chu-double-extorsion", "supplier-compromise")
TERRITORIAL = {"territorial_ars", "territorial_prefecture", "territorial_samu"}


def _kind(inject: dict[str, Any]) -> str:
    parts = inject["provenance"].get("template", "").split("/")
    return parts[1] if len(parts) > 2 else ""


def _shares(scenario: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """(distractions, played injects) of each player cell that receives something."""
    counts: dict[str, list[int]] = {}
    for inject in scenario["injects"]:
        if inject.get("contingency") or inject.get("visibility", "players") != "players":
            continue
        for cell in inject["to"]:
            pair = counts.setdefault(cell, [0, 0])
            pair[0] += _kind(inject) in NOISE_KINDS
            pair[1] += 1
    return {cell: (noise, played) for cell, (noise, played) in counts.items()}


@cache
def _timeline(name: str) -> dict[str, Any]:
    scenario = load_library(name)
    return obtain_timeline(scenario, scenario["generation"]["seed"])


def _generate(name: str, share: float | None = None) -> tuple[dict[str, Any], list[str]]:
    scenario = load_library(name)
    if share is not None:
        scenario["generation"]["noise_share"] = share
    result = generate_msel(scenario, _timeline(name))
    return result.scenario, result.skipped


def _check_within_rounding(scenario: dict[str, Any], skipped: list[str], share: float) -> None:
    ctx = ScenarioContext(scenario)
    for cell in ctx.player_cells:
        noise, played = _shares(scenario).get(cell["id"], (0, 0))
        if ctx.cell_roles(cell) <= TERRITORIAL:
            # Nobody of a hospital calls the ARS, the prefecture or the SAMU to distract them: said.
            assert noise == 0
            assert any(note.startswith(f"{cell['id']}: no distraction") for note in skipped) or not played
            continue
        short = any(
            note.startswith(f"{cell['id']}: ") and "short of the noise share" in note for note in skipped
        )
        low = 0 if short else math.floor(share * played)
        assert low <= noise <= math.ceil(share * played), (cell["id"], noise, played, share)


@pytest.mark.parametrize("name", LIBRARY)
def test_each_library_cell_gets_its_share_of_distractions_never_the_same_twice(name: str) -> None:
    """Within rounding, or short and said so: a planner prefers fewer distractions to repeats."""
    scenario, skipped = _generate(name)
    share = scenario["generation"]["noise_share"]
    _check_within_rounding(scenario, skipped, share)
    played = [i for i in scenario["injects"] if not i.get("contingency") and i.get("visibility") != "control"]
    distractions = [i for i in played if _kind(i) in NOISE_KINDS]
    assert distractions
    # The same distraction (kind and variant, or title) is told once, whoever tells it to whom.
    variants = collections.Counter(i["provenance"]["template"] for i in distractions)
    assert max(variants.values()) == 1, variants
    titles = collections.Counter(i["title"] for i in distractions)
    assert max(titles.values()) == 1, titles
    # Nobody calls with a distraction that reads like another played inject of theirs.
    pairs = collections.Counter((i["title"], i["from"]) for i in played)
    assert not [i["id"] for i in distractions if pairs[(i["title"], i["from"])] > 1]
    # A cell is left short only once every distraction it may hear has been told.
    if any("short of the noise share" in note for note in skipped):
        language = scenario["exercise"].get("language", "fr")
        every = {
            f"{KINDS[kind].category}/{kind}/{variant.variant}.{language}"
            for kind in NOISE_KINDS
            for variant in inject_templates(KINDS[kind].category, language)[kind]
        }
        unused = every - set(variants)
        assert len(unused) < len(every) // 2, unused


def test_the_library_distractions_are_many_and_alike_in_both_languages() -> None:
    for kind in NOISE_KINDS:
        category = KINDS[kind].category
        fr, en = inject_templates(category, "fr")[kind], inject_templates(category, "en")[kind]
        assert [v.variant for v in fr] == [v.variant for v in en]
    assert sum(len(inject_templates(KINDS[kind].category, "fr")[kind]) for kind in NOISE_KINDS) >= 10


@pytest.mark.parametrize("share", [0.0, 0.25])
def test_the_share_is_what_the_designer_sets(share: float) -> None:
    scenario, skipped = _generate("chu-double-extorsion", share)
    _check_within_rounding(scenario, skipped, share)
    total = sum(noise for noise, _ in _shares(scenario).values())
    assert (
        (total == 0)
        if share == 0
        else (total > sum(played for _, played in _shares(scenario).values()) * 0.15)
    )
    assert not [p for p in validate_scenario(scenario) if p.is_error]


def test_distractions_keep_the_pacing_of_the_follow_ups_they_replace() -> None:
    """Same minutes and cells with or without distractions, but for follow-ups that, without a
    distraction in their place, repeat an earlier text and are dropped (never told twice)."""
    default, _ = _generate("ch-rancongiciel-nuit")
    none, skipped = _generate("ch-rancongiciel-nuit", 0.0)

    def slots(scenario: dict[str, Any]) -> collections.Counter[tuple[str, tuple[str, ...]]]:
        return collections.Counter(
            (i["offset"], tuple(i["to"])) for i in scenario["injects"] if not i.get("contingency")
        )

    assert not slots(none) - slots(default)
    for offset, to in slots(default) - slots(none):
        prefix = f"inj-sustain-{to[0]}-{parse_minutes(offset):g}-"
        assert any(n.startswith(prefix) and "same text" in n for n in skipped), (offset, to)


@pytest.mark.parametrize("name", LIBRARY)
def test_distractions_happen_at_hours_they_can_happen(name: str) -> None:
    """No painters, contractors' tests or outpatients' secretary at 20:00 on a Saturday."""
    scenario = generate_msel(load_library(name), _timeline(name)).scenario
    told = 0
    for inject in scenario["injects"]:
        hours = DISTRACTION_HOURS.get(inject["provenance"].get("template", "").rsplit(".", 1)[0])
        if hours is None:
            continue
        told += 1
        start, end, weekdays = hours
        when = datetime.fromisoformat(inject["scenario_time"])
        assert start <= when.hour * 60 + when.minute < end, (inject["id"], when)
        assert not (weekdays and when.weekday() >= 5), (inject["id"], when)
    assert told  # the daytime distractions are still told, at their hours
