"""Helpers of the hostile-input tests (tests/security, tests/cli, tests/scenario): the generated night
scenario and a CLI run that must never print a traceback."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import pytest

from studio.cli import main

NIGHT = "ch-rancongiciel-nuit"


@cache
def _night_generated() -> dict[str, Any]:
    from studio.injects.generator import generate_msel
    from studio.scenario.library import load_library

    return generate_msel(load_library(NIGHT), seed=0).scenario


def night_generated() -> dict[str, Any]:
    """The night library scenario with its offline MSEL (seed 0); a fresh copy each call."""
    return copy.deepcopy(_night_generated())


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """(exit code, everything printed) of ``crisis-studio *argv``, which never prints a traceback."""
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out + captured.err
