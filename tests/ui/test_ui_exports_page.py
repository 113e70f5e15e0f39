"""AppTest of the Exports page: chronogramme preview, download buttons, briefing summary."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from llm_server import FakeLLMServer
from streamlit.testing.v1 import AppTest
from studio_app import document, go, open_library, seed_edits, shown_text


def _exports_page(app: AppTest) -> AppTest:
    return go(open_library(app), "exports")


def test_chronogramme_preview_lists_the_injects(app: AppTest, mini) -> None:
    _exports_page(app)
    preview = app.dataframe[0].value
    assert len(preview) == len(mini["injects"])
    assert "Appel de l'ARS" in preview.to_string()


def test_building_gives_one_download_button_per_file(app: AppTest) -> None:
    _exports_page(app)
    app.multiselect(key="export_formats").set_value(["csv", "openbas"])
    app.button(key="export_build").click().run()
    assert not app.exception and not app.error, [element.value for element in app.error]
    labels = [button.label for button in app.get("download_button")]
    assert any(label.startswith("mini-ch") and ".csv" in label for label in labels)
    assert any(".zip" in label for label in labels)


def test_invalid_scenario_is_not_exported(app: AppTest) -> None:
    go(open_library(app), "exercise")
    seed_edits(app, "cells", edited_rows={0: {"type": None}})
    app.run()
    go(app, "exports")
    assert app.error and "validation error" in app.error[0].value
    assert not app.get("download_button")


def test_briefing_summary_says_how_to_configure_an_llm(app: AppTest) -> None:
    _exports_page(app)
    assert "No LLM endpoint is configured" in shown_text(app)
    assert not [button for button in app.button if button.key == "summary_ask"]


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLLMServer]:
    """The local OpenAI-compatible test server (127.0.0.1), set as the studio's LLM endpoint."""
    with FakeLLMServer() as server:
        monkeypatch.setenv("CRISIS_STUDIO_PROVIDER", "openai")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "test-key-not-secret")
        monkeypatch.setenv("CRISIS_STUDIO_LLM_TIMEOUT", "5")
        yield server


def test_briefing_summary_is_a_proposal_applied_to_the_context_when_accepted(
    app: AppTest, llm: FakeLLMServer, mini
) -> None:
    llm.answer = lambda body: {"summary": "Cette nuit, le CH de Test subit une attaque par rançongiciel."}
    _exports_page(app)
    app.button(key="summary_ask").click().run()
    assert not app.exception and not app.error, [element.value for element in app.error]
    assert llm.chat_calls == 1
    diff = next(frame.value for frame in app.dataframe if "proposed" in frame.value.columns)
    assert list(diff["field"]) == ["context"]
    assert diff["proposed"][0] == "Cette nuit, le CH de Test subit une attaque par rançongiciel."
    assert document(app) == mini  # nothing changes before the designer accepts
    assert app.session_state["doc_dirty"] is False

    app.button(key="summary_accept").click().run()
    assert not app.exception and not app.error
    expected = {**mini, "exercise": {**mini["exercise"], "context": diff["proposed"][0]}}
    assert document(app) == expected  # only exercise.context changed
    assert app.session_state["doc_dirty"] is True
    assert not [frame for frame in app.dataframe if "proposed" in frame.value.columns]


def test_briefing_summary_can_be_discarded(app: AppTest, llm: FakeLLMServer, mini) -> None:
    _exports_page(app)
    app.button(key="summary_ask").click().run()
    app.button(key="summary_discard").click().run()
    assert not app.exception and not app.error
    assert not [frame for frame in app.dataframe if "proposed" in frame.value.columns]
    assert document(app) == mini


def test_failed_summary_shows_the_error_and_changes_nothing(app: AppTest, llm: FakeLLMServer, mini) -> None:
    llm.behaviour = "invalid_json"
    _exports_page(app)
    app.button(key="summary_ask").click().run()
    assert not app.exception
    assert app.error and "nothing changed" in app.error[0].value
    assert not [button for button in app.button if button.key == "summary_accept"]
    assert document(app) == mini
    assert app.session_state["doc_dirty"] is False
