"""AppTest of the Injects page: generation, MSEL import, filters, edit form, review, lint, chart."""

from __future__ import annotations

import csv
import io
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
    # Counts come from the document: how many injects the generator writes is its own business.
    ids = [inject["id"] for inject in document(app)["injects"]]
    assert "inj-1" in ids and len(ids) >= 3
    assert f"{len(ids) - 1} injects generated, 1 kept as they were." in shown_text(app)
    assert app.session_state["doc_dirty"] is True
    assert app.get("vega_lite_chart"), "the injects-by-cell chart is drawn"
    assert f"{len(ids)} of {len(ids)} injects" in shown_text(app)


def test_filters_narrow_the_table(app: AppTest) -> None:
    _injects_page(app)
    app.button(key="gen_run").click().run()
    injects = document(app)["injects"]
    total, contingency = len(injects), sum(bool(inject.get("contingency_for")) for inject in injects)
    assert 0 < contingency < total
    app.selectbox(key="flt_contingency").select("only").run()
    assert f"{contingency} of {total} injects" in shown_text(app)
    app.selectbox(key="flt_contingency").select("any")
    absent = next(  # a category no inject has: the filter then shows nothing
        category
        for category in ("media", "public", "supplier", "exercise_control", "attacker")
        if all(inject.get("category") != category for inject in injects)
    )
    app.multiselect(key="flt_categories").select(absent).run()
    assert f"0 of {total} injects" in shown_text(app)
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


def test_review_status_does_not_default_to_rejected(app: AppTest) -> None:
    _injects_page(app)
    choice = app.selectbox(key="review_status.draft")
    assert choice.value == "reviewed" and choice.options[-1] == "rejected"


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


# --------------------------------------------------------------------------------------- MSEL import


def _sheet(rows: list[list[str]]) -> bytes:
    stream = io.StringIO()
    csv.writer(stream, delimiter=";").writerows(rows)
    return stream.getvalue().encode("utf-8")


def _upload(app: AppTest, name: str, data: bytes) -> AppTest:
    app.file_uploader(key="msel_upload@0").upload(name, data, "text/csv").run()
    assert not app.exception, [exception.value for exception in app.exception]
    return app


def _import_button(app: AppTest):
    return app.button(key="msel_import")


def _issues(app: AppTest):
    return next(frame.value for frame in app.dataframe if "message" in frame.value.columns)


GOOD_SHEET = [
    ["Horaire", "Émetteur", "Destinataire", "Stimuli"],
    ["T+00:30", "Astreinte ARS", "Cellule de crise", "L'ARS rappelle pour un point."],
    ["H+2", "ars-astreinte", "cdc", "Deuxième appel de l'ARS."],
]


def test_msel_import_merges_the_rows_and_marks_the_document_unsaved(app: AppTest, mini) -> None:
    _injects_page(app)
    assert app.session_state["doc_dirty"] is False
    _upload(app, "chronogramme.csv", _sheet(GOOD_SHEET))
    assert not app.error, [element.value for element in app.error]
    assert "2 rows read, 0 with errors, 2 ready to import" in shown_text(app)
    assert not [checkbox for checkbox in app.checkbox if checkbox.key.startswith("msel_partial")]
    _import_button(app).click().run()
    assert not app.exception and not app.error, [element.value for element in app.error]
    injects = document(app)["injects"]
    assert injects[0] == mini["injects"][0]  # the existing inject is kept
    assert [(inject["id"], inject["offset"], inject["from"], inject["to"]) for inject in injects[1:]] == [
        ("msel-2", "PT30M", "ars-astreinte", ["cdc"]),
        ("msel-3", "PT2H", "ars-astreinte", ["cdc"]),
    ]
    assert injects[1]["provenance"] == {"source": "import"} and injects[1]["channel"] == "phone"
    assert app.session_state["doc_dirty"] is True
    assert "2 injects imported from chronogramme.csv (2 new, 0 replaced)." in shown_text(app)
    assert not app.file_uploader(key="msel_upload@1").value  # the uploader is empty again
    assert "3 of 3 injects" in shown_text(app)


BROKEN_SHEET = [
    ["Horaire", "Émetteur", "Destinataire", "Stimuli"],
    ["T+00:30", "Astreinte ARS", "Cellule de crise", "Bonne ligne."],
    ["demain", "Astreinte ARS", "Cellule de crise", "Heure illisible."],
    ["T+01:00", "Astreinte ARS", "Nulle part", "Cellule inconnue."],
]


def test_msel_import_with_errors_needs_the_valid_rows_only_checkbox(app: AppTest, mini) -> None:
    _injects_page(app)
    _upload(app, "chronogramme.csv", _sheet(BROKEN_SHEET))
    assert app.error and "2 problem(s) in chronogramme.csv" in app.error[0].value
    issues = _issues(app)
    assert [(row.row, row.column, row.header) for row in issues.itertuples()] == [
        (3, "A", "Horaire"),
        (4, "C", "Destinataire"),
    ]
    assert "demain" in issues["message"][0] and "Nulle part" in issues["message"][1]
    assert _import_button(app).disabled  # AppTest, like a browser, cannot click it
    assert document(app) == mini

    app.checkbox(key="msel_partial@0").check().run()
    assert not _import_button(app).disabled
    _import_button(app).click().run()
    assert not app.exception
    injects = document(app)["injects"]
    assert [inject["message"] for inject in injects] == [mini["injects"][0]["message"], "Bonne ligne."]
    assert "1 injects imported from chronogramme.csv (1 new, 0 replaced); 2 rows rejected." in shown_text(app)


def test_msel_import_maps_unrecognised_columns(app: AppTest) -> None:
    _injects_page(app)
    rows = [["Quand", "Qui", "À qui", "Quoi"], ["T+00:05", "Astreinte ARS", "Cellule de crise", "Alerte"]]
    _upload(app, "perso.csv", _sheet(rows))
    assert "no column for 'offset'" in _issues(app).to_string()
    assert _import_button(app).disabled
    for header, field in (("Quand", "offset"), ("Qui", "from"), ("À qui", "to"), ("Quoi", "message")):
        app.selectbox(key=f"msel_map@0.{header}").select(field)
    app.run()
    assert not app.error, [element.value for element in app.error]
    assert "1 rows read, 0 with errors, 1 ready to import" in shown_text(app)
    _import_button(app).click().run()
    imported = document(app)["injects"][-1]
    assert (imported["offset"], imported["message"], imported["title"]) == ("PT5M", "Alerte", "Alerte")


def test_unreadable_msel_shows_an_error_and_changes_nothing(app: AppTest, mini) -> None:
    _injects_page(app)
    app.file_uploader(key="msel_upload@0").upload(
        "damaged.xlsx", b"not a zip", "application/octet-stream"
    ).run()
    assert not app.exception
    assert app.error and "Reading the spreadsheet failed" in app.error[0].value
    assert not [button for button in app.button if button.key == "msel_import"]
    assert document(app) == mini


def test_lint_panel_names_the_story_rules_with_the_inject(app: AppTest) -> None:
    """A repeated message (one of the story rules of the issue on exercise content) is listed in the
    MSEL lint panel with the inject's path and the rule, on the Injects page."""
    _injects_page(app)
    app.button(key="gen_run").click().run()
    doc = document(app)
    first = next(i for i in doc["injects"] if not i.get("contingency"))
    doc["injects"].append({**first, "id": "inj-twin", "number": "99.1"})
    twin = len(doc["injects"]) - 1
    app.session_state["doc"] = doc
    app.run()
    panel = next(expander for expander in app.expander if expander.label.startswith("MSEL lint"))
    assert "error(s)" in panel.label and not panel.label.startswith("MSEL lint: 0 error(s)"), panel.label
    tables = [frame.value for frame in panel.dataframe]
    assert tables, [e.label for e in app.expander]
    found = tables[0][tables[0]["rule"] == "text.duplicate_body"]
    assert f"/injects/{twin}/message" in list(found["path"])
