"""AppTest of the Systems page: tables, catalogue, graph filters."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest
from studio_app import document, go, graph_nodes, graph_options, open_library, seed_edits, shown_text

from studio.scenario import tables
from studio.scenario.drafts import DraftStore


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
    # The row in error is listed right under the links table, with its message.
    beside = [frame.value for frame in app.dataframe if "problem" in frame.value.columns]
    links = next(frame for frame in beside if "dpi \u2192 pacs" in list(frame["row"]))
    assert list(links["severity"]) == ["error"] and "pacs" in links["problem"][0]
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


def test_graph_is_interactive_grouped_and_stable(app: AppTest) -> None:
    _systems_page(app)
    option = graph_options(app)[0]
    series = option["series"][0]
    assert series["layout"] == "none" and series["roam"] is True and series["selectedMode"] == "single"
    assert option["legend"]["data"], "a legend of the system families"
    nodes = graph_nodes(app)
    assert set(nodes) == {system["id"] for system in document(app)["systems"]}
    captions = [node for node in series["data"] if node["id"].startswith("group:")]
    # Captions name the sites, not their ids.
    assert {caption["name"] for caption in captions} >= {"Site principal", "Site annexe"}
    app.radio(key="systems_graph.group").set_value("zone").run()
    assert {
        node["name"] for node in graph_options(app)[0]["series"][0]["data"] if node["id"].startswith("group:")
    }
    app.radio(key="systems_graph.group").set_value("site").run()
    assert graph_nodes(app) == nodes, "same grouping, same positions"


def test_selecting_a_system_opens_its_form_and_the_edit_is_kept(app: AppTest, workspace: Path) -> None:
    _systems_page(app)
    target = document(app)["systems"][3]["id"]
    app.selectbox(key="systems_graph.search").select(target).run()
    assert graph_nodes(app)[target]["itemStyle"]["borderWidth"] == 3
    form_name = next(box for box in app.text_input if box.label == "Name")
    form_name.set_value("DPI renamed")
    next(button for button in app.button if button.label == "Apply to the system").click().run()
    assert not app.exception
    assert document(app)["systems"][3]["name"] == "DPI renamed"
    assert app.session_state["doc_dirty"] is True
    # The edit is journaled as a draft in the workspace straight away.
    drafts = DraftStore(workspace).pending()
    assert [draft.document["systems"][3]["name"] for draft in drafts] == ["DPI renamed"]


def test_catalogue_offers_only_the_sites_of_the_chosen_organisation(app: AppTest) -> None:
    _systems_page(app)
    doc = document(app)
    assert app.selectbox(key="catalogue_organisation").value == "ch-test"
    assert app.selectbox(key="catalogue_site").options == ["(none)", "site-a", "site-b"]
    app.selectbox(key="catalogue_organisation").select("ars").run()
    assert tables.sites_of(doc, "ars") == []
    assert app.selectbox(key="catalogue_site").options == ["(none)"]


def test_a_delay_typed_on_a_depends_link_is_kept_as_its_grace(app: AppTest) -> None:
    _systems_page(app)
    seed_edits(
        app, "links", added_rows=[{"source": "dpi", "kind": "depends", "target": "ad", "delay": "PT2H"}]
    )
    app.run()
    assert document(app)["systems"][3]["links"][-1] == {"kind": "depends", "target": "ad", "grace": "PT2H"}


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
