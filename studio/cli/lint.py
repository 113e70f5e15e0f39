"""``crisis-studio lint FILE``: check the MSEL of a scenario (see studio.injects.lint for the rules).

Exit 0 when there is no error (warnings allowed), 1 when the scenario is invalid or its MSEL has
errors, 2 when the file cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from studio.cli.common import EXIT_INVALID, EXIT_OK, dump_json, print_problems, problems_json


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="check the injects (MSEL) of a scenario",
        description="Check objective coverage, cell overload, dangling references, injects before their "
        "cause, missing expected actions and control-only text leaking to players.",
    )
    parser.add_argument("file", metavar="FILE", help="scenario JSON file")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--errors-only", action="store_true", help="do not list warnings")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from studio.cli.common import read_checked
    from studio.injects.lint import lint_msel

    out = sys.stdout
    document, code = read_checked(args.file, sys.stderr)
    if document is None:
        return code
    problems = lint_msel(document)
    if args.errors_only:
        problems = [problem for problem in problems if problem.is_error]
    errors = sum(problem.is_error for problem in problems)
    if args.format == "json":
        dump_json({"file": args.file, "clean": errors == 0, "problems": problems_json(problems)}, out)
    else:
        print_problems(args.file, problems, out)
        print(f"{args.file}: {errors} errors, {len(problems) - errors} warnings")
    return EXIT_INVALID if errors else EXIT_OK
