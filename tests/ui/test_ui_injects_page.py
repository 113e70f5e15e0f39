"""AppTest of the Injects page: generation, filters, edit form, review, lint, chart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from llm_server import FakeLLMServer
from streamlit.testing.v1 import AppTest
from studio_app import document, go, open_library, shown_text


def _injects_page(app: AppTest) -> AppTest:
    return go(open_library(app), "injects")


def _inject(app: AppTest, inject_id: str) -> dict:
    return next(inject for inject in document(app)["injects"] if inject["id"] == inject_id)


def _form_key(app: AppTest, inject_id: str, field: str) -> str:
    return f"edit.{inject_id}@{app.session_state['doc_generation']}.{field}"


def test_generate_keeps_the_written_inject_and_adds_generated_ones(app: AppTest) -> None:
    _injects_page(app)
    app.button(key="gen_run").click().run()
    assert not app.exception and not app.error
    assert "2 injects generated, 1 kept as they were." in shown_text(app)
    ids = [inject["id"] for inject in document(app)["injects"]]
    assert ids[0] == "inj-1" and len(ids) == 3
    assert app.session_state["doc_dirty"] is True
    assert app.get("vega_lite_chart"), "the injects-by-cell chart is drawn"
    assert "3 of 3 injects" in shown_text(app)


def test_filters_narrow_the_table(app: AppTest) -> None:
    _injects_page(app)
    app.button(key="gen_run").click().run()
    app.selectbox(key="flt_contingency").select("only").run()
    assert "1 of 3 injects" in shown_text(app)
    app.selectbox(key="flt_contingency").select("any")
    app.multiselect(key="flt_categories").select("media").run()
    assert "0 of 3 injects" in shown_text(app)
    assert "No inject matches the filters." in shown_text(app)


def test_edit_form_changes_the_inject_and_marks_it_edited(app: AppTest) -> None:
    _injects_page(app)
    app.text_input(key=_form_key(app, "inj-1", "title")).set_value("Appel de l'ARS : point de situation")
    app.text_area(key=_form_key(app, "inj-1", "expected_actions")).set_value(
        "Rappeler l'ARS\nOuvrir la main courante"
    )
    next(button for button in app.button if button.label == "Save the inject").click().run()
    assert not app.error, [element.value for element in app.error]
    inject = _inject(app, "inj-1")
    assert inject["title"] == "Appel de l'ARS : point de situation"
    assert inject["expected_actions"] == ["Rappeler l'ARS", "Ouvrir la main courante"]
    assert inject["provenance"]["edited"] is True


def test_invalid_edit_is_refused_and_nothing_changes(app: AppTest, mini) -> None:
    _injects_page(app)
    app.text_input(key=_form_key(app, "inj-1", "offset")).set_value("in one hour")
    next(button for button in app.button if button.label == "Save the inject").click().run()
    assert app.error and "Not applied" in app.error[0].value
    assert document(app) == mini


def test_review_needs_a_name_then_logs_the_change(app: AppTest, mini) -> None:
    _injects_page(app)
    app.selectbox(key="review_status.draft").select("reviewed")
    app.button(key="review_apply").click().run()
    assert app.error and "reviewer" in app.error[0].value
    assert document(app) == mini
    app.text_input(key="reviewer").set_value("Claire Martin")
    app.button(key="review_apply").click().run()
    inject = _inject(app, "inj-1")
    assert inject["status"] == "reviewed" and inject["review_log"][0]["by"] == "Claire Martin"
    assert "Status: **reviewed**" in shown_text(app)


def test_lint_panel_reports_msel_problems(app: AppTest) -> None:
    _injects_page(app)
    panel = next(expander for expander in app.expander if expander.label.startswith("MSEL lint"))
    assert "error(s)" in panel.label


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLLMServer]:
    """The local OpenAI-compatible test server (127.0.0.1), set as the studio's LLM endpoint."""
    with FakeLLMServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "test-key-not-secret")
        monkeypatch.setenv("CRISIS_STUDIO_LLM_TIMEOUT", "5")
        yield server


def test_llm_rewrite_shows_a_diff_and_applies_only_when_accepted(
    app: AppTest, llm: FakeLLMServer, mini
) -> None:
    _injects_page(app)
    app.text_input(key="llm_instruction").set_value("plus court")
    app.button(key="llm_ask").click().run()
    assert not app.exception and not app.error, [element.value for element in app.error]
    diff = next(frame.value for frame in app.dataframe if "proposed" in frame.value.columns)
    assert "title" in set(diff["field"])
    assert document(app) == mini  # nothing changes before the designer accepts
    app.button(key="llm_accept").click().run()
    inject = _inject(app, "inj-1")
    assert inject["title"] == "Appel de l'ARS (v2)"
    assert inject["provenance"]["edited"] is True
    assert llm.chat_calls >= 1


def test_failed_llm_call_shows_an_error_and_loses_nothing(app: AppTest, llm: FakeLLMServer, mini) -> None:
    llm.behaviour = "invalid_json"
    _injects_page(app)
    app.text_input(key="llm_instruction").set_value("plus court")
    app.button(key="llm_ask").click().run()
    assert not app.exception
    assert app.error and "nothing changed" in app.error[0].value
    assert document(app) == mini
