"""The fast schema layer (jsonschema-rs finds, jsonschema explains) reports exactly what jsonschema alone
reports; the graph warnings read without networkx agree with studio.graph.model; revalidating only
what changed gives the same problems as a full validation."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_validate import CASES, apply_ops

from studio.graph.model import build_graph, dependency_cycles, untouched_systems
from studio.propagation.synthetic import hospital_scenario
from studio.scenario.problems import Problem
from studio.scenario.schema import fast_validator, validator
from studio.scenario.validate import ScenarioValidator, _explain, _GraphFacts, validate_scenario

LIBRARY = sorted((Path(__file__).parents[2] / "scenario_library").glob("*.json"))


def _jsonschema_only(document: Any) -> list[Problem]:
    """The schema problems as the validator reported them before the fast path: jsonschema on all of it."""
    return [problem for error in validator().iter_errors(document) for problem in _explain(error)]


def _schema_part(problems: list[Problem]) -> list[Problem]:
    return sorted(problem for problem in problems if problem.rule.startswith("schema."))


def test_fast_validator_is_installed() -> None:
    assert fast_validator() is not None


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_broken_cases_get_the_same_schema_problems(
    minimal_scenario: dict[str, Any], case: dict[str, Any]
) -> None:
    document = apply_ops(minimal_scenario, case["ops"])
    assert _schema_part(validate_scenario(document)) == sorted(_jsonschema_only(document))


@given(
    target=st.sampled_from(["exercise", "systems", "injects", "cells", "attack", "timeline"]),
    value=st.recursive(
        st.none() | st.booleans() | st.integers(-5, 10**6) | st.text(max_size=12),
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
        ),
        max_leaves=8,
    ),
    index=st.integers(0, 3),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_breakage_gets_the_same_schema_problems(
    minimal_scenario: dict[str, Any], target: str, value: Any, index: int
) -> None:
    document = copy.deepcopy(minimal_scenario)
    current = document.get(target)
    if isinstance(current, list) and current:
        current[index % len(current)] = value
    elif isinstance(current, dict) and current:
        current[sorted(current)[index % len(current)]] = value
    else:
        document[target] = value
    assert _schema_part(validate_scenario(document)) == sorted(_jsonschema_only(document))


def test_dates_are_judged_like_jsonschema_does(minimal_scenario: dict[str, Any]) -> None:
    for startex in ("2025-02-10T02:00:00", "2025-02-10 02:00:00+01:00", "not a date", "2025-02-30T02:00:00Z"):
        document = copy.deepcopy(minimal_scenario)
        document["exercise"]["startex"] = startex
        assert _schema_part(validate_scenario(document)) == sorted(_jsonschema_only(document)), startex


@pytest.mark.parametrize("path", LIBRARY, ids=[path.stem for path in LIBRARY])
def test_graph_facts_match_the_networkx_graph(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    _check_graph_facts(document)


def test_graph_facts_match_on_a_synthetic_hospital_with_duplicates_and_dangling_links() -> None:
    document = hospital_scenario(400, seed=3)
    document["systems"].append({**document["systems"][7], "kind": "server", "links": []})  # duplicate id
    document["systems"][9]["links"].append({"kind": "depends", "target": "nowhere"})
    _check_graph_facts(document)


def _check_graph_facts(document: dict[str, Any]) -> None:
    graph = build_graph(document)
    facts = _GraphFacts(document)
    assert facts.untouched() == untouched_systems(graph)
    assert facts.dependency_cycles() == dependency_cycles(graph)
    assert facts.reached == {target for _, target, kind in graph.edges(data="kind") if kind == "reach"}


def test_revalidating_what_changed_equals_a_full_validation() -> None:
    document = hospital_scenario(300, seed=2)
    checker = ScenarioValidator()
    assert checker.validate(document) == validate_scenario(document)
    assert checker.last_schema_checks > 300

    edited = {**document, "systems": list(document["systems"])}
    edited["systems"][4] = {**edited["systems"][4], "kind": "serveur"}  # a new object: found by identity
    edited["systems"][6]["zone"] = 7  # edited in place: named in changed
    problems = checker.validate(edited, changed=["/systems/6/zone"])
    assert checker.last_schema_checks == 2
    assert problems == validate_scenario(edited)
    assert {problem.path for problem in problems if problem.is_error} == {
        "/systems/4/kind",
        "/systems/6/zone",
    }

    edited["systems"][6]["zone"] = "zone-a"
    fixed = {**edited, "systems": [*edited["systems"][:4], document["systems"][4], *edited["systems"][5:]]}
    problems = checker.validate(fixed, changed=["/systems/6"])
    assert problems == validate_scenario(fixed)
    assert not [problem for problem in problems if problem.is_error]


def test_a_pipeline_output_rechecks_only_its_new_parts() -> None:
    document = hospital_scenario(200, seed=4)
    checker = ScenarioValidator()
    checker.validate(document)
    output = {**document, "timeline": {"seed": "not a number", "events": []}}
    problems = checker.validate(output, changed=["/timeline", "/injects"])
    assert checker.last_schema_checks == 1  # the timeline (the injects list is empty)
    assert problems == validate_scenario(output)
    assert any(problem.path.startswith("/timeline") for problem in problems)


def test_check_document_seeds_a_checker_for_the_pipeline_output() -> None:
    from studio.scenario.validate import check_document

    document = hospital_scenario(150, seed=5)
    checker = ScenarioValidator()
    _, problems = check_document(document, checker)
    assert problems == validate_scenario(document)
    output = {**document, "injects": [{"id": "broken"}]}
    assert checker.validate(output, changed=["/injects", "/timeline"]) == validate_scenario(output)
    assert checker.last_schema_checks == 1
