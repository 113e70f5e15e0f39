"""Fixtures of the studio tests: a small valid scenario, a temporary workspace and library, the app."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import studio.scenario.library
import studio.ui

FIXTURES = Path(__file__).parent / "fixtures"
MINI_SCENARIO: dict[str, Any] = json.loads((FIXTURES / "mini.json").read_text(encoding="utf-8"))
APP_FILE = Path(studio.ui.__file__).parent / "app.py"
APP_TIMEOUT = 30
"""Seconds AppTest waits for one run: generous, since the 2-core CI machine runs tests in parallel."""


@pytest.fixture(autouse=True)
def english_interface(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page tests read English labels; the language tests choose their own (test_ui_language.py)."""
    monkeypatch.setenv("CRISIS_STUDIO_LANGUAGE", "en")


@pytest.fixture
def mini() -> dict[str, Any]:
    """A fresh copy of the small valid scenario (tests may change it)."""
    return copy.deepcopy(MINI_SCENARIO)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary workspace folder, set as CRISIS_STUDIO_WORKSPACE for the studio under test."""
    folder = tmp_path / "workspace"
    folder.mkdir()
    monkeypatch.setenv("CRISIS_STUDIO_WORKSPACE", str(folder))
    return folder


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A library folder holding only the small scenario, as ``mini-ch`` (AppTest runs in-process)."""
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "mini-ch.json").write_text(json.dumps(MINI_SCENARIO, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(studio.scenario.library, "library_dir", lambda: folder)
    return folder


@pytest.fixture
def app(workspace: Path, library: Path) -> AppTest:
    """The studio after its first run, on the default (Scenario) page."""
    at = AppTest.from_file(str(APP_FILE), default_timeout=APP_TIMEOUT)
    at.run()
    assert not at.exception
    return at
