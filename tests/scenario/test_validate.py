"""Validation: every rule has a failing example with its JSON path; valid documents stay clean."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from studio.scenario.problems import Severity
from studio.scenario.validate import check_document, validate_scenario

CASES = json.loads((Path(__file__).parent / "broken_cases.json").read_text(encoding="utf-8"))


def _walk(document: Any, path: str) -> tuple[Any, str | int]:
    parts = [part.replace("~1", "/").replace("~0", "~") for part in path.split("/")[1:]]
    parent = document
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    last = parts[-1]
    return parent, int(last) if isinstance(parent, list) else last


def apply_ops(document: dict[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any]:
    document = copy.deepcopy(document)
    for op in ops:
        parent, key = _walk(document, op["path"])
        if op["op"] == "set":
            parent[key] = op["value"]
        elif op["op"] == "delete":
            del parent[key]
        elif op["op"] == "append":
            parent[key].append(op["value"])
    return document


def test_minimal_fixture_is_clean(minimal_scenario: dict[str, Any]) -> None:
    assert validate_scenario(minimal_scenario) == []


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_broken_case_reports_path_and_rule(minimal_scenario: dict[str, Any], case: dict[str, Any]) -> None:
    document = apply_ops(minimal_scenario, case["ops"])
    _, problems = check_document(document)
    expected = case["expect"]
    found = [(problem.path, problem.rule, str(problem.severity)) for problem in problems]
    assert (expected["path"], expected["rule"], expected["severity"]) in found, found
    if expected["severity"] == "warning":
        assert not any(problem.is_error for problem in problems), found


def test_corpus_covers_every_rule_the_validator_emits() -> None:
    source = (Path(__file__).parents[2] / "studio" / "scenario" / "validate.py").read_text(encoding="utf-8")
    import re

    emitted = set(re.findall(r'"((?:ids|ref|gate|time|playbook|timeline|warn)\.[a-z_]+)"', source))
    covered = {case["expect"]["rule"] for case in CASES}
    # ref.<collection> rules are built from the collection name; check the literal ones.
    assert emitted - covered == set()


def test_all_schema_errors_are_reported_not_only_the_first(minimal_scenario: dict[str, Any]) -> None:
    minimal_scenario["exercise"]["language"] = "de"
    minimal_scenario["systems"][0]["kind"] = "mainframe"
    minimal_scenario["injects"][0]["channel"] = "pigeon"
    paths = {problem.path for problem in validate_scenario(minimal_scenario)}
    assert {"/exercise/language", "/systems/0/kind", "/injects/0/channel"} <= paths


def test_hints_suggest_the_close_spelling(minimal_scenario: dict[str, Any]) -> None:
    minimal_scenario["injects"][0]["channel"] = "emial"
    minimal_scenario["systems"][0]["links"][0]["target"] = "wss"
    problems = {problem.path: problem for problem in validate_scenario(minimal_scenario)}
    assert "did you mean 'email'" in problems["/injects/0/channel"].hint
    assert "did you mean 'ws'" in problems["/systems/0/links/0/target"].hint


def test_old_version_is_upgraded_with_a_warning(minimal_scenario: dict[str, Any]) -> None:
    legacy = copy.deepcopy(minimal_scenario)
    legacy.pop("schema_version")
    inject = legacy["injects"][0]
    inject["offset_minutes"] = inject.pop("offset") and 90
    inject["to"] = "dsi"
    del inject["status"]
    upgraded, problems = check_document(legacy)
    assert [problem.rule for problem in problems] == ["schema.upgraded"]
    assert problems[0].severity is Severity.WARNING
    assert upgraded["injects"][0]["offset"] == "PT1H30M"
    assert upgraded["injects"][0]["to"] == ["dsi"]
    assert "offset_minutes" in legacy["injects"][0], "the input document must not be modified"


@pytest.mark.parametrize(
    "value",
    [
        None,
        0,
        "scenario",
        [],
        [1, 2],
        {"systems": "many"},
        {"systems": [None, 1, "x"]},
        {"injects": [{"to": 5}]},
    ],
)
def test_wrong_types_anywhere_give_problems_not_exceptions(value: Any) -> None:
    problems = validate_scenario(value)
    assert problems and all(problem.is_error or problem.severity is Severity.WARNING for problem in problems)


def test_deep_nesting_is_a_problem_not_a_crash(minimal_scenario: dict[str, Any]) -> None:
    deep: Any = "leaf"
    for _ in range(5000):
        deep = [deep]
    minimal_scenario["exercise"]["scope"] = {"in_scope": deep}
    problems = validate_scenario(minimal_scenario)
    assert any(
        problem.path.startswith("/exercise/scope") or problem.rule == "document.depth" for problem in problems
    )


def test_huge_number_of_errors_is_capped(minimal_scenario: dict[str, Any]) -> None:
    minimal_scenario["glossary"] = [{"term": "", "definition": 1}] * 3000
    problems = validate_scenario(minimal_scenario)
    assert problems[-1].rule == "document.too_many_problems"


@pytest.mark.parametrize("version", [[], {}, 1.0, None, True])
def test_unhashable_or_odd_schema_version_is_an_error_not_a_crash(
    minimal_scenario: dict[str, Any], version: Any
) -> None:
    minimal_scenario["schema_version"] = version
    _, problems = check_document(minimal_scenario)
    assert [problem.path for problem in problems if problem.is_error] == ["/schema_version"]


def test_schema_1_0_document_gains_functions_and_alert_chain_with_notes(
    minimal_scenario: dict[str, Any],
) -> None:
    from studio.scenario.migrate import upgrade

    old = copy.deepcopy(minimal_scenario)
    old["schema_version"] = "1.0"
    for persona in old["personas"]:
        persona.pop("function", None)
    old.pop("information", None)
    upgraded, notes = upgrade(old)
    assert upgraded["schema_version"] == "1.1"
    assert all("function" in persona for persona in upgraded["personas"])
    assert isinstance(upgraded["information"]["alert_chain"], list)
    assert any(note.startswith("/personas/0/function") for note in notes)
    assert any(note.startswith("/information/alert_chain") for note in notes)
    assert not [p for p in validate_scenario(upgraded) if p.is_error]
