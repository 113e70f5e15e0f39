"""MSEL import from .xlsx or .csv: designers' existing chronogrammes become schema-valid injects.

How a sheet is read:
- The first non-empty row holds the headers. A header is matched to an inject field by the explicit
  ``mapping`` (header text -> field name) first, then by field name, by its label in French or
  English, or by a known alias ("Stimuli", "Émetteur", "Sender"...; labels/*.json ``column_aliases``).
  Unmatched columns are reported in ``ignored_columns`` and otherwise left alone.
- Times are relative to STARTEX: ``T+01:30``, ``J+1 H+2``, ``D+1``, ``J+1 T+02:00``, ``H+2 M+30``,
  ``01:30``, ISO-8601 (``PT1H30M``), an Excel time or duration cell, or a bare number of minutes.
- ``from`` takes a persona id or name, ``to``/``cc`` cell ids or names (one per line, or separated by
  ';' or ','); names match without regard to case or accents.
- Missing ``id`` -> ``msel-<row>``; missing ``status`` -> draft; missing ``provenance`` -> import;
  missing ``category`` -> from the sender's persona kind; missing ``channel`` -> the sender's first
  channel; missing ``title`` -> the start of the message.
- Each inject is checked against ``$defs/inject`` of the schema and against the scenario (known
  personas, cells, objectives; ids unique in the sheet).

Every problem is reported with its spreadsheet row (1 = header row) and column. When any row has an
error nothing is imported, unless ``accept_partial`` is set: then the rows without errors are.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jsonschema
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from studio.durations import format_minutes, parse_minutes
from studio.exports.common import available_languages, clean_text, labels_for
from studio.exports.msel.columns import (
    CELL_FIELDS,
    ENUM_LABEL_TABLES,
    PERSONA_FIELDS,
    column_kinds,
    enum_values,
)
from studio.safety import printable, unquote_spreadsheet_text
from studio.scenario.document import UniqueKeys, first_unrepresentable, too_many_digits
from studio.scenario.schema import load_schema, validator

MAX_IMPORT_ROWS = 20000
"""More rows than this is not a chronogramme; refusing early keeps a bad upload from hogging memory."""
MAX_IMPORT_BYTES = 16 * 1024 * 1024
"""Size of the uploaded file itself: a 20,000-row MSEL is a few megabytes."""
MAX_XLSX_UNCOMPRESSED = 128 * 1024 * 1024
"""Sum of the sizes of an .xlsx's parts once unzipped (a small zip can expand to gigabytes)."""
MAX_XLSX_PARTS = 2000
MAX_IMPORT_COLUMNS = 200
MAX_FIELD_CHARS = 100_001
"""The schema's longest text (100,000 characters) plus the quote the CSV export puts before formulas."""
MAX_TIME_MINUTES = 3660 * 1440
"""Ten years, the longest duration a scenario accepts (studio.scenario.rules_bounds)."""
TITLE_FROM_MESSAGE = 80
# A sender's persona kind gives the inject category when the sheet has none.
CATEGORY_BY_PERSONA_KIND = {
    "authority": "authority", "care_network": "care_network", "attacker": "attacker", "media": "media",
    "public": "public", "supplier": "supplier", "staff": "staff", "technical": "technical_alert",
}  # fmt: skip

_TIME_TOKEN = re.compile(r"([DJHTM])\s*\+\s*(\d+(?:[.,]\d+)?)(?::(\d{1,2}))?(?::(\d{1,2}))?", re.IGNORECASE)
_CLOCK = re.compile(r"^\+?(\d+):(\d{2})(?::(\d{2}))?$")


class MselReadError(Exception):
    """The file is not a readable .xlsx or .csv table."""


@dataclass(frozen=True, order=True)
class ImportIssue:
    """One problem of the import, at a spreadsheet row (1 is the header row) and column."""

    row: int
    column_index: int
    column: str
    message: str

    @property
    def column_letter(self) -> str:
        return get_column_letter(self.column_index) if self.column_index > 0 else ""

    def __str__(self) -> str:
        where = f"row {self.row}"
        if self.column:
            where += f", column {self.column_letter} ({self.column})"
        return printable(f"{where}: {self.message}")  # headers and cells are the sheet's text


@dataclass
class MselImport:
    """What an import produced. ``injects`` is empty when there were errors and no partial import."""

    injects: list[dict[str, Any]]
    issues: list[ImportIssue]
    rows_read: int
    rows_rejected: int
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


# ------------------------------------------------------------------------------------------ reading


def read_table(data: bytes, filename: str) -> list[list[object]]:
    """Rows of the first sheet of an .xlsx, or of a .csv (UTF-8, UTF-16 or Windows-1252; ',', ';' or tab)."""
    suffix = filename.rsplit(".", 1)[-1].lower()
    if len(data) > MAX_IMPORT_BYTES:
        raise MselReadError(f"{filename}: {len(data):,} bytes is over the {MAX_IMPORT_BYTES:,}-byte limit")
    if suffix == "xlsx":
        _check_xlsx_parts(data, filename)
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise MselReadError(
                f"{filename}: not a readable .xlsx workbook ({exc.__class__.__name__})"
            ) from None
        try:
            return _xlsx_rows(workbook, filename)
        except MselReadError:
            raise
        except Exception as exc:  # the sheet's XML is parsed lazily, row by row
            raise MselReadError(
                f"{filename}: the first sheet is damaged ({exc.__class__.__name__})"
            ) from None
        finally:
            workbook.close()
    if suffix in ("csv", "txt"):
        text = _csv_text(data, filename)
        sample = text[:4096]
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        # Only the separator is taken from the sniffer: it reports doublequote=False when the sample
        # holds no doubled quote, which would split every later cell that contains one.
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter)
        rows: list[list[object]] = []
        try:
            for row in reader:
                rows.append([unquote_spreadsheet_text(value) for value in row])
                if len(rows) > MAX_IMPORT_ROWS:
                    raise MselReadError(f"{filename}: more than {MAX_IMPORT_ROWS} rows")
        except csv.Error as exc:  # e.g. a field over the csv module's 128 KiB limit
            raise MselReadError(f"{filename}: line {reader.line_num}: {exc}") from None
        _check_row_shapes(rows, filename)
        return rows
    raise MselReadError(f"{filename}: expected a .xlsx or .csv file")


def _csv_text(data: bytes, filename: str) -> str:
    """The text of a CSV file: UTF-16 when it starts with a byte order mark (Excel's "Unicode
    text" export), else UTF-8, else Windows-1252 (Excel's CSV on a French Windows)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")  # the mark says which byte order, and is dropped
        except UnicodeDecodeError as exc:
            raise MselReadError(
                f"{filename}: not UTF-16 text after its byte order mark (byte {exc.start})"
            ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _check_xlsx_parts(data: bytes, filename: str) -> None:
    """Refuse an .xlsx whose parts would unzip past :data:`MAX_XLSX_UNCOMPRESSED` or that declares
    XML entities, before openpyxl parses anything. Sizes are counted while decompressing, not
    taken from the zip's (forgeable) headers."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise MselReadError(f"{filename}: not a readable .xlsx workbook (not a zip archive)") from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_XLSX_PARTS:
            raise MselReadError(f"{filename}: {len(parts)} parts in the workbook, more than {MAX_XLSX_PARTS}")
        total = 0
        for part in parts:
            tail = b""
            try:
                with archive.open(part) as stream:
                    while chunk := stream.read(1 << 16):
                        total += len(chunk)
                        if total > MAX_XLSX_UNCOMPRESSED:
                            raise MselReadError(
                                f"{filename}: the workbook unzips to more than "
                                f"{MAX_XLSX_UNCOMPRESSED // (1024 * 1024)} MiB"
                            )
                        window = (tail + chunk).upper()
                        if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                            raise MselReadError(f"{filename}: {part.filename} declares XML entities; refused")
                        tail = chunk[-16:]
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
                raise MselReadError(f"{filename}: damaged workbook part {part.filename} ({exc})") from None


def _xlsx_rows(workbook: Any, filename: str) -> list[list[object]]:
    # A hidden sheet (a template's lists for drop-downs, say) is not the one the designer sees first.
    visible = [
        sheet for sheet in workbook.worksheets if getattr(sheet, "sheet_state", "visible") == "visible"
    ]
    sheet = (visible or workbook.worksheets)[0]
    rows: list[list[object]] = []
    # max_col bounds each row: a sheet may declare the dimension A1:XFD1048576.
    for row in sheet.iter_rows(values_only=True, max_col=MAX_IMPORT_COLUMNS + 1):
        rows.append(list(row))
        if len(rows) > MAX_IMPORT_ROWS:
            raise MselReadError(f"{filename}: more than {MAX_IMPORT_ROWS} rows")
    _check_row_shapes(rows, filename)
    return rows


def _check_row_shapes(rows: list[list[object]], filename: str) -> None:
    """Refuse rows wider than :data:`MAX_IMPORT_COLUMNS` and cells over :data:`MAX_FIELD_CHARS`."""
    for number, row in enumerate(rows, start=1):
        if len(row) > MAX_IMPORT_COLUMNS and any(
            value not in (None, "") for value in row[MAX_IMPORT_COLUMNS:]
        ):
            raise MselReadError(f"{filename}: row {number} has more than {MAX_IMPORT_COLUMNS} columns")
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
                raise MselReadError(
                    f"{filename}: row {number}, column {get_column_letter(column)}: "
                    f"{len(value):,} characters, over the {MAX_FIELD_CHARS:,}-character cell limit"
                )


def _fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key for matching headers and names."""
    decomposed = unicodedata.normalize("NFKD", str(text)).casefold()
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9+#]+", " ", letters).strip()


def header_index() -> dict[str, str]:
    """Folded header text -> inject field: field names, labels and aliases of every language."""
    index: dict[str, str] = {}
    for language in available_languages():
        labels = labels_for(language)
        for name in column_kinds():
            index.setdefault(_fold(labels.enum("field", name)), name)
        for name, aliases in labels.tables.get("column_aliases", {}).items():
            for alias in aliases:
                index.setdefault(_fold(alias), name)
    for name in column_kinds():  # raw field names win over any label
        index[_fold(name)] = name
    return index


def parse_relative_time(value: object) -> float:
    """Minutes from STARTEX of a time cell (see the module docstring); ValueError if unreadable or
    beyond :data:`MAX_TIME_MINUTES`."""
    minutes = _relative_minutes(value)
    if not 0 <= minutes <= MAX_TIME_MINUTES:  # also false for NaN
        raise ValueError(f"time out of range: {str(value)[:40]!r} (at most ten years after STARTEX)")
    return minutes


def _relative_minutes(value: object) -> float:
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 60
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute + value.second / 60
    if isinstance(value, bool):
        raise ValueError("not a time")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("negative time")
        return float(value)
    text = str(value).strip().upper()
    if not text:
        raise ValueError("empty time")
    if text.startswith("P"):
        return parse_minutes(text)
    clock = _CLOCK.match(text)
    if clock:
        return int(clock[1]) * 60 + int(clock[2]) + int(clock[3] or 0) / 60
    minutes, position = 0.0, 0
    for token in _TIME_TOKEN.finditer(text):
        if text[position : token.start()].strip(" ,"):
            raise ValueError(f"cannot read {text[position : token.start()].strip()!r}")
        unit, number = token[1], float(token[2].replace(",", "."))
        if unit in "DJ":
            minutes += number * 1440
        elif unit in "HT":
            minutes += number * 60 + int(token[3] or 0) + int(token[4] or 0) / 60
        else:
            minutes += number
        position = token.end()
    if position == 0 or text[position:].strip(" ,"):
        raise ValueError(f"not a relative time: {value!r} (expected T+01:30, J+1 H+2, D+1...)")
    return minutes


# ------------------------------------------------------------------------------------------ import


class _Resolver:
    """Maps names or ids found in cells to ids of the scenario."""

    def __init__(self, items: list[dict[str, Any]], *name_keys: str) -> None:
        self.ids = {item["id"] for item in items}
        self.by_name: dict[str, set[str]] = {}
        for item in items:
            for key in name_keys:
                if item.get(key):
                    self.by_name.setdefault(_fold(item[key]), set()).add(item["id"])

    def resolve(self, text: str) -> str:
        if text in self.ids:
            return text
        found = self.by_name.get(_fold(text), set())
        if len(found) == 1:
            return next(iter(found))
        raise ValueError("matches several" if found else "unknown")


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[\n;]", text) if part.strip()]


def _inject_validator() -> jsonschema.protocols.Validator:
    """A validator for one inject (``$defs/inject``) with the scenario schema's format checks."""
    base = validator()
    schema = {"$defs": load_schema()["$defs"], "$ref": "#/$defs/inject"}
    return type(base)(schema, format_checker=base.format_checker)


class _RowReader:
    def __init__(self, scenario: dict[str, Any]) -> None:
        self.scenario = scenario
        self.kinds = column_kinds()
        self.personas = _Resolver(scenario.get("personas", []), "name")
        self.cells = _Resolver(scenario.get("cells", []), "name")
        self.objectives = _Resolver(scenario.get("objectives", []), "title")
        self.persona_by_id = {p["id"]: p for p in scenario.get("personas", [])}
        labels = [labels_for(language) for language in available_languages()]
        self.true_words = {_fold(w) for lab in labels for w in lab.tables["true_words"]}
        self.false_words = {_fold(w) for lab in labels for w in lab.tables["false_words"]}
        self.enum_lookup: dict[str, dict[str, str]] = {}
        for name, label_table in ENUM_LABEL_TABLES.items():
            lookup = {}
            for value in enum_values(name):
                lookup[_fold(value)] = value
                for lab in labels:
                    lookup.setdefault(_fold(lab.enum(label_table, value)), value)
            self.enum_lookup[name] = lookup
        self.start_tz = dt.datetime.fromisoformat(scenario["exercise"]["time_model"]["scenario_start"]).tzinfo

    def decode(self, field_name: str, raw: object) -> object:
        """The JSON value of one cell for ``field_name``; ValueError with a message when unreadable."""
        kind = self.kinds[field_name]
        if kind == "clock":
            return format_minutes(parse_relative_time(raw))
        if field_name == "scenario_time" and isinstance(raw, dt.datetime):
            return (raw if raw.tzinfo else raw.replace(tzinfo=self.start_tz)).isoformat()
        text = _cell_text(raw)
        if field_name in PERSONA_FIELDS:
            return self._resolve(self.personas, text, "persona")
        if field_name in CELL_FIELDS:
            return [self._resolve(self.cells, part, "cell") for part in _split_names(text, self.cells)]
        if field_name == "objective_ids":
            return [self._resolve(self.objectives, part, "objective") for part in _split_list(text)]
        if kind == "bool":
            folded = _fold(text)
            if folded in self.true_words:
                return True
            if folded in self.false_words:
                return False
            raise ValueError(f"expected yes or no, found {text!r}")
        if kind in ("ids", "texts"):
            return (
                _split_list(text)
                if kind == "ids"
                else [line.strip() for line in text.split("\n") if line.strip()]
            )
        if kind == "json":
            unique_keys = UniqueKeys()
            try:
                value = json.loads(text, parse_constant=_no_constant, object_pairs_hook=unique_keys.hook)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not valid JSON: {exc.msg}") from None
            except RecursionError:
                raise ValueError("JSON nested too deeply") from None
            except ValueError as exc:  # an integer past Python's conversion limit, or NaN
                raise ValueError(f"not usable JSON: {too_many_digits(text) or exc}") from None
            duplicate = unique_keys.problem(value)
            if duplicate is not None:
                raise ValueError(f"{duplicate}: remove or rename one of them")
            problem = first_unrepresentable(value)
            if problem is not None:
                raise ValueError(f"not usable JSON: {problem}")
            return value
        if field_name in self.enum_lookup:
            value = self.enum_lookup[field_name].get(_fold(text))
            if value is None:
                raise ValueError(f"{text!r} is not one of {', '.join(enum_values(field_name))}")
            return value
        return text

    @staticmethod
    def _resolve(resolver: _Resolver, text: str, what: str) -> str:
        try:
            return resolver.resolve(text)
        except ValueError as exc:
            raise ValueError(f"{what} {text!r}: {exc} (give its id or exact name)") from None

    def fill_defaults(self, inject: dict[str, Any], row: int) -> None:
        inject.setdefault("id", f"msel-{row}")
        inject.setdefault("status", "draft")
        inject.setdefault("provenance", {"source": "import"})
        sender = self.persona_by_id.get(inject.get("from", ""), {})
        if "category" not in inject and sender.get("kind") in CATEGORY_BY_PERSONA_KIND:
            inject["category"] = CATEGORY_BY_PERSONA_KIND[sender["kind"]]
        if "channel" not in inject and sender.get("channels"):
            inject["channel"] = sender["channels"][0]
        if "title" not in inject and inject.get("message"):
            first_line = inject["message"].strip().split("\n", 1)[0]
            inject["title"] = first_line[:TITLE_FROM_MESSAGE].strip() or inject["id"]


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _cell_text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, dt.datetime):
        return raw.isoformat()
    return clean_text(raw).replace("\r\n", "\n").strip()


def _split_names(text: str, resolver: _Resolver) -> list[str]:
    """Split a recipients cell; a part that is no known name is tried again split on commas."""
    parts = []
    for part in _split_list(text):
        try:
            resolver.resolve(part)
            parts.append(part)
        except ValueError:
            parts.extend(piece.strip() for piece in part.split(",") if piece.strip())
    return parts


def import_msel(
    data: bytes,
    filename: str,
    scenario: dict[str, Any],
    *,
    mapping: dict[str, str] | None = None,
    accept_partial: bool = False,
) -> MselImport:
    """Read an MSEL spreadsheet into injects for ``scenario`` (see the module docstring).

    Raises MselReadError when the file is not a table at all; every other problem is an ImportIssue.
    """
    table = read_table(data, filename)
    while table and not any(_cell_text(value) for value in table[0]):
        table.pop(0)
    if not table:
        return MselImport([], [ImportIssue(1, 0, "", "the sheet is empty")], 0, 0)
    header_offset = 1  # spreadsheet rows are 1-based; leading blank rows were dropped above
    headers = [_cell_text(value) for value in table[0]]
    known = header_index()
    mapping = {_fold(header): name for header, name in (mapping or {}).items()}
    issues: list[ImportIssue] = []
    columns: dict[int, str] = {}
    ignored = []
    for index, header in enumerate(headers):
        target = mapping.get(_fold(header)) or known.get(_fold(header))
        if not header:
            continue
        if target is None or target not in column_kinds():
            ignored.append(header)
        elif target in columns.values():
            issues.append(ImportIssue(1, index + 1, header, f"a second column for field {target!r}"))
        else:
            columns[index] = target
    field_columns = {name: index for index, name in columns.items()}
    for required in ("offset", "from", "to", "message"):
        if required not in field_columns:
            issues.append(ImportIssue(1, 0, "", f"no column for {required!r}: add one or map a header to it"))
    if issues:
        return MselImport([], issues, 0, 0, ignored)

    reader = _RowReader(scenario)
    check = _inject_validator()
    injects: list[tuple[int, dict[str, Any]]] = []
    bad_rows: set[int] = set()
    seen_ids: dict[str, int] = {}

    def report(row: int, field_name: str | None, message: str) -> None:
        index = field_columns.get(field_name, -1) if field_name else -1
        issues.append(ImportIssue(row, index + 1, headers[index] if index >= 0 else "", message))
        bad_rows.add(row)

    for offset, values in enumerate(table[1:], start=1):
        row = header_offset + offset
        if not any(_cell_text(value) for value in values):
            continue
        inject: dict[str, Any] = {}
        told: set[str] = set()  # fields already reported: no second "missing" complaint for them
        for index, field_name in columns.items():
            raw = values[index] if index < len(values) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            try:
                inject[field_name] = reader.decode(field_name, raw)
            except ValueError as exc:
                report(row, field_name, str(exc))
                told.add(field_name)
        reader.fill_defaults(inject, row)
        for error in check.iter_errors(inject):
            if error.validator == "required":
                # The schema requires some fields in more than one place: each is said once.
                missing = [name for name in error.validator_value if name not in inject and name not in told]
                for name in missing:
                    report(row, name, f"{name!r} is missing and cannot be derived")
                    told.add(name)
            else:
                field_name = str(error.absolute_path[0]) if error.absolute_path else None
                report(row, field_name, error.message[:300])
        if inject.get("id") in seen_ids:
            report(row, "id", f"id {inject['id']!r} already used on row {seen_ids[inject['id']]}")
        seen_ids.setdefault(inject.get("id", ""), row)
        injects.append((row, inject))

    known_injects = {inject["id"] for inject in scenario.get("injects", [])} | set(seen_ids)
    for row, inject in injects:
        if inject.get("contingency_for") and inject["contingency_for"] not in known_injects:
            report(
                row,
                "contingency_for",
                f"no inject {inject['contingency_for']!r} in the sheet or the scenario",
            )

    _scenario_checks(scenario, [(row, inject) for row, inject in injects if row not in bad_rows], report)

    rows_read = len(injects)
    keep = not issues or accept_partial
    accepted = [inject for row, inject in injects if row not in bad_rows] if keep else []
    return MselImport(accepted, sorted(issues), rows_read, len(bad_rows), ignored)


Reporter = Callable[[int, str | None, str], None]
"""report(row, field or None, message): records an ImportIssue at that row and the field's column."""


def _scenario_checks(
    scenario: dict[str, Any], injects: list[tuple[int, dict[str, Any]]], report: Reporter
) -> None:
    """Run the scenario's semantic rules on the merged result and report inject errors at their row.

    This catches what one row cannot show: an inject after ENDEX, a reference to an unknown system...
    """
    from studio.scenario.validate import validate_scenario

    if not injects:
        return
    merged = merge_injects(scenario, [inject for _, inject in injects])
    row_of_position = {}
    rows_by_id = {inject["id"]: row for row, inject in injects}
    for position, inject in enumerate(merged["injects"]):
        if inject["id"] in rows_by_id:
            row_of_position[position] = rows_by_id[inject["id"]]
    for problem in validate_scenario(merged):
        parts = problem.path.split("/")
        if not problem.is_error or len(parts) < 3 or parts[1] != "injects" or not parts[2].isdigit():
            continue
        row = row_of_position.get(int(parts[2]))
        if row is not None:
            report(row, parts[3] if len(parts) > 3 else None, problem.message)


def merge_injects(scenario: dict[str, Any], injects: list[dict[str, Any]]) -> dict[str, Any]:
    """A copy of ``scenario`` whose injects with the same id are replaced and new ones appended."""
    incoming = {inject["id"]: inject for inject in injects}
    merged = [incoming.pop(inject["id"], inject) for inject in scenario.get("injects", [])]
    merged += [inject for inject in injects if inject["id"] in incoming]
    return {**scenario, "injects": merged}
