"""MSEL (chronogramme) export to .xlsx (openpyxl) and .csv: one row per inject, every inject field.

The sheet is meant for control staff and for the round trip through a designer's spreadsheet, so it
holds control-only fields (synopsis, animator notes) and contingency injects. Rows are in play order.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import Counter
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from studio.exports.common import (
    ExportFile,
    Labels,
    clean_text,
    normalise_zip,
    safe_filename_part,
    scenario_labels,
    sorted_injects,
)
from studio.exports.msel.columns import (
    CELL_FIELDS,
    ENUM_LABEL_TABLES,
    PERSONA_FIELDS,
    column_kinds,
    encode_json,
    enum_values,
    format_offset,
)
from studio.safety import neutralise_formulas

EXCEL_CELL_LIMIT = 32767
"""Excel refuses longer cell texts; longer fields are cut there and end with TRUNCATED_MARK."""
TRUNCATED_MARK = " […]"
SHEET_TITLE = "MSEL"
FIXED_PROPERTIES_TIME = dt.datetime(2026, 1, 1)
COLUMN_WIDTHS = {"message": 60, "title": 30, "expected_actions": 40, "synopsis": 40, "animator_notes": 40}
DEFAULT_WIDTH = 16


def _unique_names(items: list[dict[str, Any]]) -> dict[str, str]:
    """id -> name for the objects whose name (case-insensitive) no other object shares."""
    counts = Counter(item.get("name", "").casefold() for item in items)
    return {
        item["id"]: item["name"]
        for item in items
        if item.get("name") and counts[item["name"].casefold()] == 1
    }


class MselEncoder:
    """Turns injects into rows of cell texts, with the headers of the scenario's language."""

    def __init__(self, scenario: dict[str, Any], labels: Labels | None = None) -> None:
        self.labels = labels or scenario_labels(scenario)
        self.kinds = column_kinds()
        self.persona_names = _unique_names(scenario.get("personas", []))
        self.cell_names = _unique_names(scenario.get("cells", []))

    def headers(self) -> list[str]:
        return [self.labels.enum("field", name) for name in self.kinds]

    def cell(self, inject: dict[str, Any], field: str) -> str:
        if field not in inject:
            return ""
        value, kind = inject[field], self.kinds[field]
        if field in PERSONA_FIELDS:
            return self.persona_names.get(value, value)
        if field in CELL_FIELDS:
            return "\n".join(self.cell_names.get(item, item) for item in value)
        if kind == "clock":
            return format_offset(value)
        if kind == "bool":
            return self.labels["yes"] if value else self.labels["no"]
        if kind in ("ids", "texts"):
            return "\n".join(str(item) for item in value)
        if kind == "json":
            return encode_json(value)
        if field in ENUM_LABEL_TABLES:
            return self.labels.enum(ENUM_LABEL_TABLES[field], value)
        return str(value)

    def rows(self, injects: list[dict[str, Any]]) -> list[list[str]]:
        return [[clean_text(self.cell(inject, field)) for field in self.kinds] for inject in injects]


FORMULA_STARTS = ("=", "+", "-", "@")
"""Spreadsheet programs run a CSV cell starting with one of these as a formula ("CSV injection")."""


def csv_cell(text: str) -> str:
    """A CSV cell that a spreadsheet program shows as text: formula-like text gets a leading quote.

    The importer removes that quote again (``'`` followed by one of FORMULA_STARTS).
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def msel_csv(scenario: dict[str, Any]) -> bytes:
    """The MSEL as CSV: UTF-8 with a byte-order mark (so Excel reads accents), comma-separated."""
    encoder = MselEncoder(scenario)
    stream = io.StringIO(newline="")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(encoder.headers())
    writer.writerows([csv_cell(value) for value in row] for row in encoder.rows(sorted_injects(scenario)))
    return ("\ufeff" + stream.getvalue()).encode("utf-8")


def msel_xlsx(scenario: dict[str, Any]) -> bytes:
    """The MSEL as an Excel workbook: bold frozen header row, wrapped text, fixed widths, drop-downs.

    The first sheet is the MSEL; a hidden second sheet holds the choices of the drop-down lists.
    """
    encoder = MselEncoder(scenario)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(encoder.headers())
    for row in encoder.rows(sorted_injects(scenario)):
        sheet.append([_fit_excel(value) if value else None for value in row])
        # openpyxl stores any text starting with '=' as a formula: force plain text, so a message
        # such as "=HYPERLINK(...)" stays a message and the workbook never computes anything.
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":
                cell.data_type = "s"
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="D9D9D9")
    for cell in sheet[1]:
        cell.font, cell.fill = header_font, header_fill
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.value is not None:
                cell.alignment = wrap
    for index, field in enumerate(encoder.kinds, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTHS.get(field, DEFAULT_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    _add_choice_lists(workbook, sheet, encoder, scenario)
    neutralise_formulas(workbook)  # every sheet, the hidden lists too (persona names are free text)
    return _save_workbook(workbook, title=scenario["exercise"]["title"])


VALIDATED_ROWS = 2000
"""Rows below the header that get drop-down lists, so designers can add injects under the export."""


def _add_choice_lists(
    workbook: Workbook, sheet: Worksheet, encoder: MselEncoder, scenario: dict[str, Any]
) -> None:
    """Drop-down lists for the enum columns and the sender, read from a hidden second sheet.

    Excel caps an inline list at 255 characters, so the choices live in cells of the hidden sheet
    and the validations point at those ranges. The import only reads the first sheet.
    """
    choices: dict[str, list[str]] = {
        field: [encoder.labels.enum(table, value) for value in enum_values(field)]
        for field, table in ENUM_LABEL_TABLES.items()
        if field in encoder.kinds and enum_values(field)
    }
    choices["from"] = [encoder.persona_names.get(p["id"], p["id"]) for p in scenario.get("personas", [])]
    lists = workbook.create_sheet(clean_text(encoder.labels["lists_sheet"])[:31])
    lists.sheet_state = "hidden"
    columns = list(encoder.kinds)
    for list_index, (field, values) in enumerate(choices.items(), start=1):
        if not values:
            continue
        letter = get_column_letter(list_index)
        lists.cell(row=1, column=list_index, value=field)
        for row_index, value in enumerate(values, start=2):
            lists.cell(row=row_index, column=list_index, value=clean_text(value))
        source = f"{quote_sheetname(lists.title)}!${letter}$2:${letter}${len(values) + 1}"
        validation = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=False)
        target = get_column_letter(columns.index(field) + 1)
        validation.add(f"{target}2:{target}{VALIDATED_ROWS + 1}")
        sheet.add_data_validation(validation)


def _fit_excel(text: str) -> str:
    if len(text) <= EXCEL_CELL_LIMIT:
        return text
    return text[: EXCEL_CELL_LIMIT - len(TRUNCATED_MARK)] + TRUNCATED_MARK


def _save_workbook(workbook: Workbook, *, title: str) -> bytes:
    """Save with fixed document dates (openpyxl's save_workbook stamps 'now') and fixed zip dates."""
    properties = workbook.properties
    properties.created = properties.modified = FIXED_PROPERTIES_TIME
    properties.creator = properties.lastModifiedBy = "Crisis Studio"
    properties.title = clean_text(title)[:255]
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return normalise_zip(stream.getvalue())


def msel_outputs(scenario: dict[str, Any], formats: tuple[str, ...] = ("xlsx", "csv")) -> list[ExportFile]:
    stem = safe_filename_part(scenario["id"])
    builders = {"xlsx": msel_xlsx, "csv": msel_csv}
    return [ExportFile(f"{stem}-msel.{fmt}", builders[fmt](scenario)) for fmt in formats]
