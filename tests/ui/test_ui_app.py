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
