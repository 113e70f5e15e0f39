"""The studio at real sizes in Chromium: a 150-system hospital, the time slider, drafts, downloads.

These are the designer's flows of issue 11: zoom and click in the graph, edit the selected system
and find the change in the saved file; move the time slider (colours change, nodes stay put); close
the tab with unsaved work and recover it; download every export as one zip; upload a junk file.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from studio_browser import (
    PAGE_TIMEOUT_MS,
    click_keyed,
    go_to,
    graph_label,
    graph_svg,
    open_workspace_scenario,
    save_as,
    screenshot,
    wait_for_app_run,
)

from studio.propagation.synthetic import hospital_scenario
from studio.scenario.library import list_library
from studio.scenario.store import Workspace

pytestmark = pytest.mark.browser

HOSPITAL = "hospital-150"


@pytest.fixture(scope="module")
def hospital(studio_workspace: Path) -> dict[str, Any]:
    """A 150-system synthetic hospital saved in the studio's workspace."""
    doc = hospital_scenario(150)
    workspace = Workspace(studio_workspace)
    workspace.save(HOSPITAL, doc, workspace.current_token(HOSPITAL))
    return doc


def _rename_selected_system(page: Any, new_name: str) -> None:
    form = page.locator("[data-testid='stForm']").filter(has=page.get_by_text("Apply to the system"))
    form.get_by_label("Name", exact=True).fill(new_name)
    expect(form.get_by_label("Name", exact=True)).to_have_value(new_name)
    form.get_by_role("button", name="Apply to the system").click()
    wait_for_app_run(page)
    expect(page.get_by_test_id("stSidebar").get_by_text("Unsaved changes")).to_be_visible(timeout=15_000)


def test_graph_at_150_systems_zoom_click_edit_and_save(
    page: Any, hospital: dict[str, Any], studio_workspace: Path, screenshots: Path
) -> None:
    open_workspace_scenario(page, HOSPITAL)
    go_to(page, "Systems")
    svg = graph_svg(page, "systems_graph")
    # Readable at 150 systems: every system has its label in the drawing.
    assert svg.locator("text").count() >= len(hospital["systems"]) // 2
    vpn = graph_label(page, "systems_graph", "Vpn")
    vpn.scroll_into_view_if_needed()
    wait_for_app_run(page)
    chart = page.locator(".st-key-systems_graph-chart")

    def place_in_chart() -> tuple[float, float]:
        label, frame = vpn.bounding_box(), chart.bounding_box()
        return (round(label["x"] - frame["x"]), round(label["y"] - frame["y"]))

    before = place_in_chart()
    box = chart.bounding_box()

    # The wheel over the drawing zooms it (a label moves inside the chart, not with the page). A
    # wheel that lands while the page is still settling scrolls the page instead: try again.
    def moved(place: tuple[float, float]) -> float:
        return max(abs(place[0] - before[0]), abs(place[1] - before[1]))

    for _ in range(6):
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, -500)
        page.wait_for_timeout(500)
        if moved(place_in_chart()) > 80:  # far enough to tell a kept zoom from a reset view
            break
        box = chart.bounding_box()
    assert place_in_chart() != before, "the wheel zooms the graph"
    zoomed = place_in_chart()
    screenshot(page, screenshots, "systems-150-zoomed")

    def near(place: tuple[float, float], other: tuple[float, float]) -> bool:
        # The selected node grows and its label turns bold: a few pixels, not a reset of the view.
        return abs(place[0] - other[0]) <= 20 and abs(place[1] - other[1]) <= 20

    assert moved(zoomed) > 80, "the zoom moved the label well away"
    vpn.click()
    wait_for_app_run(page)
    expect(page.get_by_text("Selected system: Vpn")).to_be_visible(timeout=15_000)
    page.wait_for_timeout(500)
    assert near(place_in_chart(), zoomed), f"the zoom is kept after a click: {place_in_chart()} vs {zoomed}"
    _rename_selected_system(page, "VPN gateway")
    vpn = graph_label(page, "systems_graph", "VPN gateway")
    expect(vpn).to_be_visible()
    page.wait_for_timeout(500)
    assert near(place_in_chart(), zoomed), f"the zoom is kept after an edit: {place_in_chart()} vs {zoomed}"
    save_as(page, HOSPITAL)
    saved = json.loads((studio_workspace / f"{HOSPITAL}.json").read_text(encoding="utf-8"))
    assert next(system for system in saved["systems"] if system["id"] == "vpn")["name"] == "VPN gateway"


def test_time_slider_recolours_the_graph_without_moving_it(
    page: Any, hospital: dict[str, Any], screenshots: Path
) -> None:
    open_workspace_scenario(page, HOSPITAL)
    go_to(page, "Simulation")
    page.get_by_role("tab", name="Single run").click()
    click_keyed(page, "run_once")
    canvas = page.locator(".st-key-simulation_graph-chart [_echarts_instance_] canvas").first
    canvas.wait_for(state="visible", timeout=20_000)
    canvas.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    drawing = canvas.evaluate("canvas => canvas.toDataURL()")
    merges = page.evaluate("() => window.crisisStudioMerges")
    slider = page.locator("[class*='st-key-state_minute'] input[type='range']")
    slider.focus()
    slider.press("Home")  # back to the start of the timeline
    wait_for_app_run(page)
    page.wait_for_timeout(500)
    assert canvas.evaluate("canvas => canvas.toDataURL()") != drawing, "the colours follow the time"
    # Merged into the chart (assets/graph_hook.js): recoloured in place, not laid out again.
    assert page.evaluate("() => window.crisisStudioMerges") > merges
    screenshot(page, screenshots, "simulation-150-start")


def test_unsaved_work_is_recovered_after_the_tab_is_closed(
    browser: Any, studio_url: str, hospital: dict[str, Any]
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    page.goto(studio_url)
    wait_for_app_run(page)
    open_workspace_scenario(page, HOSPITAL)
    go_to(page, "Systems")
    graph_label(page, "systems_graph", "Internet").click()
    wait_for_app_run(page)
    expect(page.get_by_text("Selected system: Internet")).to_be_visible(timeout=15_000)
    _rename_selected_system(page, "Internet (draft)")
    # The browser is asked to warn before leaving; the draft is on disk anyway.
    assert page.evaluate("window.crisisStudioUnsaved") is True
    context.close()  # the tab is closed without saving

    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    page.goto(studio_url)
    wait_for_app_run(page)
    expect(page.get_by_text("Unsaved work to recover")).to_be_visible()
    line = page.locator("[data-testid='stHorizontalBlock']").filter(has_text="Synthetic hospital").first
    line.get_by_role("button", name="Recover").click()
    wait_for_app_run(page)
    expect(page.get_by_test_id("stSidebar").get_by_text("Unsaved changes")).to_be_visible()
    go_to(page, "Systems")
    expect(graph_label(page, "systems_graph", "Internet (draft)")).to_be_visible()
    context.close()


def test_download_all_gives_one_zip_of_every_file(page: Any, studio_workspace: Path) -> None:
    entries = list_library()
    if not entries:
        pytest.skip("no library scenario to export")
    go_to(page, "Scenario")
    page.get_by_text("Discard my unsaved changes").click() if page.get_by_text(
        "Discard my unsaved changes"
    ).count() else None
    click_keyed(page, "open_library")
    go_to(page, "Exports")
    click_keyed(page, "export_build")
    button = page.locator(".st-key-download_all button")
    button.wait_for(timeout=120_000)
    with page.expect_download() as download_info:
        button.click()
    data = Path(download_info.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
    assert any(name.endswith(".docx") for name in names) and any(name.endswith(".xlsx") for name in names)
    assert f"Download all ({len(names)} files, zip)" in button.inner_text()


def test_a_junk_upload_is_refused_clearly_and_the_page_stays_usable(page: Any) -> None:
    go_to(page, "Scenario")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "junk.json", "mimeType": "application/json", "buffer": b'{"hello": "world"}'}]
    )
    wait_for_app_run(page)
    expect(page.get_by_text("not a Crisis Studio scenario")).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0
    expect(page.locator(".st-key-open_library button")).to_be_enabled()
    expect(page.locator(".st-key-open_workspace button")).to_be_enabled()
