"""`pack` ships the MSEL the reviewers saw, and never ships one with lint errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from studio.exports.pipeline import build_pack
from studio.injects.generator import generate_msel
from studio.scenario.library import load_library


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studio.cli", *args], capture_output=True, text=True, check=False, env=env
    )


def test_pack_and_generate_use_the_same_seed_by_default() -> None:
    scenario = load_library("territoire-insulaire-ght")
    assert scenario["generation"]["seed"] != 0, "the check needs a scenario whose seed is not the default"
    packed = build_pack(scenario, formats=()).scenario
    generated = generate_msel(scenario).scenario
    assert packed["injects"] == generated["injects"]
    assert packed["timeline"] == generated["timeline"]


def test_pack_refuses_an_msel_with_lint_errors(tmp_path: Path) -> None:
    scenario = load_library("ch-rancongiciel-nuit")
    # Valid, but nobody can send anything: objectives go unserved (the chain and the storyline name
    # personas, so they go too).
    scenario["personas"] = []
    scenario["storyline"] = {"beats": []}
    scenario["information"]["alert_chain"] = []
    result = build_pack(scenario, formats=("csv",))
    assert not result.ok and result.outputs == []
    assert any(problem.rule.startswith("msel.") and problem.is_error for problem in result.problems)
    source = tmp_path / "mute.json"
    source.write_text(json.dumps(scenario), encoding="utf-8")
    out = tmp_path / "out"
    completed = _cli("pack", str(source), "-o", str(out))
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert not out.exists() or not any(out.iterdir())


def test_generate_output_never_carries_the_api_key(tmp_path: Path, minimal_scenario: dict[str, Any]) -> None:
    key = "sk-test-never-on-disk-0123456789"
    minimal_scenario["exercise"]["context"] = f"pasted by mistake: {key}"
    source, output = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(minimal_scenario), encoding="utf-8")
    env = {**__import__("os").environ, "OPENAI_API_KEY": key}
    completed = _cli("generate", str(source), "-o", str(output), env=env)
    assert completed.returncode == 1 and "API key" in completed.stderr
    assert not output.exists()
    assert key not in completed.stdout + completed.stderr


LIBRARY = ("ch-rancongiciel-nuit", "territoire-insulaire-ght", "chu-double-extorsion", "supplier-compromise")


@pytest.mark.parametrize("name", LIBRARY)
def test_simulate_generate_review_then_pack_ships_the_reviewed_msel(name: str, tmp_path: Path) -> None:
    """The studio's path: simulate (the Simulation page's seed 0, not the generation seed), generate,
    review (approve one inject, edit another), save; `pack` must ship exactly that MSEL and timeline."""
    from studio.injects.review import edit_inject, set_review_status
    from studio.propagation import run_timeline

    scenario = load_library(name)
    scenario["timeline"] = run_timeline(scenario, seed=0)
    reviewed = generate_msel(scenario).scenario
    first, second = reviewed["injects"][0]["id"], reviewed["injects"][1]["id"]
    reviewed = set_review_status(reviewed, first, "reviewed", reviewer="Relectrice")
    reviewed = set_review_status(reviewed, first, "approved", reviewer="Directrice d'exercice")
    reviewed = edit_inject(reviewed, second, {"title": "Titre relu par l'équipe"})
    source = tmp_path / f"{name}.json"
    source.write_text(json.dumps(reviewed, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "pack"
    completed = _cli("pack", str(source), "-o", str(out), "--quiet")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    packed = json.loads(next(out.glob("*.scenario.json")).read_text(encoding="utf-8"))
    assert packed["timeline"] == reviewed["timeline"]
    assert packed["injects"] == reviewed["injects"]
    # Simulating again is explicit, and keeps the reviewed injects.
    again = build_pack(reviewed, resimulate=True, formats=()).scenario
    kept = {inject["id"]: inject for inject in again["injects"]}
    assert kept[first]["status"] == "approved" and kept[second]["title"] == "Titre relu par l'équipe"
