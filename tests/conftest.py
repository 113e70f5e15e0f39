"""Fixtures shared by the whole suite."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
_MINIMAL = json.loads((TESTS_DIR / "scenario" / "minimal.json").read_text(encoding="utf-8"))


@pytest.fixture
def minimal_scenario() -> dict[str, Any]:
    """A small, complete, valid French scenario (a fresh copy for each test)."""
    return copy.deepcopy(_MINIMAL)


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test away from the user's workspace, cache and any real LLM endpoint or key."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CRISIS_STUDIO_WORKSPACE", str(home / "workspace"))
    monkeypatch.setenv("CRISIS_STUDIO_CACHE", str(home / "cache"))
    for variable in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CRISIS_STUDIO_PROVIDER"):
        monkeypatch.delenv(variable, raising=False)
