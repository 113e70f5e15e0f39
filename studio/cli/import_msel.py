"""``crisis-studio import-msel FILE SPREADSHEET -o OUT``: bring a designer's MSEL sheet into a scenario.

Reads the rows of an .xlsx or .csv chronogramme (``studio.exports.msel.import_msel``), merges them
into the scenario's injects (same id replaced, others appended) and writes the result as canonical
JSON. Every problem is printed as ``row R, column C (header): message``. When any row has an error
nothing is written, unless ``--accept-partial``: then the rows without errors are imported.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from studio.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNREADABLE,
    empty_output,
    print_problems,
    read_checked,
    write_scenario_file,
)
from studio.safety import printable


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import-msel",
        help="import the injects of an MSEL spreadsheet (.xlsx or .csv) into a scenario",
        description="Read an MSEL spreadsheet (first sheet of an .xlsx, or a .csv), turn its rows into "
        "injects of the scenario (times relative to STARTEX such as T+01:30, J+1 H+2 or D+1; senders and "
        "recipients by id or name), merge them (an inject with the same id is replaced) and write the "
        "scenario to OUT. Problems are reported by row and column. Exit 0 when written; 1 when the "
        "scenario or a row is invalid (nothing written, unless --accept-partial); 2 when a file cannot "
        "be read or OUT cannot be written.",
    )
    parser.add_argument("file", metavar="FILE", help="scenario JSON file")
    parser.add_argument("spreadsheet", metavar="SPREADSHEET", help="MSEL spreadsheet (.xlsx or .csv)")
    parser.add_argument(
        "--map", dest="mapping", action="append", default=[], metavar="COLUMN=FIELD",
        help="read the column headed COLUMN as the inject field FIELD (e.g. 'Quand=offset'); repeat "
        "for several columns",
    )  # fmt: skip
    parser.add_argument(
        "--accept-partial",
        action="store_true",
        help="when some rows have errors, import the other rows instead of nothing",
    )
    parser.add_argument("-o", "--output", required=True, metavar="OUT", help="scenario JSON file to write")
    parser.set_defaults(handler=run)


def parse_mapping(items: list[str]) -> dict[str, str]:
    """``["Quand=offset", ...]`` -> ``{"Quand": "offset"}``; ValueError naming a bad item or field.

    The last ``=`` separates the field, so a header may itself contain ``=``.
    """
    from studio.exports.msel.columns import column_kinds

    fields = column_kinds()
    mapping: dict[str, str] = {}
    for item in items:
        column, separator, field_name = item.rpartition("=")
        column, field_name = column.strip(), field_name.strip()
        if not separator or not column:
            raise ValueError(f"--map {item!r}: expected COLUMN=FIELD")
        if field_name not in fields:
            raise ValueError(f"--map {item!r}: {field_name!r} is not an inject field ({', '.join(fields)})")
        mapping[column] = field_name
    return mapping


def run(args: argparse.Namespace) -> int:
    from studio.exports.msel import MselReadError, import_msel, merge_injects
    from studio.exports.msel.importer import MAX_IMPORT_BYTES
    from studio.scenario.document import read_regular_file
    from studio.scenario.validate import errors_only, validate_scenario

    if empty_output(args.output):
        return EXIT_UNREADABLE
    try:
        mapping = parse_mapping(args.mapping)
    except ValueError as exc:
        print(f"error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_UNREADABLE
    scenario, code = read_checked(args.file, sys.stderr)
    if scenario is None:
        return code
    sheet = Path(args.spreadsheet)
    if sheet.exists() and Path(args.output).exists() and os.path.samefile(sheet, args.output):
        print(
            f"error: {args.output} is the spreadsheet being imported: writing the scenario there would "
            "replace the sheet; nothing written (write to the scenario file or a new one)",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    try:
        data = read_regular_file(sheet, MAX_IMPORT_BYTES)
        result = import_msel(data, sheet.name, scenario, mapping=mapping, accept_partial=args.accept_partial)
    except OSError as exc:
        print(f"error: cannot read {sheet}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except ValueError as exc:  # not a regular file, or too large
        print(f"error: {sheet}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except MselReadError as exc:
        print(f"error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_UNREADABLE

    if result.ignored_columns:
        print(
            f"note: {sheet}: columns ignored (no inject field; use --map COLUMN=FIELD): "
            + ", ".join(result.ignored_columns),
            file=sys.stderr,
        )
    for issue in result.issues:
        print(f"{sheet}: {issue}", file=sys.stderr)
    if result.issues and not (args.accept_partial and result.injects):
        if args.accept_partial:
            print(f"{sheet}: no row without errors; nothing written", file=sys.stderr)
        else:
            rows = f"{result.rows_rejected} of {result.rows_read} rows" if result.rows_read else "the sheet"
            print(
                f"{sheet}: {rows} with errors; nothing written (fix them, or --accept-partial to import "
                "the valid rows only)",
                file=sys.stderr,
            )
        return EXIT_INVALID

    merged = merge_injects(scenario, result.injects)
    errors = errors_only(validate_scenario(merged))
    if errors:  # the importer checks the rows; this guards the whole scenario before writing it
        print_problems(f"{args.file} (merged)", errors, sys.stderr)
        print(f"{args.file}: the merged scenario is invalid; nothing written", file=sys.stderr)
        return EXIT_INVALID
    written = write_scenario_file(args.output, merged, sys.stderr)
    if written != EXIT_OK:
        return written

    existing = {inject["id"] for inject in scenario.get("injects", [])}
    replaced = sum(inject["id"] in existing for inject in result.injects)
    summary = (
        f"{args.output}: {len(result.injects)} injects imported from {sheet} "
        f"({len(result.injects) - replaced} new, {replaced} replaced)"
    )
    if result.rows_rejected:
        summary += f"; {result.rows_rejected} rows rejected"
    print(summary)
    return EXIT_OK
