"""MSEL spreadsheets: export to .xlsx/.csv, import back, and import of designers' own sheets."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import openpyxl
import pytest

from studio.exports.msel import (
    MselReadError,
    import_msel,
    merge_injects,
    msel_csv,
    msel_xlsx,
    parse_relative_time,
)
from studio.scenario.validate import validate_scenario


def by_id(injects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {inject["id"]: inject for inject in injects}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_gives_the_same_injects(golden: dict[str, Any], fmt: str) -> None:
    data = msel_xlsx(golden) if fmt == "xlsx" else msel_csv(golden)
    result = import_msel(data, f"msel.{fmt}", golden)
    assert result.ok, [str(issue) for issue in result.issues]
    assert result.rows_read == len(golden["injects"])
    assert by_id(result.injects) == by_id(golden["injects"])


def test_xlsx_has_one_row_per_inject_in_play_order_with_localised_headers(golden_fr: dict[str, Any]) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(msel_xlsx(golden_fr))).active
    headers = [cell.value for cell in sheet[1]]
    assert headers[:4] == ["N°", "Identifiant", "Phase", "Horaire (T+)"]
    assert sheet.max_row == 1 + len(golden_fr["injects"])
    clocks = [row[3] for row in sheet.iter_rows(min_row=2, max_row=4)]
    assert [cell.value for cell in clocks] == [
        dt.timedelta(0),
        dt.timedelta(minutes=15),
        dt.timedelta(minutes=40),
    ]
    assert {cell.number_format for cell in clocks} == {'"T+"[hh]:mm'}
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"


def test_xlsx_offers_drop_down_lists_for_enum_columns(golden_fr: dict[str, Any]) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(msel_xlsx(golden_fr)))
    sheet, schedule, lists = workbook.worksheets
    assert (schedule.title, schedule.sheet_state) == ("Horaires", "visible")
    assert lists.sheet_state == "hidden"
    headers = [cell.value for cell in sheet[1]]
    channel_column = openpyxl.utils.get_column_letter(headers.index("Canal") + 1)
    [validation] = [
        dv for dv in sheet.data_validations.dataValidation if str(dv.sqref).startswith(channel_column)
    ]
    first, last = validation.formula1.split("!")[1].replace("$", "").split(":")
    choices = [row[0].value for row in lists[f"{first}:{last}"]]
    assert "Courriel" in choices and "Téléphone" in choices
    assert len(choices) == len(set(choices))


def test_exports_are_deterministic(golden_fr: dict[str, Any]) -> None:
    assert msel_xlsx(golden_fr) == msel_xlsx(golden_fr)
    assert msel_csv(golden_fr) == msel_csv(golden_fr)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("T+01:30", 90),
        ("J+1 H+2", 1440 + 120),
        ("D+1", 1440),
        ("J+1 T+02:00", 1440 + 120),
        ("H+2 M+30", 150),
        ("01:30", 90),
        ("PT1H30M", 90),
        ("d+0 m+5", 5),
        (45, 45),
    ],
)
def test_relative_times(text: object, minutes: float) -> None:
    assert parse_relative_time(text) == minutes


@pytest.mark.parametrize("text", ["tomorrow", "T+", "J+1 banana", "", "-5"])
def test_unreadable_relative_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_relative_time(text)


def designer_csv(rows: list[list[str]], delimiter: str = ";") -> bytes:
    stream = io.StringIO()
    csv.writer(stream, delimiter=delimiter).writerows(rows)
    return stream.getvalue().encode("cp1252", errors="replace")


DESIGNER_HEADER = [
    "Horaire",
    "Émetteur",
    "Destinataire",
    "Canal",
    "Stimuli",
    "Réaction attendue",
    "Colonne perso",
]


def test_designer_sheet_with_french_headers_names_and_relative_times(scenario_copy: dict[str, Any]) -> None:
    golden_fr = scenario_copy
    golden_fr["exercise"]["endex"] = "2026-03-12T13:00:00+01:00"  # room for J+1 injects
    data = designer_csv(
        [
            DESIGNER_HEADER,
            [
                "T+00:10",
                "soc infogerant",
                "DSI CH A",
                "Courriel",
                "Le SOC voit un chiffrement.",
                "Isoler",
                "x",
            ],
            [
                "J+1 H+2",
                "Astreinte ARS",
                "Cellule de crise CH A; Cellule ARS",
                "téléphone",
                "Point ARS ?",
                "",
                "",
            ],
            ["D+1", "p-press", "crisis-a, ars-cell", "", "Article du matin", "", ""],
        ]
    )
    result = import_msel(data, "chronogramme.csv", golden_fr)
    assert result.ok, [str(issue) for issue in result.issues]
    assert result.ignored_columns == ["Colonne perso"]
    first, second, third = result.injects
    assert (first["offset"], first["from"], first["to"], first["channel"]) == (
        "PT10M",
        "p-soc",
        ["dsi-a"],
        "email",
    )
    assert first["category"] == "technical_alert"  # from the sender's persona kind
    assert first["expected_actions"] == ["Isoler"]
    assert second["offset"] == "P1DT2H" and second["to"] == ["crisis-a", "ars-cell"]
    assert third["offset"] == "P1D" and third["channel"] == "press_article"  # the persona's first channel
    assert all(
        inject["provenance"] == {"source": "import"} and inject["status"] == "draft"
        for inject in result.injects
    )
    merged = merge_injects(golden_fr, result.injects)
    assert len(merged["injects"]) == len(golden_fr["injects"]) + 3
    assert [problem for problem in validate_scenario(merged) if problem.is_error] == []


def test_errors_are_reported_by_row_and_column_and_nothing_is_imported(golden_fr: dict[str, Any]) -> None:
    data = designer_csv(
        [
            DESIGNER_HEADER,
            ["T+00:10", "SOC Infogérant", "DSI CH A", "Courriel", "bon", "", ""],
            ["demain", "Inconnu", "DSI CH A", "Pigeon", "mauvais", "", ""],
            ["T+00:30", "SOC Infogérant", "Nulle part", "Courriel", "mauvais aussi", "", ""],
        ]
    )
    result = import_msel(data, "c.csv", golden_fr)
    assert result.injects == []
    assert result.rows_rejected == 2
    where = {(issue.row, issue.column) for issue in result.issues}
    assert {(3, "Horaire"), (3, "Émetteur"), (3, "Canal"), (4, "Destinataire")} <= where
    assert all(issue.row in (3, 4) for issue in result.issues)
    message = str(next(issue for issue in result.issues if issue.column == "Émetteur"))
    assert message.startswith("row 3, column B (Émetteur)") and "Inconnu" in message

    partial = import_msel(data, "c.csv", golden_fr, accept_partial=True)
    assert [inject["message"] for inject in partial.injects] == ["bon"]
    assert partial.issues == result.issues


def test_scenario_rules_are_reported_at_the_row(golden_fr: dict[str, Any]) -> None:
    rows = [DESIGNER_HEADER, ["T+00:10", "p-soc", "dsi-a", "", "dans les temps", "", ""]]
    rows.append(["J+2", "p-soc", "dsi-a", "", "après la fin de jeu", "", ""])
    result = import_msel(designer_csv(rows), "late.csv", golden_fr)
    assert [(issue.row, issue.column) for issue in result.issues] == [(3, "Horaire")]
    assert "ENDEX" in result.issues[0].message


def test_explicit_mapping_and_missing_columns(golden_fr: dict[str, Any]) -> None:
    rows = [["Quand", "Qui", "À qui", "Quoi"], ["T+00:05", "SOC Infogérant", "DSI CH A", "Alerte"]]
    unmapped = import_msel(designer_csv(rows), "m.csv", golden_fr)
    assert unmapped.injects == [] and all(issue.row == 1 for issue in unmapped.issues)
    mapping = {"Quand": "offset", "Qui": "from", "À qui": "to", "Quoi": "message"}
    mapped = import_msel(designer_csv(rows), "m.csv", golden_fr, mapping=mapping)
    assert mapped.ok and mapped.injects[0]["offset"] == "PT5M" and mapped.injects[0]["title"] == "Alerte"


def test_xlsx_time_cells_and_duplicate_ids(golden_fr: dict[str, Any]) -> None:
    import datetime as dt

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["id", "offset", "from", "to", "message", "category"])
    sheet.append(["a1", dt.time(1, 30), "p-soc", "dsi-a", "x", "technical_alert"])
    sheet.append(["a1", dt.timedelta(days=1, hours=2), "p-soc", "dsi-a", "y", "not-a-category"])
    stream = io.BytesIO()
    workbook.save(stream)
    result = import_msel(stream.getvalue(), "m.xlsx", golden_fr)
    assert not result.ok
    assert {(issue.row, issue.column) for issue in result.issues} == {(3, "id"), (3, "category")}
    partial = import_msel(stream.getvalue(), "m.xlsx", golden_fr, accept_partial=True)
    assert [inject["offset"] for inject in partial.injects] == ["PT1H30M"]


def test_unreadable_files_raise_a_read_error(golden_fr: dict[str, Any]) -> None:
    with pytest.raises(MselReadError):
        import_msel(b"not a zip", "m.xlsx", golden_fr)
    with pytest.raises(MselReadError):
        import_msel(b"{}", "m.json", golden_fr)
