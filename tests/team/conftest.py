"""Fixtures for team mode: a settings file, a team, and people with each role."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The browser helpers shared with the studio's own browser tests (tests/e2e/studio_browser.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))

from team_server import SETTINGS as TEAM_SETTINGS

from studio.team.actions import Team
from studio.team.identity import Actor
from studio.team.settings import load_team_settings

SETTINGS = TEAM_SETTINGS.format(port=8599, provider_port=1)


def person(email: str, *roles: str) -> Actor:
    return Actor(email=email, name=email.split("@")[0].capitalize(), roles=frozenset(roles))


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    path = tmp_path / "team.toml"
    path.write_text(SETTINGS, encoding="utf-8")
    return path


@pytest.fixture
def team(settings_file: Path) -> Team:
    return Team.from_settings(load_team_settings(settings_file))


@pytest.fixture
def designer() -> Actor:
    return person("dana@chu.example.org", "designer")


@pytest.fixture
def reviewer() -> Actor:
    return person("remi@chu.example.org", "reviewer")


@pytest.fixture
def approver() -> Actor:
    return person("alex@ars.example.org", "approver")


@pytest.fixture
def observer() -> Actor:
    return person("olga@prefecture.example.org", "observer")


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $CRISIS_STUDIO_SCREENSHOTS if set, else a temp folder."""
    import os

    chosen = os.environ.get("CRISIS_STUDIO_SCREENSHOTS")
    return Path(chosen) if chosen else tmp_path_factory.mktemp("team-screenshots")
