"""AppTest of the Scenario page: open, start new, upload, save, conflicts."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest
from studio_app import document, open_library, shown_text

from studio.scenario.store import Workspace


def test_open_library_scenario_shows_title_and_validation(app: AppTest, mini) -> None:
    open_library(app)
    assert app.header[0].value == "Rançongiciel au CH de Test"
    assert "**Valid**" in shown_text(app)
    assert document(app) == mini
    assert app.session_state["doc_dirty"] is False
    # The sidebar status box shows the same document.
    assert any("Rançongiciel" in element.value for element in app.sidebar.markdown)


def test_save_writes_the_workspace_file_and_clears_dirty(app: AppTest, workspace: Path, mini) -> None:
    open_library(app)
    app.text_input(key="save_name@1").set_value("ch-test")
    app.button(key="save").click().run()
    assert not app.error, [element.value for element in app.error]
    saved = json.loads((workspace / "ch-test.json").read_text(encoding="utf-8"))
    assert saved == mini
    assert app.session_state["doc_name"] == "ch-test" and app.session_state["doc_dirty"] is False
    assert "Saved" in shown_text(app)


def test_concurrent_save_shows_conflict_and_keeps_the_document(app: AppTest, workspace: Path, mini) -> None:
    store = Workspace(workspace)
    revision = store.save("ch-test", mini, None)
    app.run()
    app.selectbox(key="workspace_choice").select("ch-test")
    app.button(key="open_workspace").click().run()
    assert app.session_state["doc_revision"] == revision

    # Someone else saves a newer revision while this session edits the same scenario.
    theirs = json.loads(json.dumps(mini))
    theirs["exercise"]["title"] = "Version de l'autre designer"
    store.save("ch-test", theirs, revision)
    mine = dict(document(app), id="mini-ch-mine")
    app.session_state["doc"] = mine
    app.session_state["doc_dirty"] = True
    app.button(key="save").click().run()

    assert app.error and "changed" in app.error[0].value.lower()
    assert document(app) == mine and app.session_state["doc_dirty"] is True
    assert store.load("ch-test")[0]["exercise"]["title"] == "Version de l'autre designer"


def test_saving_a_new_scenario_under_a_taken_name_conflicts(app: AppTest, workspace: Path, mini) -> None:
    Workspace(workspace).save("ch-test", mini, None)
    open_library(app)
    app.text_input(key="save_name@1").set_value("ch-test")
    app.button(key="save").click().run()
    assert app.error and "Not saved" in app.error[0].value


def test_upload_broken_json_keeps_the_current_document(app: AppTest, mini) -> None:
    open_library(app)
    app.file_uploader(key="upload").upload("broken.json", b'{"id": "x",', "application/json").run()
    assert app.error and "not valid JSON" in app.error[0].value
    assert document(app) == mini
    assert app.header[0].value == "Rançongiciel au CH de Test"


def test_upload_valid_json_replaces_the_document_unsaved(app: AppTest, mini) -> None:
    mini["exercise"]["title"] = "Scénario importé"
    app.file_uploader(key="upload").upload("other.json", json.dumps(mini).encode(), "application/json").run()
    assert not app.error
    assert app.header[0].value == "Scénario importé"
    assert app.session_state["doc_dirty"] is True
    assert "Unsaved changes" in shown_text(app)


def test_start_new_from_library_names_the_copy(app: AppTest, workspace: Path) -> None:
    app.text_input(key="new_name").set_value("ch-nord-2026")
    app.button(key="start_new").click().run()
    assert document(app)["id"] == "ch-nord-2026"
    assert app.session_state["doc_name"] == "ch-nord-2026" and app.session_state["doc_revision"] is None
    app.button(key="save").click().run()
    assert (workspace / "ch-nord-2026.json").is_file()


def test_start_new_without_a_name_is_an_error_not_a_traceback(app: AppTest) -> None:
    app.button(key="start_new").click().run()
    assert not app.exception
    assert app.error and "name" in app.error[0].value


def test_download_button_is_offered(app: AppTest) -> None:
    open_library(app)
    assert app.get("download_button")


def test_a_scenario_holding_the_api_key_is_not_offered_for_download(app: AppTest, monkeypatch) -> None:
    open_library(app)
    title = document(app)["exercise"]["title"]
    monkeypatch.setenv("OPENAI_API_KEY", title)  # as if the key had been pasted into the title
    app.run()
    assert not app.get("download_button")
    assert any("API" in element.value for element in app.error), [element.value for element in app.error]


def test_unsaved_changes_must_be_discarded_explicitly(app: AppTest, mini) -> None:
    mini["exercise"]["title"] = "Brouillon non enregistré"
    app.file_uploader(key="upload").upload("draft.json", json.dumps(mini).encode(), "application/json").run()
    assert app.session_state["doc_dirty"] is True
    assert app.button(key="open_library").disabled
    app.checkbox(key="discard_ok").check().run()
    open_library(app)
    assert app.header[0].value == "Rançongiciel au CH de Test"
    assert app.session_state["doc_dirty"] is False
