"""``crisis-studio import-msel`` end to end, in process: round trip, errors by row and column, exit codes."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from studio.cli import main
from studio.exports.msel import msel_xlsx
from studio.injects.generator import generate_msel
from studio.scenario.canonical import canonical_bytes
from studio.scenario.library import load_library

LIBRARY_SCENARIO = "ch-rancongiciel-nuit"


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    """A library scenario with its MSEL generated offline (seed 0)."""
    return generate_msel(load_library(LIBRARY_SCENARIO), seed=0, provider="offline").scenario


@pytest.fixture
def without_injects(tmp_path: Path, generated: dict[str, Any]) -> Path:
    """The generated scenario with no injects, as a file."""
    path = tmp_path / "scenario.json"
    path.write_bytes(canonical_bytes({**copy.deepcopy(generated), "injects": []}))
    return path


def sheet_csv(rows: list[list[str]]) -> bytes:
    stream = io.StringIO()
    csv.writer(stream).writerows(rows)
    return stream.getvalue().encode("utf-8")


def without_empty_lists(injects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A spreadsheet cell cannot tell an empty list from no value: the import leaves blank cells out."""
    return [{key: value for key, value in inject.items() if value != []} for inject in injects]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["import-msel", *argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def test_round_trip_of_a_generated_library_scenario(
    tmp_path: Path, capsys, generated: dict[str, Any], without_injects: Path
) -> None:
    sheet = tmp_path / "msel.xlsx"
    sheet.write_bytes(msel_xlsx(generated))
    out = tmp_path / "out" / "imported.json"
    code, printed, errors = run(capsys, str(without_injects), str(sheet), "-o", str(out))
    assert code == 0, errors
    count = len(generated["injects"])
    assert f"{count} injects imported" in printed and f"{count} new, 0 replaced" in printed
    written = out.read_bytes()
    imported = json.loads(written)
    assert written == canonical_bytes(imported)  # canonical JSON
    assert without_empty_lists(imported["injects"]) == without_empty_lists(generated["injects"])
    assert {**imported, "injects": []} == {**generated, "injects": []}  # nothing else changed
    assert not [path for path in out.parent.iterdir() if path.name.startswith(".")]  # no temporary file

    # Importing the same sheet again replaces every inject (same ids) instead of adding copies.
    code, printed, _ = run(capsys, str(out), str(sheet), "-o", str(out))
    assert code == 0 and f"0 new, {count} replaced" in printed
    assert len(json.loads(out.read_bytes())["injects"]) == count


BROKEN = [
    ["offset", "from", "to", "message", "Colonne perso"],
    ["T+00:10", "ars-duty", "Cellule de crise hospitalière", "Point de situation ARS", "x"],
    ["demain", "ars-duty", "cell-direction", "Heure illisible", ""],
    ["T+00:30", "ars-duty", "Nulle part", "Cellule inconnue", ""],
]


def test_broken_sheet_reports_rows_and_columns_and_writes_nothing(
    tmp_path: Path, capsys, without_injects: Path
) -> None:
    sheet = tmp_path / "chronogramme.csv"
    sheet.write_bytes(sheet_csv(BROKEN))
    out = tmp_path / "out.json"
    code, printed, errors = run(capsys, str(without_injects), str(sheet), "-o", str(out))
    assert code == 1
    assert not out.exists()
    lines = errors.splitlines()
    bad_time = next(line for line in lines if "row 3" in line)
    assert "row 3, column A (offset):" in bad_time and "demain" in bad_time
    unknown_cell = next(line for line in lines if "row 4" in line)
    assert "row 4, column C (to):" in unknown_cell and "Nulle part" in unknown_cell
    assert "Colonne perso" in errors  # the ignored column is named
    assert "nothing written" in errors and "--accept-partial" in errors
    assert printed == ""


def test_accept_partial_writes_the_valid_rows(tmp_path: Path, capsys, without_injects: Path) -> None:
    sheet = tmp_path / "chronogramme.csv"
    sheet.write_bytes(sheet_csv(BROKEN))
    out = tmp_path / "out.json"
    code, printed, errors = run(capsys, str(without_injects), str(sheet), "--accept-partial", "-o", str(out))
    assert code == 0, errors
    assert "row 3, column A (offset)" in errors  # the issues are still shown
    assert "1 injects imported" in printed and "2 rows rejected" in printed
    (inject,) = json.loads(out.read_bytes())["injects"]
    assert (inject["id"], inject["offset"], inject["from"], inject["to"]) == (
        "msel-2",
        "PT10M",
        "ars-duty",
        ["cell-direction"],
    )
    assert inject["message"] == "Point de situation ARS" and inject["provenance"] == {"source": "import"}


def test_map_reads_a_custom_header(tmp_path: Path, capsys, without_injects: Path) -> None:
    sheet = tmp_path / "custom.csv"
    sheet.write_bytes(
        sheet_csv([["Quand", "Qui", "À qui", "Quoi"], ["J+0 H+1", "ars-duty", "cell-direction", "Appel ARS"]])
    )
    out = tmp_path / "out.json"
    code, _, errors = run(capsys, str(without_injects), str(sheet), "-o", str(out))
    assert code == 1 and "no column for 'offset'" in errors and not out.exists()

    mapping = ["--map", "Quand=offset", "--map", "Qui=from", "--map", "À qui=to", "--map", "Quoi=message"]
    code, _, errors = run(capsys, str(without_injects), str(sheet), *mapping, "-o", str(out))
    assert code == 0, errors
    (inject,) = json.loads(out.read_bytes())["injects"]
    assert inject["offset"] == "PT1H" and inject["message"] == "Appel ARS"


def test_bad_map_option_exits_2(tmp_path: Path, capsys, without_injects: Path) -> None:
    sheet = tmp_path / "custom.csv"
    sheet.write_bytes(sheet_csv([["Quand"], ["T+00:10"]]))
    for option in ("Quand=when", "Quand"):
        code, _, errors = run(capsys, str(without_injects), str(sheet), "--map", option, "-o", "x.json")
        assert code == 2 and "--map" in errors


def test_unreadable_files_exit_2(tmp_path: Path, capsys, without_injects: Path) -> None:
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(b"not a zip")
    out = tmp_path / "out.json"
    for sheet in (damaged, tmp_path / "missing.csv", without_injects):  # .json is no spreadsheet
        code, _, errors = run(capsys, str(without_injects), str(sheet), "-o", str(out))
        assert code == 2 and errors.startswith("error:")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    code, _, _ = run(capsys, str(broken), str(damaged), "-o", str(out))
    assert code == 2
    assert not out.exists()


def test_invalid_scenario_exits_1(tmp_path: Path, capsys, generated: dict[str, Any]) -> None:
    scenario = copy.deepcopy(generated)
    scenario["injects"][0]["from"] = "nobody"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    sheet = tmp_path / "msel.xlsx"
    sheet.write_bytes(msel_xlsx(generated))
    code, _, errors = run(capsys, str(path), str(sheet), "-o", str(tmp_path / "out.json"))
    assert code == 1 and "invalid scenario" in errors
    assert not (tmp_path / "out.json").exists()
