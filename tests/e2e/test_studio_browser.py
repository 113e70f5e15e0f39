"""The studio in a real browser: served by ``crisis-studio ui``, driven in Debian's Chromium."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from studio_browser import click_keyed, edit_grid_cell, screenshot, wait_for_app_run

from studio.scenario.canonical import canonical_bytes
from studio.scenario.library import list_library, load_library
from studio.scenario.store import Workspace
from studio.scenario.validate import errors_only, validate_scenario

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).resolve().parent.parent / "ui" / "fixtures" / "mini.json"


def _expected_status(doc: dict[str, Any]) -> str:
    return "Invalid" if errors_only(validate_scenario(doc)) else "Valid"


def _open_first_scenario(page: Any, workspace: Path) -> dict[str, Any]:
    """Open the first library scenario (the select box's default), or the fixture if the library is empty."""
    entries = list_library()
    if entries:
        click_keyed(page, "open_library")
        return load_library(entries[0].name)
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    Workspace(workspace).save("mini-ch", doc, None)
    page.reload()
    wait_for_app_run(page)
    click_keyed(page, "open_workspace")
    return doc


def test_open_a_scenario_shows_its_title_and_validation_status(
    page: Any, studio_workspace: Path, screenshots: Path
) -> None:
    doc = _open_first_scenario(page, studio_workspace)
    title = doc["exercise"]["title"]
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name=title)).to_be_visible()
    expect(main.get_by_text(_expected_status(doc), exact=True).first).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text(title)).to_be_visible()
    screenshot(page, screenshots, "scenario-opened")

    # Every page of the studio renders the opened scenario without an exception.
    for page_title in ("Exercise", "Systems", "Simulation", "Injects", "Exports"):
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=page_title).click()
        wait_for_app_run(page)
        expect(main.get_by_role("heading", name=page_title, exact=True)).to_be_visible()
        assert page.get_by_test_id("stException").count() == 0, page_title
        screenshot(page, screenshots, page_title.lower())
    # The systems graph is drawn in the browser (ECharts, bundled with Streamlit: nothing from a CDN).
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Systems").click()
    wait_for_app_run(page)
    graph = page.locator(".st-key-systems_graph-chart [_echarts_instance_] svg").first
    graph.wait_for(state="visible", timeout=20_000)
    assert graph.locator("text", has_text=doc["systems"][0]["name"]).count() > 0
    graph.screenshot(path=str(screenshots / "systems-graph.png"))

    # One simulation run: its timeline chart (Vega-Lite) and the state graph are drawn.
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Simulation").click()
    wait_for_app_run(page)
    page.get_by_role("tab", name="Single run").click()
    click_keyed(page, "run_once")
    expect(main.get_by_text("Timeline of this run")).to_be_visible()
    expect(main.locator("[data-testid='stVegaLiteChart']").first).to_be_visible()
    expect(main.locator(".st-key-simulation_graph-chart [_echarts_instance_] canvas").first).to_be_visible(
        timeout=20_000
    )
    screenshot(page, screenshots, "simulation-run")


def test_download_gives_the_canonical_json_and_save_writes_the_workspace(
    page: Any, studio_workspace: Path
) -> None:
    doc = _open_first_scenario(page, studio_workspace)
    with page.expect_download() as download_info:
        page.locator(".st-key-download_json button").click()
    downloaded = Path(download_info.value.path()).read_bytes()
    assert downloaded == canonical_bytes(doc)

    name_box = page.get_by_label("Workspace name")
    name_box.fill("browser-copy")
    name_box.press("Enter")
    wait_for_app_run(page)
    click_keyed(page, "save")
    expect(page.get_by_text("Saved as browser-copy")).to_be_visible()
    assert (studio_workspace / "browser-copy.json").read_bytes() == canonical_bytes(doc)


def test_a_table_edit_in_the_browser_reaches_the_saved_file(page: Any, studio_workspace: Path) -> None:
    doc = _open_first_scenario(page, studio_workspace)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Exercise").click()
    wait_for_app_run(page)
    objectives = page.locator("[data-testid='stDataFrame']").first
    objectives.wait_for(state="visible")
    first = doc["objectives"][0]
    # x=100 px falls in the id column, right of the row-selection column.
    assert edit_grid_cell(page, objectives, 0, 100, "obj-renamed") == first["id"]
    expect(page.get_by_test_id("stSidebar").get_by_text("Unsaved changes")).to_be_visible()

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Scenario").click()
    wait_for_app_run(page)
    name_box = page.get_by_label("Workspace name")
    name_box.fill("browser-edit")
    name_box.press("Enter")
    wait_for_app_run(page)
    click_keyed(page, "save")
    expect(page.get_by_text("Saved as browser-edit")).to_be_visible()
    saved = json.loads((studio_workspace / "browser-edit.json").read_text(encoding="utf-8"))
    assert saved["objectives"][0]["id"] == "obj-renamed"
    # Its criteria followed the rename; nothing else in the document changed.
    assert saved["objectives"][0]["criteria"] == first["criteria"]
    saved["objectives"][0]["id"] = first["id"]
    assert saved == doc
