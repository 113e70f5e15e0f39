"""Team mode in AppTest (in-process, fast): the sign-in screen, and a refused table edit undone at once."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import studio.ui
from studio.team import actions
from studio.team.actions import Team
from studio.ui.widgets import editor_key

APP_FILE = Path(studio.ui.__file__).parent / "app.py"
REMI = {"is_logged_in": True, "email": "remi@chu.example.org", "name": "Remi", "groups": ["reviewers"]}


@pytest.fixture
def team_app(
    settings_file: Path,
    team: Team,
    monkeypatch: pytest.MonkeyPatch,
    designer: Any,
    minimal_scenario: dict[str, Any],
) -> AppTest:
    monkeypatch.setenv("CRISIS_STUDIO_TEAM_SETTINGS", str(settings_file))
    monkeypatch.setenv("CRISIS_STUDIO_WORKSPACE", str(team.workspace.root))
    actions.save(team, designer, "ex", minimal_scenario, None, "seeded")
    return AppTest.from_file(str(APP_FILE), default_timeout=30)


def test_nothing_but_the_sign_in_screen_before_signing_in(team_app: AppTest) -> None:
    team_app.user = {"is_logged_in": False}
    team_app.run()
    assert not team_app.exception
    assert team_app.button(key="team_sign_in").label == "Se connecter"  # French unless set otherwise
    assert [title.value for title in team_app.title] == ["Crisis Studio"]


def test_a_reviewer_table_edit_of_the_systems_is_undone_and_explained(team_app: AppTest, team: Team) -> None:
    team_app.user = REMI
    team_app.run()
    team_app.selectbox(key="workspace_choice").select("ex")
    team_app.button(key="open_workspace").click().run()
    before = copy.deepcopy(team_app.session_state["doc"])
    team_app.switch_page("views/systems.py").run()
    key = editor_key("systems", team_app.session_state["doc_generation"])
    team_app.session_state[key] = {
        "edited_rows": {0: {"name": "VPN renamed"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    team_app.run()
    assert not team_app.exception
    assert team_app.session_state["doc"] == before
    assert any(
        "Changing the systems and links needs the designer role" in error.value for error in team_app.error
    )
    assert [(e.user, e.outcome) for e in team.audit.entries()][-1] == ("remi@chu.example.org", "refused")
