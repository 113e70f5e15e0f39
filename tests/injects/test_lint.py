"""Each MSEL lint rule fires on the case it describes and stays quiet on a clean MSEL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from studio.cli import main
from studio.injects.lint import lint_msel, max_window_count


def _rules(scenario: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in lint_msel(scenario):
        found.setdefault(problem.rule, []).append(problem.path)
    return found


def test_max_window_count_uses_half_open_windows() -> None:
    assert max_window_count([]) == 0
    assert max_window_count([0, 5, 14.9]) == 3
    assert max_window_count([0, 15, 30]) == 1
    assert max_window_count([0, 10, 20, 21, 40]) == 3


def _but_quiet_regional_cells(problems: list[Any]) -> list[Any]:
    """The fixture gives its ARS cell few counterparts (no ministry persona): hours without a
    stimulus for it are a fair warning to the designer, not a defect of the generator."""
    return [p for p in problems if not (p.rule == "msel.quiet_period" and "'cars'" in p.message)]


def test_a_clean_msel_has_no_problem(generated: dict[str, Any]) -> None:
    assert _but_quiet_regional_cells(lint_msel(generated)) == []


def test_uncovered_objective_is_an_error(generated: dict[str, Any]) -> None:
    for inject in generated["injects"]:
        inject["objective_ids"] = [o for o in inject.get("objective_ids", []) if o != "obj-com"]
    paths = _rules(generated)["msel.objective_uncovered"]
    index = [o["id"] for o in generated["objectives"]].index("obj-com")
    assert paths == [f"/objectives/{index}"]


def test_objective_served_only_by_contingencies_is_uncovered(generated: dict[str, Any]) -> None:
    for inject in generated["injects"]:
        if not inject.get("contingency"):
            inject["objective_ids"] = [o for o in inject.get("objective_ids", []) if o != "obj-alerte"]
        else:
            inject.setdefault("objective_ids", []).append("obj-alerte")
    assert "msel.objective_uncovered" in _rules(generated)


def test_cell_overload_is_a_warning(generated: dict[str, Any]) -> None:
    for inject in generated["injects"]:
        inject["offset"] = "PT1H"
    problems = [p for p in lint_msel(generated) if p.rule == "msel.cell_overload"]
    assert problems and all(not p.is_error for p in problems)


def test_dangling_references_are_errors(generated: dict[str, Any]) -> None:
    inject = generated["injects"][0]
    inject["from"] = "ghost-persona"
    inject["to"] = ["ghost-cell"]
    inject["cause_refs"] = ["ghost-event"]
    inject["system_refs"] = ["ghost-system"]
    paths = _rules(generated)["msel.dangling_ref"]
    assert {"/injects/0/from", "/injects/0/to", "/injects/0/cause_refs", "/injects/0/system_refs"} <= set(
        paths
    )


def test_inject_before_its_cause_is_an_error(generated: dict[str, Any]) -> None:
    late = next(i for i, inject in enumerate(generated["injects"]) if inject["cause_refs"] == ["e13"])
    generated["injects"][late]["offset"] = "PT10M"
    assert f"/injects/{late}/offset" in _rules(generated)["msel.before_cause"]


def test_contingency_before_its_original_is_an_error(generated: dict[str, Any]) -> None:
    index = next(i for i, inject in enumerate(generated["injects"]) if inject.get("contingency"))
    generated["injects"][index]["offset"] = "PT0S"
    assert f"/injects/{index}/offset" in _rules(generated)["msel.before_cause"]


def test_missing_expected_actions_is_a_warning_for_core_injects(generated: dict[str, Any]) -> None:
    index = next(i for i, inject in enumerate(generated["injects"]) if inject["priority"] == "core")
    generated["injects"][index]["expected_actions"] = []
    problems = [p for p in lint_msel(generated) if p.rule == "msel.missing_expected_actions"]
    assert [p.path for p in problems] == [f"/injects/{index}/expected_actions"]
    assert not problems[0].is_error


def test_control_only_text_in_a_player_message_is_an_error(generated: dict[str, Any]) -> None:
    inject = generated["injects"][5]
    inject["message"] += "\n" + inject["synopsis"]
    assert "/injects/5/message" in _rules(generated)["msel.control_leak"]


def test_ground_truth_quoted_to_players_is_a_leak(generated: dict[str, Any]) -> None:
    index = next(i for i, inject in enumerate(generated["injects"]) if not inject.get("contingency"))
    generated["injects"][index]["title"] = (
        "Info : Fougère Noire est entré par le VPN avec un compte de prestataire volé"
    )
    assert f"/injects/{index}/title" in _rules(generated)["msel.control_leak"]


def test_names_shared_with_control_text_are_not_leaks(generated: dict[str, Any]) -> None:
    # Control text and message may both name the attacker and the stolen data: that is no leak.
    inject = generated["injects"][0]
    inject["synopsis"] = (
        "Fougère Noire vole des dossiers RH et des comptes rendus d'examens depuis des semaines"
    )
    inject["message"] += "\nFougère Noire revendique des dossiers RH et des comptes rendus d'examens."
    assert "msel.control_leak" not in _rules(generated)


def test_control_and_evaluator_injects_may_quote_control_text(generated: dict[str, Any]) -> None:
    inject = generated["injects"][5]
    inject["message"] = inject["synopsis"]
    inject["visibility"] = "control"
    assert "msel.control_leak" not in _rules(generated)


def test_missing_marking_is_a_warning(generated: dict[str, Any]) -> None:
    generated["injects"][0]["message"] = "Bonjour, ceci est un message sans marquage."
    problems = [p for p in lint_msel(generated) if p.rule == "msel.missing_marking"]
    assert [p.path for p in problems] == ["/injects/0/message"] and not problems[0].is_error


def test_causes_without_a_stored_timeline_are_reported_once(generated: dict[str, Any]) -> None:
    del generated["timeline"]
    assert _rules(generated)["msel.no_timeline"] == ["/injects"]


def test_inject_after_endex_is_an_error(generated: dict[str, Any]) -> None:
    generated["injects"][-1]["offset"] = "PT9H"
    assert "msel.outside_exercise" in _rules(generated)


def _write(tmp_path: Path, document: Any) -> str:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_cli_lint_exit_codes(
    generated: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", _write(tmp_path, generated)]) == 0
    assert "0 errors" in capsys.readouterr().out
    generated["injects"][0]["message"] += "\n" + generated["injects"][0]["synopsis"]
    assert main(["lint", _write(tmp_path, generated)]) == 1
    assert "msel.control_leak" in capsys.readouterr().out
    assert main(["lint", str(tmp_path / "missing.json")]) == 2
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert main(["lint", str(tmp_path / "bad.json")]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_cli_lint_json_output(
    generated: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generated["injects"][0]["message"] = "sans marquage"
    assert main(["lint", "--format", "json", _write(tmp_path, generated)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["clean"] is True
    rules = [p["rule"] for p in report["problems"] if "'cars'" not in p["message"]]
    assert rules == ["msel.missing_marking"]


def test_cli_lint_refuses_an_invalid_scenario(generated: dict[str, Any], tmp_path: Path) -> None:
    del generated["exercise"]
    assert main(["lint", _write(tmp_path, generated)]) == 1
