"""In Chromium: the interface language switch, exercise time in the Injects page, date and time pickers.

A designer picks French in the sidebar and every page speaks French; the Injects table and its time
filter read J1 09:30 (never PT1H); an inject's time is typed as exercise time and saved as the ISO
offset; STARTEX and a session are changed with the date and time pickers, no ISO text typed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from studio_browser import go_to, open_workspace_scenario, save_as, screenshot, wait_for_app_run

from studio.injects.generator import generate_msel
from studio.scenario.library import load_library
from studio.scenario.store import Workspace

pytestmark = pytest.mark.browser

NIGHT = "nuit-avec-msel"


@pytest.fixture(scope="module")
def night_with_injects(studio_workspace: Path) -> dict[str, Any]:
    """The night ransomware scenario with its generated MSEL, saved in the studio's workspace."""
    doc = generate_msel(load_library("ch-rancongiciel-nuit"), seed=0).scenario
    workspace = Workspace(studio_workspace)
    workspace.save(NIGHT, doc, workspace.current_token(NIGHT))
    return doc


def _language(page: Any, name: str) -> None:
    page.get_by_test_id("stSidebar").get_by_text(name, exact=True).click()
    wait_for_app_run(page)


def test_the_sidebar_switches_every_page_to_french_and_back(page: Any, night_with_injects: dict) -> None:
    open_workspace_scenario(page, NIGHT)
    _language(page, "Français")
    nav = page.get_by_test_id("stSidebarNav")
    for title, heading in (("Systèmes", "Systèmes"), ("Simulation", "Simulation"), ("Stimuli", "Stimuli")):
        nav.get_by_role("link", name=title).click()
        wait_for_app_run(page)
        expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
    expect(page.get_by_text("Générer le chronogramme (MSEL)")).to_be_visible()
    expect(page.get_by_text("Generate the MSEL")).to_have_count(0)
    expect(page.get_by_test_id("stSidebar").get_by_text("Valide", exact=False).first).to_be_visible()
    _language(page, "English")
    expect(page.get_by_role("heading", name="Injects", exact=True).first).to_be_visible()
    expect(page.get_by_text("Generate the MSEL")).to_be_visible()


def test_injects_show_exercise_time_and_an_edited_time_is_saved_as_an_offset(
    page: Any, night_with_injects: dict, studio_workspace: Path, screenshots: Path
) -> None:
    open_workspace_scenario(page, NIGHT)
    go_to(page, "Injects")
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    # The table is a canvas grid: read what it shows through its accessible cells.
    # The table is drawn on a canvas: read what it shows through its own "Download as CSV".
    # Without the File System Access API, Streamlit hands the CSV over as an ordinary download.
    page.evaluate("() => { window.showSaveFilePicker = undefined; }")
    table.hover()
    with page.expect_download() as download:
        table.get_by_role("button", name="Download as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "J1 " in text and not re.search(r"\bP(\d+D)?T\d", text), text[:500]  # no ISO offset
    time_filter = page.locator("[class*='st-key-flt_time'] [data-testid='stSliderThumbValue']")
    thumbs = time_filter.all_inner_texts()
    assert thumbs and all(value.startswith("J") for value in thumbs), thumbs
    screenshot(page, screenshots, "injects-exercise-time")

    form = page.locator("[data-testid='stForm']").filter(
        has=page.get_by_role("button", name="Save the inject")
    )
    time_box = form.get_by_label("time", exact=True)
    assert time_box.input_value().startswith("J1 ")
    first_id = page.locator(".st-key-inject_choice").inner_text()
    time_box.fill("J1 16:45")
    form.get_by_role("button", name="Save the inject").click()
    wait_for_app_run(page)
    expect(page.get_by_test_id("stSidebar").get_by_text("Unsaved changes")).to_be_visible(timeout=15_000)
    save_as(page, NIGHT)
    saved = json.loads((studio_workspace / f"{NIGHT}.json").read_text(encoding="utf-8"))
    startex = saved["exercise"]["startex"]
    assert startex[11:16] < "23:45", startex  # so J1 16:45 is a positive offset on the same day
    offsets = {inject["offset"] for inject in saved["injects"]}
    expected_minutes = (16 * 60 + 45) - (int(startex[11:13]) * 60 + int(startex[14:16]))
    hours, minutes = divmod(expected_minutes, 60)
    iso = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    assert iso in offsets, (first_id, iso)


def test_startex_and_a_session_are_picked_with_date_and_time_pickers(
    page: Any, night_with_injects: dict, studio_workspace: Path, screenshots: Path
) -> None:
    open_workspace_scenario(page, NIGHT)
    go_to(page, "Exercise")
    metadata = page.locator("[data-testid='stForm']").filter(
        has=page.get_by_role("button", name="Apply metadata")
    )
    # The pickers' own fields (day, month, year; hour, minute): no ISO text typed anywhere.
    day = metadata.get_by_role("spinbutton", name="day, STARTEX (date)")
    day.click()
    page.keyboard.type("20")
    hour = metadata.get_by_role("spinbutton", name="hour, STARTEX (time)")
    hour.click()
    page.keyboard.type("08")
    minute = metadata.get_by_role("spinbutton", name="minute, STARTEX (time)")
    minute.click()
    page.keyboard.type("15")
    metadata.get_by_role("spinbutton", name="day, ENDEX (date)").click()
    page.keyboard.type("20")  # play moves to the next day as a whole
    metadata.get_by_role("button", name="Apply metadata").click()
    wait_for_app_run(page)

    schedule = page.locator("[data-testid='stForm']").filter(
        has=page.get_by_role("button", name="Apply the schedule")
    )
    schedule.get_by_text("Add a session").click()
    schedule.get_by_role("button", name="Apply the schedule").click()
    wait_for_app_run(page)
    screenshot(page, screenshots, "exercise-pickers")
    save_as(page, NIGHT)
    saved = json.loads((studio_workspace / f"{NIGHT}.json").read_text(encoding="utf-8"))
    assert saved["exercise"]["startex"][:16] == "2026-03-20T08:15"
    assert saved["exercise"]["endex"][:16] == "2026-03-20T17:00"
    assert saved["exercise"]["startex"][19:] == night_with_injects["exercise"]["startex"][19:], "zone kept"
    (played,) = saved["exercise"]["sessions"]
    assert played["start"] == saved["exercise"]["startex"] and played["end"] == saved["exercise"]["endex"]
