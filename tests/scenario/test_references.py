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


def _reserve_chain(document: dict[str, Any], links: dict[int, int]) -> dict[str, Any]:
    """A copy of ``document`` where inject ``i`` is held in reserve for inject ``links[i]``."""
    document = copy.deepcopy(document)
    injects = document["injects"]
    for backup, backed_up in links.items():
        injects[backup].update(contingency=True, contingency_for=injects[backed_up]["id"])
    return document


def _cycle_errors(document: dict[str, Any]) -> list[Any]:
    return [problem for problem in validate_scenario(document) if problem.rule == "ref.contingency_cycle"]


def test_two_injects_in_reserve_for_each_other_are_one_cycle(generated: dict[str, Any]) -> None:
    document = _reserve_chain(generated, {3: 5, 5: 3})
    errors = [problem for problem in validate_scenario(document) if problem.is_error]
    assert [(problem.path, problem.rule) for problem in errors] == [
        ("/injects/3/contingency_for", "ref.contingency_cycle")
    ]
    first, second = document["injects"][3]["id"], document["injects"][5]["id"]
    assert f"{first} -> {second} -> {first}" in errors[0].message


def test_a_longer_reserve_cycle_names_every_inject_in_order(generated: dict[str, Any]) -> None:
    # 7 backs up 2, 2 backs up 9, 9 backs up 7: reported once, from the first in the file.
    document = _reserve_chain(generated, {7: 2, 2: 9, 9: 7})
    (error,) = _cycle_errors(document)
    ids = [document["injects"][index]["id"] for index in (2, 9, 7, 2)]
    assert error.path == "/injects/2/contingency_for" and error.is_error
    assert " -> ".join(ids) in error.message


def test_a_chain_leading_into_a_cycle_flags_the_cycle_only(generated: dict[str, Any]) -> None:
    # 1 -> 4 -> 6 -> 4: inject 1 backs up a member of the cycle but is not in it.
    document = _reserve_chain(generated, {1: 4, 4: 6, 6: 4, 10: 11, 11: 12, 12: 10})
    errors = _cycle_errors(document)
    assert [error.path for error in errors] == ["/injects/4/contingency_for", "/injects/10/contingency_for"]
    assert document["injects"][1]["id"] not in errors[0].message


def test_a_reserve_chain_without_a_cycle_is_fine(generated: dict[str, Any]) -> None:
    document = _reserve_chain(generated, {1: 2, 2: 3, 3: 4})
    assert not [problem for problem in validate_scenario(document) if problem.is_error]


@pytest.mark.parametrize("key", ["requires", "also_requires"])
def test_a_movement_cannot_need_the_credential_it_obtains(generated: dict[str, Any], key: str) -> None:
    # chb-vpn reaches chb-cred-user: needing chb-cred-user first, the movement could never start.
    document = copy.deepcopy(generated)
    holder = next(index for index, system in enumerate(document["systems"]) if system["id"] == "chb-vpn")
    link = next(
        index
        for index, link in enumerate(document["systems"][holder]["links"])
        if link["target"] == "chb-cred-user"
    )
    document["systems"][holder]["links"][link][key] = (
        "chb-cred-user" if key == "requires" else ["chb-cred-user"]
    )
    errors = [problem for problem in validate_scenario(document) if problem.is_error]
    where = f"/systems/{holder}/links/{link}/{key}" + ("/0" if key == "also_requires" else "")
    assert [(problem.path, problem.rule) for problem in errors] == [(where, "ref.requires_own_target")]
    assert "chb-cred-user" in errors[0].message
