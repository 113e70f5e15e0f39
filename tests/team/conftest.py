"""Fixtures for team mode: a settings file, a team, and people with each role."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.team.actions import Team
from studio.team.identity import Actor
from studio.team.settings import load_team_settings

SETTINGS = """
workspace = "workspace"

[server]
port = 8599

[oidc]
server_metadata_url = "http://127.0.0.1:1/.well-known/openid-configuration"
client_id = "crisis-studio"

[roles]
designer = ["dana@chu.example.org"]
reviewer = ["group:reviewers"]
approver = ["alex@ars.example.org"]
observer = ["*@prefecture.example.org"]
"""


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
