"""Where the commands write: never over the file they read, never somewhere the user did not say.

``pack`` and ``export`` choose their file names themselves (``<id>.scenario.json``, ``<id>-msel.csv``...),
so a user who keeps the scenario in the output folder under one of those names would lose it (with
``--resimulate``, the designer's edited injects) without being asked: refused before anything is
written. An empty ``-o`` is a mistake, not a request for standard output.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hostile_support import night_generated, run_cli

from studio.cli.pack import write_pack
from studio.exports.common import ExportFile
from studio.scenario.canonical import canonical_bytes

LIBRARY = "ch-rancongiciel-nuit"


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return night_generated()


@pytest.mark.parametrize("options", [[], ["--resimulate"], ["--regenerate"]])
def test_pack_refuses_to_replace_its_input_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], generated: dict[str, Any], options: list[str]
) -> None:
    edited = copy.deepcopy(generated)
    edited["injects"][0]["message"] += "\n\nTexte retouché à la main."
    source = tmp_path / f"{edited['id']}.scenario.json"
    source.write_bytes(canonical_bytes(edited))
    before = source.read_bytes()
    code, said = run_cli(capsys, "pack", str(source), "-o", str(tmp_path), "--quiet", *options)
    assert code == 2
    assert "input file" in said and source.name in said and "nothing written" in said
    assert source.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == [source.name]


def test_export_refuses_to_replace_its_input_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], generated: dict[str, Any]
) -> None:
    # A scenario kept under the name the CSV export writes: unlikely, but then it must not vanish.
    source = tmp_path / f"{generated['id']}-msel.csv"
    source.write_bytes(canonical_bytes(generated))
    before = source.read_bytes()
    code, said = run_cli(capsys, "export", str(source), "--to", "all", "-o", str(tmp_path), "--no-toc-pages")
    assert code == 2 and "input file" in said and "nothing written" in said
    assert source.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == [source.name]


def test_pack_and_export_beside_their_input_under_another_name_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], generated: dict[str, Any]
) -> None:
    source = tmp_path / "mon-scenario.json"
    source.write_bytes(canonical_bytes(generated))
    assert run_cli(capsys, "export", str(source), "--to", "csv", "-o", str(tmp_path))[0] == 0
    assert run_cli(capsys, "pack", str(source), "-o", str(tmp_path), "--quiet")[0] == 0
    assert source.read_bytes() == canonical_bytes(generated)


@pytest.mark.parametrize("command", ["generate", "import-msel"])
def test_an_empty_output_path_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], generated: dict[str, Any], command: str
) -> None:
    source = tmp_path / "s.json"
    source.write_bytes(canonical_bytes(generated))
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("id;title\n", encoding="utf-8")
    argv = [command, str(source), *([str(sheet)] if command == "import-msel" else []), "-o", ""]
    code, said = run_cli(capsys, *argv)
    assert code == 2 and "empty" in said
    assert '"injects"' not in said  # nothing dumped on the terminal instead


def test_export_into_a_file_says_it_is_not_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], generated: dict[str, Any]
) -> None:
    source = tmp_path / "s.json"
    source.write_bytes(canonical_bytes(generated))
    code, said = run_cli(capsys, "export", str(source), "--to", "csv", "-o", str(source))
    assert code == 2 and "not a folder" in said
    assert source.read_bytes() == canonical_bytes(generated)


def test_import_msel_never_writes_the_scenario_over_the_spreadsheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], generated: dict[str, Any]
) -> None:
    from studio.exports.msel import msel_csv

    source = tmp_path / "s.json"
    source.write_bytes(canonical_bytes(generated))
    sheet = tmp_path / "msel.csv"
    sheet.write_bytes(msel_csv(generated))
    before = sheet.read_bytes()
    code, said = run_cli(capsys, "import-msel", str(source), str(sheet), "-o", str(sheet))
    assert code == 2 and "spreadsheet" in said and "nothing written" in said
    assert sheet.read_bytes() == before
    # Onto the scenario itself is what the command is for.
    assert run_cli(capsys, "import-msel", str(source), str(sheet), "-o", str(source))[0] == 0


def test_ui_refuses_a_workspace_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    taken = tmp_path / "workspace"
    taken.write_text("x", encoding="utf-8")
    # Refused before any server starts (a server would make main() wait for Ctrl-C).
    code, said = run_cli(capsys, "ui", "--port", "45871", "--workspace", str(taken))
    assert code == 2 and "not a folder" in said


# --- links and folders where the pack goes (decision: a link is written through, as saves and export do)


def _pack_files() -> list[ExportFile]:
    return [ExportFile("s.scenario.json", b'{"id": "s"}'), ExportFile("s-msel.csv", b"offset\n")]


def test_pack_writes_through_a_link_that_has_an_output_name(tmp_path: Path) -> None:
    shared = tmp_path / "shared" / "msel-latest.csv"
    shared.parent.mkdir()
    shared.write_bytes(b"old")
    shared.chmod(0o664)
    target = tmp_path / "pack"
    target.mkdir()
    (target / "s-msel.csv").symlink_to(shared)
    write_pack(str(target), _pack_files())
    assert (target / "s-msel.csv").is_symlink() and shared.read_bytes() == b"offset\n"
    assert shared.stat().st_mode & 0o777 == 0o664
    assert (target / "s.scenario.json").read_bytes() == b'{"id": "s"}'
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pack", "shared"]


@pytest.mark.parametrize("empty", [True, False])
def test_pack_into_a_linked_folder_writes_into_the_folder_and_keeps_the_link(
    tmp_path: Path, empty: bool
) -> None:
    real = tmp_path / "real"
    real.mkdir()
    if not empty:
        (real / "notes.txt").write_text("mine", encoding="utf-8")
    link = tmp_path / "latest"
    link.symlink_to(real, target_is_directory=True)
    paths = write_pack(str(link), _pack_files())
    assert link.is_symlink() and all(path.is_file() for path in paths)
    assert sorted(path.name for path in real.iterdir()) == sorted(
        ["s-msel.csv", "s.scenario.json", *([] if empty else ["notes.txt"])]
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == ["latest", "real"]


def test_pack_through_a_dangling_folder_link_creates_its_destination(tmp_path: Path) -> None:
    link = tmp_path / "latest"
    link.symlink_to(tmp_path / "exercise-2027", target_is_directory=True)
    write_pack(str(link), _pack_files())
    assert link.is_symlink() and (tmp_path / "exercise-2027" / "s-msel.csv").read_bytes() == b"offset\n"


def test_a_folder_where_a_pack_file_goes_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    target = tmp_path / "pack"
    target.mkdir()
    (target / "s-msel.csv").write_bytes(b"old")  # moved in first: names are moved in sorted order
    (target / "s.scenario.json").mkdir()
    with pytest.raises(IsADirectoryError):
        write_pack(str(target), _pack_files())
    assert (target / "s-msel.csv").read_bytes() == b"old"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pack"]


@pytest.mark.parametrize(
    "command, in_the_way",
    [
        (["pack", "--quiet"], "msel.csv"),
        (["export", "--to", "csv", "--to", "xlsx"], "msel.xlsx"),
    ],
)
def test_a_folder_in_the_way_of_an_output_is_named_and_nothing_is_written(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    generated: dict[str, Any],
    command: list[str],
    in_the_way: str,
) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(canonical_bytes(generated))
    target = tmp_path / "out"
    folder = f"{generated['id']}-{in_the_way}"
    (target / folder).mkdir(parents=True)
    code, said = run_cli(capsys, command[0], str(source), "-o", str(target), *command[1:])
    assert code == 2 and f"{folder}: a folder is in the way" in said
    assert [path.name for path in target.iterdir()] == [folder]
