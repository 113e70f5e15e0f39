"""What a designer is told about a schema_version this version cannot read, and about an upgrade.

A file from a later Crisis Studio must not be "fixed" by lowering its version (the old hint said to set
1.0, which would run the 1.0 -> 1.1 migration over a newer document); a version typed as a number is
named as such; an upgraded old file says what changed, however many changes there were.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from studio.cli import main
from studio.scenario.schema import SCHEMA_VERSION
from studio.scenario.validate import check_document

MINIMAL: dict[str, Any] = json.loads((Path(__file__).parent / "minimal.json").read_text(encoding="utf-8"))


def _version_problem(version: object) -> Any:
    document = {**copy.deepcopy(MINIMAL), "schema_version": version}
    returned, problems = check_document(document)
    assert returned == document  # nothing upgraded, nothing lost
    (problem,) = problems
    assert (problem.path, problem.rule, problem.is_error) == ("/schema_version", "schema.version", True)
    return problem


@pytest.mark.parametrize("version", ["2.0", "1.2", "10.0", "1.10"])
def test_a_newer_version_is_named_as_such_and_never_told_to_go_back(version: str) -> None:
    problem = _version_problem(version)
    assert "newer" in problem.message and SCHEMA_VERSION in problem.message
    assert "set schema_version" not in problem.hint
    assert "update Crisis Studio" in problem.hint


def test_a_version_written_as_a_number_is_told_to_be_text() -> None:
    problem = _version_problem(float(SCHEMA_VERSION))
    assert "number" in problem.message
    assert f'"schema_version": "{SCHEMA_VERSION}"' in problem.hint


@pytest.mark.parametrize("version", ["", "1.1 ", "v1", None, ["1.1"], "0.1"])
def test_an_unknown_version_names_the_current_one(version: object) -> None:
    problem = _version_problem(version)
    assert "unknown schema_version" in problem.message
    assert f'"schema_version": "{SCHEMA_VERSION}"' in problem.hint
    assert "1.0" not in problem.hint


def _legacy(injects: int) -> dict[str, Any]:
    document = copy.deepcopy(MINIMAL)
    document["schema_version"] = "0.9"
    template = document["injects"][0]
    document["injects"] = []
    for number in range(injects):
        inject = {**copy.deepcopy(template), "id": f"i{number}", "number": str(number + 1)}
        inject.pop("offset")
        inject["offset_minutes"] = 30
        inject["to"] = inject["to"][0]
        document["injects"].append(inject)
    return document


def test_an_upgrade_counts_every_change_it_does_not_list() -> None:
    _, problems = check_document(_legacy(40))
    upgraded = next(problem for problem in problems if problem.rule == "schema.upgraded")
    assert "upgraded from schema 0.9" in upgraded.message
    # The versions, then 40 injects x 2 changes, 2 personas and the alert chain: 84 notes, of which
    # the first five are listed and the rest counted.
    assert upgraded.message.endswith("; and 79 more changes")


def test_cli_validate_opens_an_old_file_with_the_note_and_leaves_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps(_legacy(3)), encoding="utf-8")
    before = path.read_bytes()
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "upgraded from schema 0.9 to " + SCHEMA_VERSION in out and "offset_minutes 30 became" in out
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "field, value",
    [("organisation", {"id": "chm"}), ("organisation", ["chm"]), ("kind", {"a": 1}), ("role", 12)],
)
def test_an_old_file_with_a_wrongly_typed_persona_is_upgraded_and_pointed_at(
    field: str, value: object
) -> None:
    document = copy.deepcopy(MINIMAL)
    document["schema_version"] = "1.0"
    document.get("information", {}).pop("alert_chain", None)
    for persona in document["personas"]:
        persona.pop("function", None)
    document["personas"][0][field] = value
    upgraded, problems = check_document(document)  # raised TypeError: unhashable type: 'dict'
    assert upgraded["schema_version"] == SCHEMA_VERSION
    assert any(problem.path.startswith("/personas/0") and problem.is_error for problem in problems)


HOSTILE = [None, 1, -1, 1e308, "x", "", [], {}, [1], {"a": 1}, True, "a" * 3000, [None], [{}], [[]]]


@pytest.mark.parametrize("version", ["1.0", "0.9", None])
def test_mutated_old_files_are_upgraded_or_refused_never_crash(version: str | None) -> None:
    """Migrations run before validation, on whatever the file holds: seeded random mutations of an
    old library scenario (types at every level, deletions) must give problems, not exceptions."""
    import random

    from mutations import mutate, value_paths

    from studio.scenario.library import load_library

    base = load_library("ch-rancongiciel-nuit")
    if version is None:
        base.pop("schema_version")
    else:
        base["schema_version"] = version
    for persona in base["personas"]:
        persona.pop("function", None)
    base.get("information", {}).pop("alert_chain", None)
    paths = [path for path in value_paths(base, max_items=3) if path]
    chooser = random.Random(f"old-{version}")
    for _ in range(40):
        document = copy.deepcopy(base)
        for _ in range(chooser.randint(1, 3)):
            path = chooser.choice(paths)
            action = chooser.choice(["replace", "replace", "delete"])
            try:
                mutate(document, path, action, chooser.choice(HOSTILE))
            except (KeyError, IndexError, TypeError):
                continue  # an earlier mutation removed the way to this path
        check_document(document)
