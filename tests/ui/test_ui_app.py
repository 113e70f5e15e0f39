"""AppTest of the studio shell: every page runs, before and after a scenario is opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from studio_app import go, open_library, shown_text

from studio.ui.app import PAGES

PAGE_NAMES = [Path(file).stem for file, _, _ in PAGES]


@pytest.mark.parametrize("page", PAGE_NAMES[1:])
def test_pages_ask_for_a_scenario_first(app: AppTest, page: str) -> None:
    go(app, page)
    assert "No scenario open yet" in app.info[0].value
    assert "No scenario open" in shown_text(app)  # the sidebar status box


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_every_page_shows_the_open_scenario_in_the_sidebar(app: AppTest, page: str) -> None:
    go(open_library(app), page)
    assert not app.error
    sidebar = [element.value for element in app.sidebar.markdown]
    assert "**Rançongiciel au CH de Test**" in sidebar
    assert any("Valid" in value for value in sidebar)


def test_french_interface_shows_french_labels_only_from_the_files(app: AppTest) -> None:
    go(open_library(app), "systems")
    assert app.subheader[0].value == "Graph"
    app.session_state["ui_language_chosen"] = "fr"  # what picking "Français" in the sidebar records
    app.run()
    assert app.subheader[0].value == "Graphe"
    assert app.selectbox(key="systems_graph.search").label == "Trouver un système"
    app.session_state["ui_language_chosen"] = "en"
    app.run()
    assert app.subheader[0].value == "Graph"


def test_unsaved_changes_arm_the_leave_warning(app: AppTest) -> None:
    go(open_library(app), "systems")
    bodies = [element.proto.body for element in app.get("html")]
    assert any("crisisStudioUnsaved = false" in body for body in bodies)
    app.session_state["doc_dirty"] = True
    app.run()
    bodies = [element.proto.body for element in app.get("html")]
    assert any("crisisStudioUnsaved = true" in body for body in bodies)


def test_no_page_script_holds_a_bare_string_that_streamlit_would_print() -> None:
    # Streamlit's "magic" writes any bare expression of a page script onto the page: a docstring
    # under a constant once showed an English sentence on top of the French Injects page.
    import ast

    from studio.ui.app import PAGES_DIR

    for path in PAGES_DIR.glob("*.py"):
        module = ast.parse(path.read_text(encoding="utf-8"))
        bare = [
            node.lineno
            for node in module.body[1:]
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        ]
        assert not bare, f"{path.name}: bare strings at lines {bare}"
