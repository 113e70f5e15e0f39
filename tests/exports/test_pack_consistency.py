"""`pack` ships the MSEL the reviewers saw, and never ships one with lint errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

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
    scenario["personas"] = []  # valid, but nobody can send anything: objectives go unserved
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
