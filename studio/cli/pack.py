"""``crisis-studio pack FILE -o DIR``: simulate, generate, validate and export in one command."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from studio.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNREADABLE,
    add_accept_offline,
    add_export_options,
    empty_output,
    llm_problem,
    nothing_assisted,
    os_error_words,
    print_problems,
    read_checked,
)
from studio.safety import printable


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pack",
        help="run the whole pipeline and write every export",
        description="Pack the scenario as reviewed: its stored timeline and MSEL are used as they are "
        "(a missing timeline is simulated, a missing MSEL generated; --resimulate and --regenerate redo "
        "them on purpose), the result is validated and linted, then every Word pack, the MSEL (.xlsx, "
        ".csv), the OpenBAS zip and the final scenario JSON are written into DIR. Settings and API keys "
        "are never written. "
        "Exit 0 when written, 1 when the input or the generated scenario is invalid, 2 when the input "
        "cannot be read, a playbook is unknown or DIR cannot be written.",
    )
    parser.add_argument("file", metavar="FILE", help="scenario JSON file")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write into")
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed of the simulation and the generator (default: the scenario's generation.seed, as in "
        "crisis-studio generate and the studio)",
    )
    parser.add_argument("--playbook", default=None, help="defender playbook id (default: the default one)")
    parser.add_argument(
        "--provider", choices=("offline", "openai"), default="offline", help="inject text provider"
    )
    redo = parser.add_mutually_exclusive_group()
    redo.add_argument(
        "--resimulate",
        action="store_true",
        help="simulate the attack again and regenerate the MSEL (protected injects are kept)",
    )
    redo.add_argument(
        "--regenerate", action="store_true", help="regenerate the MSEL from the stored timeline"
    )
    redo.add_argument(
        "--keep-timeline", action="store_true", help="(the default now) pack the stored timeline as it is"
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    add_export_options(parser, toc_pages=False)
    add_accept_offline(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if empty_output(args.output):
        return EXIT_UNREADABLE
    if args.seed is not None and args.seed < 0:
        print("error: --seed must be 0 or more", file=sys.stderr)
        return EXIT_UNREADABLE
    problem = llm_problem(args.provider)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_UNREADABLE
    from studio.scenario.validate import ScenarioValidator

    checker = ScenarioValidator()  # validates the input, then only what the pipeline changes
    scenario, code = read_checked(args.file, sys.stderr, checker)
    if scenario is None:
        return code
    stored = bool(scenario.get("timeline")) and not args.resimulate
    if stored and (args.playbook or (args.seed is not None and not args.regenerate)):
        # Silently ignoring them would pack something else than the user asked for.
        print(
            "error: --playbook and --seed choose a simulation (--seed also a regeneration); this "
            "scenario's timeline is packed as reviewed: add --resimulate (or --regenerate for --seed)",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    from studio.exports.pipeline import PackError, build_pack
    from studio.injects.generator import GenerationError

    try:
        result = build_pack(
            scenario,
            seed=args.seed,
            playbook=args.playbook,
            provider=args.provider,
            resimulate=args.resimulate,
            regenerate=args.regenerate,
            csv_separator=args.csv_separator,
            toc_pages=args.toc_pages,
            checker=checker,
        )
    except PackError as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except GenerationError as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return EXIT_INVALID
    regenerated = args.resimulate or args.regenerate or not scenario.get("injects")
    if args.provider == "openai" and regenerated:
        for note in result.notes:
            print(f"note: {note}", file=sys.stderr)
        generated = [
            i["id"] for i in result.scenario["injects"] if i.get("provenance", {}).get("source") != "manual"
        ]
        if not args.accept_offline and nothing_assisted(result.scenario, generated):
            return EXIT_INVALID
    if not result.ok:
        errors = [problem for problem in result.problems if problem.is_error]
        print_problems(f"{args.file} (generated)", errors, sys.stderr)
        print(f"{args.file}: the generated scenario is invalid; nothing written", file=sys.stderr)
        if args.resimulate and any(problem.rule == "ref.events" for problem in errors):
            # Protected (edited or manual) injects cite events of the scenario's own timeline, which a
            # fresh simulation renumbers.
            print(
                "hint: protected injects cite the previous timeline; pack without --resimulate",
                file=sys.stderr,
            )
        return EXIT_INVALID
    from studio.exports.common import OverwritesInput

    try:
        paths = write_pack(args.output, result.outputs, protect=[args.file])
    except OverwritesInput as exc:
        print(f"error: {printable(str(exc))}; nothing written", file=sys.stderr)
        return EXIT_UNREADABLE
    except OSError as exc:
        print(
            f"error: cannot write to {args.output}: {os_error_words(exc)}; the pack was not written",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    if not args.quiet:
        for note in result.notes if not (args.provider == "openai" and regenerated) else []:
            print(f"note: {note}")
        for path in paths:
            print(path)
        steps = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in result.timings.items())
        print(f"{len(paths)} files from {len(result.scenario['injects'])} injects ({steps})")
    return EXIT_OK


def write_pack(output: str, outputs: list[Any], protect: list[str] | None = None) -> list[Path]:
    """Write every file of the pack into a hidden folder beside ``output``, then move it in place.

    A failure while writing (a full disk, a kill) leaves ``output`` as it was and no partial pack
    that looks complete: the staging folder is removed. A new or empty ``output`` is replaced by one
    rename; into an existing folder (which may hold other files) each file is moved by a rename.
    Nothing is written when a file of the pack would replace one of ``protect`` (the input) or a
    folder is where a file of the pack goes.

    Links are written through, as ``export`` and saves do (docs/decisions.md): an ``output`` that is
    a link to a folder gets the pack in that folder, and a file of the pack whose name is a link
    replaces the file the link points to (atomically, keeping its permissions); the links stay.
    """
    from studio.exports.common import check_output_folder, write_outputs
    from studio.scenario.store import write_atomic

    target = Path(os.path.realpath(output)) if os.path.islink(output) else Path(output)
    check_output_folder(target, [item.filename for item in outputs], protect or [])
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        write_outputs(staging, outputs)
        if target.is_dir() and not any(target.iterdir()):
            target.rmdir()
        if not target.exists():
            os.rename(staging, target)
        else:
            for path in sorted(staging.iterdir()):
                destination = target / path.name
                if destination.is_symlink():
                    write_atomic(destination, path.read_bytes(), new_file_mode=0o644)
                    path.unlink()
                else:
                    os.replace(path, destination)
            staging.rmdir()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [Path(output) / item.filename for item in outputs]
