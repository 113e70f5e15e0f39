"""AppTest of the Exercise page: metadata form, objectives, cells and personas tables."""

from __future__ import annotations

import datetime

from streamlit.testing.v1 import AppTest
from studio_app import document, go, open_library, seed_edits, shown_text


def _metadata(at: AppTest, field: str):
    return at.text_input(key=f"meta.{field}@{at.session_state['doc_generation']}")


def test_page_asks_for_a_scenario_first(app: AppTest) -> None:
    go(app, "exercise")
    assert "No scenario open yet" in app.info[0].value


def test_clearing_the_title_makes_the_scenario_invalid(app: AppTest) -> None:
    go(open_library(app), "exercise")
    assert "**Valid**" in shown_text(app)
    _metadata(app, "title").set_value("")
    app.button[0].click().run()  # the form's submit button
    assert "title" not in document(app)["exercise"]
    assert "**Invalid**" in shown_text(app)
    assert app.session_state["doc_dirty"] is True
    assert "Unsaved changes" in shown_text(app)


def test_metadata_edit_is_kept_and_shown_in_the_form(app: AppTest) -> None:
    go(open_library(app), "exercise")
    _metadata(app, "safety.stop_code").set_value("COLIBRI")
    app.selectbox(key=f"meta.format@{app.session_state['doc_generation']}").select("functional")
    app.button[0].click().run()
    exercise = document(app)["exercise"]
    assert exercise["safety"]["stop_code"] == "COLIBRI" and exercise["format"] == "functional"
    assert _metadata(app, "safety.stop_code").value == "COLIBRI"


def test_adding_a_cell_and_deleting_a_persona(app: AppTest) -> None:
    go(open_library(app), "exercise")
    seed_edits(app, "cells", added_rows=[{"id": "dsi", "name": "Cellule technique DSI", "type": "player"}])
    seed_edits(app, "personas", deleted_rows=[0])
    app.run()
    doc = document(app)
    assert [cell["id"] for cell in doc["cells"]] == ["cdc", "anim", "dsi"]
    assert doc["personas"] == []
    # A second run must not apply the same edits twice.
    app.run()
    assert [cell["id"] for cell in document(app)["cells"]] == ["cdc", "anim", "dsi"]


def test_unknown_reference_in_a_table_shows_a_problem(app: AppTest) -> None:
    go(open_library(app), "exercise")
    seed_edits(app, "criteria", edited_rows={0: {"objective": "obj-missing"}})
    seed_edits(app, "objectives", edited_rows={0: {"title": "Activer la cellule de crise en 30 min"}})
    app.run()
    doc = document(app)
    assert doc["objectives"][0]["title"] == "Activer la cellule de crise en 30 min"
    assert doc["objectives"][0]["criteria"] == []  # its only criterion moved to an unknown objective
    assert "**Invalid**" in shown_text(app)


def test_edits_survive_a_trip_to_another_page(app: AppTest) -> None:
    go(open_library(app), "exercise")
    seed_edits(app, "cells", edited_rows={1: {"name": "Animation"}})
    app.run()
    go(go(app, "scenario"), "exercise")
    assert document(app)["cells"][1]["name"] == "Animation"


def test_startex_is_picked_as_a_date_and_a_time_and_keeps_its_time_zone(app: AppTest, mini) -> None:
    go(open_library(app), "exercise")
    generation = app.session_state["doc_generation"]
    before = document(app)["exercise"]["startex"]
    app.time_input(key=f"meta.startex@{generation}.time").set_value(datetime.time(10, 45))
    app.date_input(key=f"meta.startex@{generation}.date").set_value(datetime.date(2026, 4, 2))
    app.button[0].click().run()
    after = document(app)["exercise"]["startex"]
    assert after.startswith("2026-04-02T10:45:00")
    assert after[-6:] == before[-6:], "same time zone offset as before"
    assert document(app)["exercise"]["endex"] == mini["exercise"]["endex"], "the other stamp is kept"


def test_untouched_pickers_keep_the_exact_stamp(app: AppTest, mini) -> None:
    go(open_library(app), "exercise")
    app.button[0].click().run()
    assert document(app)["exercise"]["startex"] == mini["exercise"]["startex"]
    assert app.session_state["doc_dirty"] is False
