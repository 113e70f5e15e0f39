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
from copy import copy
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from studio.durations import parse_minutes
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
from studio.exports.schedule import exercise_schedule
from studio.safety import neutralise_formulas, spreadsheet_text

EXCEL_CELL_LIMIT = 32767
"""Excel refuses longer cell texts; longer fields are cut there and end with TRUNCATED_MARK."""
TRUNCATED_MARK = " […]"
SHEET_TITLE = "MSEL"
FIXED_PROPERTIES_TIME = dt.datetime(2026, 1, 1)
COLUMN_WIDTHS = {"message": 60, "title": 30, "expected_actions": 40, "synopsis": 40, "animator_notes": 40}
DEFAULT_WIDTH = 16
OFFSET_FORMAT = '"T+"[hh]:mm'
"""The offset from STARTEX is an Excel duration shown as T+01:30 (T+26:00 on the second day)."""


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
        objectives = [{"id": item["id"], "name": item["title"]} for item in scenario.get("objectives", [])]
        self.objective_titles = _unique_names(objectives)

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
        if field == "objective_ids":
            return "\n".join(self.objective_titles.get(item, item) for item in value)
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

    def typed_value(self, inject: dict[str, Any], field: str) -> object:
        """The .xlsx value: a duration for the offset, a date-time for the scenario time, else text.

        Excel has no time zones: the scenario time is written in its own zone's wall-clock time, which
        the import reads back in the time model's zone.
        """
        if field == "offset" and field in inject:
            minutes = parse_minutes(inject["offset"])
            if float(minutes).is_integer():
                return dt.timedelta(minutes=minutes)
        if field == "scenario_time" and inject.get("scenario_time"):
            return dt.datetime.fromisoformat(inject["scenario_time"]).replace(tzinfo=None)
        text = clean_text(self.cell(inject, field))
        return _fit_excel(text) if text else None


CSV_DELIMITERS = {"fr": ";", "en": ","}
"""Excel set to French reads ';' as the list separator (the comma is the decimal separator)."""


def msel_csv(scenario: dict[str, Any], *, delimiter: str | None = None, bom: bool = True) -> bytes:
    """The MSEL as CSV, UTF-8, by default with a byte-order mark (so Excel reads accents).

    ``delimiter`` defaults to the scenario language's: ';' in French, ',' in English.
    """
    encoder = MselEncoder(scenario)
    separator = delimiter or CSV_DELIMITERS.get(encoder.labels.language, ",")
    stream = io.StringIO(newline="")
    writer = csv.writer(stream, delimiter=separator, lineterminator="\r\n")
    writer.writerow(encoder.headers())
    rows = encoder.rows(sorted_injects(scenario))
    writer.writerows([spreadsheet_text(value) for value in row] for row in rows)
    return (("\ufeff" if bom else "") + stream.getvalue()).encode("utf-8")


def msel_xlsx(scenario: dict[str, Any]) -> bytes:
    """The MSEL as an Excel workbook: bold frozen header row, filters, typed times, drop-downs.

    The first sheet is the MSEL (the import reads only that one), the second the exercise schedule
    (start and end of play, sessions, hot debrief), and a hidden third sheet holds the drop-down choices.
    Each cell is written once at its known position, so the time grows linearly with the injects
    (openpyxl's ``max_row``, which a row-by-row writer would ask for, scans every cell).
    """
    encoder = MselEncoder(scenario)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="D9D9D9")
    wrap = Alignment(wrap_text=True, vertical="top")
    formats = {"offset": OFFSET_FORMAT, "scenario_time": encoder.labels["excel_datetime_format"]}
    wrapped = _style_array(sheet, wrap)
    styles = {field: _style_array(sheet, wrap, number_format) for field, number_format in formats.items()}
    fields = list(encoder.kinds)
    for column, header in enumerate(encoder.headers(), start=1):
        cell = sheet.cell(row=1, column=column, value=header)
        cell.font, cell.fill = header_font, header_fill
    injects = sorted_injects(scenario)
    for row, inject in enumerate(injects, start=2):
        for column, field in enumerate(fields, start=1):
            value = encoder.typed_value(inject, field)
            if value is None:
                continue
            cell = sheet.cell(row=row, column=column, value=value)
            # openpyxl stores any text starting with '=' as a formula: force plain text, so a message
            # such as "=HYPERLINK(...)" stays a message and the workbook never computes anything.
            if cell.data_type == "f":
                cell.data_type = "s"
            # Each styled cell gets a copy of a ready-made style array: setting ``alignment`` and
            # ``number_format`` attribute by attribute hashes the style objects on every cell and
            # took more time than writing the cells themselves.
            styled = styles.get(field) if not isinstance(value, str) else None
            cell._style = copy(styled or wrapped)
    for index, field in enumerate(fields, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTHS.get(field, DEFAULT_WIDTH)
    last = f"{get_column_letter(len(fields))}{len(injects) + 1}"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}"
    _schedule_sheet(workbook, scenario, encoder.labels)
    _add_choice_lists(workbook, sheet, encoder, scenario)
    neutralise_formulas(workbook)  # every sheet, the hidden lists too (persona names are free text)
    return _save_workbook(workbook, title=scenario["exercise"]["title"])


def _style_array(sheet: Worksheet, alignment: Alignment, number_format: str | None = None) -> StyleArray:
    """The style array of a cell with ``alignment`` (and ``number_format``), registered in the workbook."""
    probe = sheet.cell(row=1, column=sheet.max_column + 1)
    probe.alignment = alignment
    if number_format:
        probe.number_format = number_format
    style = copy(probe._style)
    del sheet._cells[(probe.row, probe.column)]
    return style


def _schedule_sheet(workbook: Workbook, scenario: dict[str, Any], labels: Labels) -> None:
    """A second sheet with the reference times every document uses (see studio.exports.schedule)."""
    sheet = workbook.create_sheet(clean_text(labels["schedule_sheet"])[:31])
    schedule = exercise_schedule(scenario)
    rows = [(labels["meta_startex"], schedule.startex, None)]
    for index, session in enumerate(schedule.sessions, start=1):
        rows.append(
            (session.label or labels.format("session_default", number=index), session.start, session.end)
        )
    rows.append((labels["meta_endex"], schedule.endex, None))
    rows.append((labels["meta_hot_debrief"], schedule.hot_debrief.start, schedule.hot_debrief.end))
    for column, header in enumerate((labels["col_moment"], labels["col_start"], labels["col_end"]), start=1):
        sheet.cell(row=1, column=column, value=header).font = Font(bold=True)
    for row, (name, start, end) in enumerate(rows, start=2):
        sheet.cell(row=row, column=1, value=clean_text(name))
        for column, moment in ((2, start), (3, end)):
            if moment is not None:
                cell = sheet.cell(row=row, column=column, value=moment.replace(tzinfo=None))
                cell.number_format = labels["excel_datetime_format"]
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = sheet.column_dimensions["C"].width = 20
    sheet.freeze_panes = "A2"


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
        lists.cell(row=1, column=list_index, value=encoder.labels.enum("field", field))
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


def msel_outputs(
    scenario: dict[str, Any], formats: tuple[str, ...] = ("xlsx", "csv"), *, csv_separator: str | None = None
) -> list[ExportFile]:
    """The MSEL files of ``formats``; ``csv_separator`` overrides the language's CSV separator."""
    stem = safe_filename_part(scenario["id"])
    builders = {"xlsx": msel_xlsx, "csv": lambda data: msel_csv(data, delimiter=csv_separator)}
    return [ExportFile(f"{stem}-msel.{fmt}", builders[fmt](scenario)) for fmt in formats]
