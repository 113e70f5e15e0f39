"""Validation reports on randomly broken scenarios exactly what it reported before the speed work
(see validation_cases.py), and revalidating after random edits equals a full validation."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest
from mutations import mutate, value_at, value_paths
from validation_cases import ODD_VALUES, broken, load_golden

from studio.propagation.synthetic import hospital_scenario
from studio.scenario.problems import pointer
from studio.scenario.validate import ScenarioValidator, validate_scenario

GOLDEN = load_golden()


@pytest.mark.parametrize(
    "case", GOLDEN["cases"], ids=[f"{case['base']}-{case['seed']}" for case in GOLDEN["cases"]]
)
def test_problems_are_those_recorded_before_the_speed_work(case: dict[str, Any]) -> None:
    document = broken(GOLDEN["bases"][case["base"]], case["seed"])
    assert [problem.to_dict() for problem in validate_scenario(document)] == case["problems"]


def _edit(document: dict[str, Any], rng: random.Random, paths: list[tuple[Any, ...]]) -> list[str]:
    """One random edit, as the studio makes them; returns what the caller names in ``changed``.

    Half of the edits are in place and named; the other half replace the edited top-level part
    (a field or a list item) with a new object and name nothing, which the validator must notice.
    """
    path = paths[rng.randrange(len(paths))]
    value = rng.choice(ids_of(document)) if rng.random() < 0.5 else copy.deepcopy(rng.choice(ODD_VALUES))
    action = rng.choice(["replace", "replace", "replace", "delete", "duplicate"])
    if rng.random() < 0.5:
        mutate(document, path, action, value)
        return [pointer(path[:-1] if action != "replace" else path)]
    part = path[:2] if isinstance(document.get(path[0]), list) and len(path) > 1 else path[:1]
    try:
        fresh = copy.deepcopy(value_at(document, part))
    except (KeyError, IndexError, TypeError):
        return []
    mutate({"part": fresh}, ("part", *path[len(part) :]), action, value)
    parent = value_at(document, part[:-1])
    parent[part[-1]] = fresh
    return []


def ids_of(document: dict[str, Any]) -> list[str]:
    return sorted(
        item["id"]
        for key in ("systems", "cells", "personas", "organisations", "objectives", "playbooks", "injects")
        for item in document.get(key) or []
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    )


@pytest.mark.parametrize("base, seed", [("packed", 1), ("packed", 2), ("minimal", 3), ("synthetic", 4)])
def test_revalidating_after_random_edits_equals_a_full_validation(base: str, seed: int) -> None:
    # Through JSON, as the studio reads a file: the synthetic generator shares delay objects between
    # links, and an in-place edit of a shared object changes parts nobody named.
    document = json.loads(
        json.dumps(GOLDEN["bases"][base] if base in GOLDEN["bases"] else hospital_scenario(150, seed=seed))
    )
    rng = random.Random(seed)
    checker = ScenarioValidator()
    assert checker.validate(document) == validate_scenario(document)
    paths = [path for path in value_paths(document, max_items=40) if path]  # some go stale: skipped
    for _ in range(40):
        changed = _edit(document, rng, paths)
        assert checker.validate(document, changed=changed) == validate_scenario(document), changed


def test_a_dependency_cycle_made_then_broken_by_edits_is_seen() -> None:
    document = json.loads(json.dumps(hospital_scenario(120, seed=6)))
    checker = ScenarioValidator()

    def cycles(problems: list[Any]) -> list[str]:
        return [problem.message for problem in problems if problem.rule == "warn.dependency_cycle"]

    before = cycles(checker.validate(document))
    first, second = document["systems"][10], document["systems"][11]
    first.setdefault("links", []).append({"kind": "depends", "target": second["id"]})
    second.setdefault("links", []).append({"kind": "depends", "target": first["id"]})
    made = checker.validate(document, changed=["/systems/10/links", "/systems/11/links"])
    assert made == validate_scenario(document)
    assert len(cycles(made)) == len(before) + 1
    second["links"].pop()
    broken = checker.validate(document, changed=["/systems/11/links"])
    assert broken == validate_scenario(document)
    assert cycles(broken) == before
