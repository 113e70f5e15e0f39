"""``crisis-studio``: the command-line shell over the library.

Each sub-command lives in its own module of this package with a ``register(subparsers)`` function
that adds its parser and sets ``handler``; a handler returns the process exit code. Modules import
their heavy dependencies inside the handler so that ``crisis-studio --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from studio import __version__

COMMAND_MODULES = ("validate", "simulate", "generate", "lint", "export", "pack", "ui", "import_msel")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crisis-studio",
        description="Draft, simulate, review and ship cyber-crisis exercises for hospitals.",
    )
    parser.add_argument("--version", action="version", version=f"crisis-studio {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"studio.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
