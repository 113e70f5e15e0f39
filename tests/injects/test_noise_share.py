"""``generation.noise_share``: each player cell gets that share of distractions among its played
injects, within rounding (studio.injects.generation.followups.balance_noise)."""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import pytest

from studio.injects.context import ScenarioContext
from studio.injects.generation.followups import NOISE_KINDS
from studio.injects.generator import generate_msel, obtain_timeline
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
def test_each_library_cell_gets_its_share_of_distractions(name: str) -> None:
    scenario, skipped = _generate(name)
    share = scenario["generation"]["noise_share"]
    _check_within_rounding(scenario, skipped, share)
    # The library's own share is met in full for every hospital cell (nobody is left short).
    assert not [note for note in skipped if "short of the noise share" in note]


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
    default, _ = _generate("ch-rancongiciel-nuit")
    none, _ = _generate("ch-rancongiciel-nuit", 0.0)
    offsets = sorted((i["offset"], tuple(i["to"])) for i in default["injects"] if not i.get("contingency"))
    assert offsets == sorted(
        (i["offset"], tuple(i["to"])) for i in none["injects"] if not i.get("contingency")
    )
