"""``crisis-studio simulate``: outputs, statistics and exit codes (in-process, no network)."""

from __future__ import annotations

import json

import pytest

from studio.cli import main
from studio.propagation.synthetic import hospital_scenario


@pytest.fixture
def scenario_file(tmp_path):
    path = tmp_path / "hospital.json"
    path.write_text(json.dumps(hospital_scenario(120, seed=3)), encoding="utf-8")
    return path


def test_one_run_as_json(scenario_file, capsys) -> None:
    assert main(["simulate", str(scenario_file), "--seed", "4", "--format", "json"]) == 0
    timeline = json.loads(capsys.readouterr().out)
    assert timeline["seed"] == 4 and timeline["playbook"] == "early"
    first = timeline["events"][0]
    assert first == {"id": "ev0001", "minute": 60.0, "kind": "initial_access", "node": "vpn", "causes": []}
    assert all({"id", "minute", "kind", "causes"} <= set(event) for event in timeline["events"])


def test_one_run_as_table_and_nominal(scenario_file, capsys) -> None:
    assert main(["simulate", str(scenario_file), "--nominal", "--playbook", "late"]) == 0
    out = capsys.readouterr().out
    assert "playbook late" in out and "initial_access" in out and "T+01:00" in out


def test_monte_carlo_and_comparison(scenario_file, capsys) -> None:
    assert main(["simulate", str(scenario_file), "--runs", "6", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["runs"] == 6 and "first_detection" in report["metrics"]
    assert set(report["systems"]["vpn"]) == {"p_compromised", "p_encrypted", "p_down", "compromised", "down"}
    assert report["systems"]["vpn"]["compromised"]["percentiles"]["p50"] == 60.0  # initial access at 1h
    assert main(["simulate", str(scenario_file), "--runs", "4", "--compare", "late"]) == 0
    assert "a = early, b = late" in capsys.readouterr().out


def test_refusals(scenario_file, tmp_path, capsys) -> None:
    assert main(["simulate", str(scenario_file), "--playbook", "nope"]) == 2
    assert "no playbook 'nope'" in capsys.readouterr().err
    assert main(["simulate", str(tmp_path / "missing.json")]) == 2
    assert main(["simulate", str(scenario_file), "--compare", "late"]) == 2
    broken = hospital_scenario(40)
    broken["systems"][5]["links"][0]["target"] = "ghost"
    broken["systems"][6]["links"][0]["delay"] = {"dist": "fixed", "value": "-PT1H"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken), encoding="utf-8")
    capsys.readouterr()
    assert main(["simulate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "/systems/5/links/0/target" in err and "/systems/6/links/0/delay" in err
    assert "Traceback" not in err


def test_monte_carlo_lists_systems_with_their_time_percentiles(scenario_file, capsys) -> None:
    assert main(["simulate", str(scenario_file), "--runs", "5", "--systems", "3"]) == 0
    out = capsys.readouterr().out
    assert "systems (3 of " in out and "compromised at" in out
    listed = out.split("compromised at")[1].strip().splitlines()[1:]
    assert len(listed) == 3 and all(line.split()[1] == "100.0%" for line in listed)  # most often first
    assert main(["simulate", str(scenario_file), "--runs", "5", "--systems", "0"]) == 0
    vpn = next(line for line in capsys.readouterr().out.splitlines() if line.split()[:1] == ["vpn"])
    assert "T+01:00 / T+01:00 / T+01:00" in vpn  # the initial access, at 1h in every run
