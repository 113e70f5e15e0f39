"""References that exist but cannot mean anything: an inject held in reserve for itself."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hostile_support import night_generated

from studio.scenario.validate import validate_scenario


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return night_generated()


def test_an_inject_cannot_back_itself_up(generated: dict[str, Any]) -> None:
    document = copy.deepcopy(generated)
    inject = document["injects"][3]
    inject["contingency"] = True
    inject["contingency_for"] = inject["id"]
    errors = [problem for problem in validate_scenario(document) if problem.is_error]
    assert [(problem.path, problem.rule) for problem in errors] == [
        ("/injects/3/contingency_for", "ref.contingency_self")
    ]
    assert "itself" in errors[0].message


def test_a_contingency_of_another_inject_is_fine(generated: dict[str, Any]) -> None:
    document = copy.deepcopy(generated)
    document["injects"][3].update(contingency=True, contingency_for=document["injects"][2]["id"])
    assert not [problem for problem in validate_scenario(document) if problem.is_error]
