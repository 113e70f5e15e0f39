"""``crisis-studio validate FILE...``: check scenarios against the schema and the semantic rules."""

from __future__ import annotations

import argparse
from typing import Any

from studio.cli.common import EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE, dump_json, print_problems, problems_json
from studio.safety import printable


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check scenario files",
        description="Check scenario files. Exit 0 when all are valid (warnings allowed), 1 when one is "
        "invalid, 2 when one cannot be read or parsed.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="scenario JSON files")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--errors-only", action="store_true", help="do not list warnings")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from studio.scenario.document import ScenarioReadError, load_scenario
    from studio.scenario.problems import has_errors
    from studio.scenario.validate import check_document

    exit_code = EXIT_OK
    report = []
    for path in args.files:
        try:
            _, problems = check_document(load_scenario(path))
        except ScenarioReadError as exc:
            exit_code = EXIT_UNREADABLE
            report.append(
                {"file": path, "readable": False, "valid": False, "error": str(exc), "problems": []}
            )
            if args.format == "text":
                print(f"error: {printable(str(exc))}")
            continue
        if args.errors_only:
            problems = [problem for problem in problems if problem.is_error]
        valid = not has_errors(problems)
        if not valid and exit_code == EXIT_OK:
            exit_code = EXIT_INVALID
        report.append({"file": path, "readable": True, "valid": valid, "problems": problems_json(problems)})
        if args.format == "text":
            print_problems(path, problems)
            errors = sum(problem.is_error for problem in problems)
            status = "valid" if valid else "INVALID"
            print(f"{path}: {status} ({errors} errors, {len(problems) - errors} warnings)")
    if args.format == "json":
        dump_json({"files": report, "valid": exit_code == EXIT_OK})
    return exit_code
