"""AppTest of the Systems page: tables, catalogue, graph filters."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest
from studio_app import document, go, open_library, seed_edits, shown_text


def _systems_page(app: AppTest) -> AppTest:
    return go(open_library(app), "systems")


def test_tables_show_systems_and_links(app: AppTest, mini) -> None:
    _systems_page(app)
    systems_table, links_table = app.data_editor
    assert list(systems_table.value["id"]) == [system["id"] for system in mini["systems"]]
    assert len(links_table.value) == 5
    assert app.session_state["doc_dirty"] is False  # looking changes nothing


def test_editing_a_link_target_to_a_missing_system_shows_the_problem(app: AppTest) -> None:
    _systems_page(app)
    seed_edits(app, "links", added_rows=[{"source": "dpi", "kind": "depends", "target": "pacs"}])
    app.run()
    assert document(app)["systems"][3]["links"][-1] == {"kind": "depends", "target": "pacs"}
    assert "**Invalid**" in shown_text(app)
    panel = next(expander for expander in app.expander if expander.label.startswith("Problems here"))
    assert panel.label.startswith("Problems here: 1 error(s)")
    messages = " ".join(panel.dataframe[0].value["message"])
    assert "pacs" in messages


def test_bad_delay_text_is_an_error_message_and_the_document_is_kept(app: AppTest, mini) -> None:
    _systems_page(app)
    seed_edits(app, "links", edited_rows={0: {"delay": "two hours"}})
    app.run()
    assert not app.exception
    assert app.error and "delay" in app.error[0].value
    assert document(app) == mini


def test_renaming_a_system_renames_its_links(app: AppTest) -> None:
    _systems_page(app)
    seed_edits(app, "systems", edited_rows={2: {"id": "ad-main"}})
    app.run()
    systems = document(app)["systems"]
    assert systems[2]["id"] == "ad-main" and systems[1]["links"][0]["target"] == "ad-main"
    assert "**Valid**" in shown_text(app)


def test_add_systems_from_the_catalogue(app: AppTest) -> None:
    _systems_page(app)
    app.multiselect(key="catalogue_entries").select("core-network").run()
    app.selectbox(key="catalogue_site").select("site-a")
    app.text_input(key="catalogue_prefix").set_value("cht")
    app.button(key="catalogue_add").click().run()
    assert not app.exception
    added = document(app)["systems"][-1]
    assert (
        added["id"] == "cht-core-network"
        and added["site"] == "site-a"
        and added["catalogue_ref"] == "core-network"
    )
    assert app.session_state["doc_dirty"] is True
    # The tables start again from the new document.
    assert list(app.data_editor[0].value["id"])[-1] == "cht-core-network"


def test_graph_filter_by_site(app: AppTest) -> None:
    _systems_page(app)
    app.multiselect(key="systems_graph.site").select("site-b").run()
    assert "1 of 5 systems shown" in shown_text(app)


def test_one_cell_edit_changes_only_that_field(app: AppTest, mini) -> None:
    _systems_page(app)
    seed_edits(app, "systems", edited_rows={3: {"name": "DPI (Easily)"}})
    seed_edits(app, "links", edited_rows={1: {"p_success": 0.5}})
    app.run()
    expected = json.loads(json.dumps(mini))
    expected["systems"][3]["name"] = "DPI (Easily)"
    expected["systems"][1]["links"][0]["p_success"] = 0.5
    assert document(app) == expected


def test_a_new_system_id_restarts_the_editors_so_it_can_be_linked_at_once(app: AppTest) -> None:
    _systems_page(app)
    generation = app.session_state["doc_generation"]
    seed_edits(app, "systems", added_rows=[{"id": "pacs", "name": "PACS", "kind": "application"}])
    app.run()
    assert app.session_state["doc_generation"] == generation + 1
    systems_table, links_table = app.data_editor
    assert list(systems_table.value["id"])[-1] == "pacs"  # now part of the editors' base
    # The links table's select boxes (its column configuration, as JSON) now offer the new id.
    assert '"pacs"' in links_table.proto.columns
