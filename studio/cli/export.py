"""``crisis-studio export FILE --to docx|xlsx|csv|openbas -o DIR``: write a scenario's exports."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from studio.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNREADABLE,
    add_export_options,
    empty_output,
    os_error_words,
    read_checked,
)
from studio.safety import printable

TARGETS = ("docx", "xlsx", "csv", "openbas", "all")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write Word packs, MSEL spreadsheets or the OpenBAS zip of a scenario",
        description="Export a valid scenario. docx writes every Word pack (one player pack per player "
        "cell, all players, animation, evaluators, after the exercise); xlsx and csv write the MSEL; "
        "openbas writes a zip for OpenBAS/OpenAEV's scenario import. Exit 0 when written, 1 when the "
        "scenario is invalid, 2 when it cannot be read or the output folder cannot be written.",
    )
    parser.add_argument("file", metavar="FILE", help="scenario JSON file")
    parser.add_argument(
        "--to", dest="targets", action="append", choices=TARGETS, required=True,
        help="output format; repeat for several, 'all' for every format",
    )  # fmt: skip
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write into")
    add_export_options(parser, toc_pages=True)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if empty_output(args.output):
        return EXIT_UNREADABLE
    scenario, code = read_checked(args.file, sys.stderr)
    if scenario is None:
        return code
    return write_exports(
        scenario,
        args.output,
        args.targets,
        csv_separator=args.csv_separator,
        toc_pages=args.toc_pages,
        source=args.file,
    )


def write_exports(
    scenario: dict[str, Any],
    output: str,
    targets: list[str],
    *,
    csv_separator: str | None = None,
    toc_pages: bool = False,
    source: str | None = None,
) -> int:
    """Export ``scenario`` to ``output`` and print the files written; never over the ``source`` file."""
    from studio.exports import FORMATS, export_to_directory
    from studio.exports.common import OverwritesInput
    from studio.scenario.store import SecretInDocument

    formats = FORMATS if "all" in targets else tuple(targets)
    try:
        paths = export_to_directory(
            scenario,
            output,
            formats,
            csv_separator=csv_separator,
            toc_pages=toc_pages,
            protect=[source] if source else [],
        )
    except SecretInDocument as exc:  # every export is made from the scenario: refused as a whole
        print(f"error: {printable(str(exc))}; nothing exported", file=sys.stderr)
        return EXIT_INVALID
    except OverwritesInput as exc:
        print(f"error: {printable(str(exc))}; nothing written", file=sys.stderr)
        return EXIT_UNREADABLE
    except OSError as exc:
        print(f"error: cannot write to {output}: {os_error_words(exc)}", file=sys.stderr)
        return EXIT_UNREADABLE
    for path in paths:
        print(path)
    return EXIT_OK
