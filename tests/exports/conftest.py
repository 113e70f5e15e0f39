"""Shared fixtures of the export tests: the golden scenarios and their outputs, built once per session."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.exports.support import LANGUAGES, load_golden


@pytest.fixture(scope="session", params=LANGUAGES)
def golden(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load_golden(request.param)


@pytest.fixture(scope="session")
def golden_fr() -> dict[str, Any]:
    return load_golden("fr")


@pytest.fixture(scope="session")
def docx_by_language() -> dict[str, dict[str, bytes]]:
    """Every Word pack of each golden scenario, by language then file name."""
    from studio.exports.docx import docx_outputs

    return {language: dict(docx_outputs(load_golden(language))) for language in LANGUAGES}


@pytest.fixture()
def scenario_copy(golden_fr: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy of the French golden scenario that a test may change."""
    return copy.deepcopy(golden_fr)
