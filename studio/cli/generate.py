"""``crisis-studio generate FILE``: write the MSEL (chronogramme) of a scenario.

The scenario's stored timeline is used, else one run of the propagation engine (then stored in the
output). Injects a person edited, reviewed, approved or rejected are kept as they are. Output goes
to ``-o OUT`` or standard output, as canonical JSON. Exit 0 when the MSEL is lint-clean (warnings
allowed), 1 when the input is invalid or the MSEL has lint errors, 2 when the input is unreadable or
the command is misused (e.g. the openai provider without a key for a remote endpoint).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from studio.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNREADABLE,
    add_accept_offline,
    empty_output,
    llm_problem,
    nothing_assisted,
    print_problems,
    write_scenario_file,
)
from studio.safety import printable


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="generate the injects (MSEL) of a scenario",
        description="Generate the MSEL of a scenario from its timeline. The offline provider needs no key "
        "and no network; openai uses OPENAI_BASE_URL, OPENAI_API_KEY and CRISIS_STUDIO_MODEL.",
    )
    parser.add_argument("file", metavar="FILE", help="scenario JSON file")
    parser.add_argument("--provider", choices=("offline", "openai"), default=None, help="text provider")
    parser.add_argument("--seed", type=int, default=None, help="seed (default: generation.seed or 0)")
    parser.add_argument("-o", "--output", metavar="OUT", help="write the scenario here instead of stdout")
    add_accept_offline(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from studio.cli.common import read_checked
    from studio.config import Settings
    from studio.injects.generator import GenerationError, generate_msel
    from studio.injects.lint import lint_msel
    from studio.scenario.canonical import canonical_bytes
    from studio.scenario.validate import validate_scenario

    if empty_output(args.output):
        return EXIT_UNREADABLE

    settings = Settings()
    provider = args.provider or settings.provider
    if provider not in {"offline", "openai"}:
        print(
            f"error: unknown provider {provider!r} (CRISIS_STUDIO_PROVIDER): offline or openai",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    problem = llm_problem(provider)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.seed is not None and args.seed < 0:
        print("error: --seed must be 0 or more", file=sys.stderr)
        return EXIT_UNREADABLE
    document, code = read_checked(args.file, sys.stderr)
    if document is None:
        return code

    def progress(done: int, total: int, label: str) -> None:
        if provider == "openai":
            print(f"\r{done}/{total} injects", end="", file=sys.stderr, flush=True)

    try:
        result = generate_msel(document, seed=args.seed, provider=provider, progress=progress)
    except GenerationError as exc:
        print(f"error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_INVALID
    if provider == "openai":
        print(file=sys.stderr)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if (
        provider == "openai"
        and not args.accept_offline
        and nothing_assisted(result.scenario, result.generated)
    ):
        return EXIT_INVALID
    invalid = [problem for problem in validate_scenario(result.scenario) if problem.is_error]
    if invalid:
        print_problems(f"{args.file} (generated)", invalid, sys.stderr)
        print(f"{args.file}: the generated scenario is invalid; nothing written", file=sys.stderr)
        return EXIT_INVALID
    if args.output:
        written = write_scenario_file(args.output, result.scenario, sys.stderr)
        if written != EXIT_OK:
            return written
    else:
        sys.stdout.buffer.write(canonical_bytes(result.scenario))
        sys.stdout.flush()
    print(
        f"{args.file}: {len(result.generated)} injects generated, {len(result.kept)} kept, "
        f"{len(result.skipped)} beats skipped",
        file=sys.stderr,
    )
    problems = lint_msel(result.scenario, knowledge=result.knowledge)
    errors = [problem for problem in problems if problem.is_error]
    print_problems(args.output or "<stdout>", errors, sys.stderr)
    return EXIT_INVALID if errors else EXIT_OK
