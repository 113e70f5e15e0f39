"""Screenshots of every studio page with a territory of about 150 systems, for docs/studio.md.

    .venv/bin/python scripts/studio_screenshots.py [--out docs/studio] [--library territoire-insulaire-ght]

Starts ``crisis-studio ui`` with a temporary workspace holding that library scenario (147 systems,
several organisations and sites), or with ``--systems N`` a synthetic hospital, drives Debian's
Chromium through the designer's flow (open, select a system in the graph, run, Monte Carlo,
generate the MSEL, build the exports) and saves one PNG per page, with the interface in French (the
language of the designers of French hospital exercises). Look at them before committing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "studio")
    parser.add_argument("--library", default="territoire-insulaire-ght")
    parser.add_argument("--systems", type=int, help="a synthetic hospital of this size instead")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright
    from studio_browser import (
        CHROMIUM,
        CHROMIUM_FLAGS,
        choose,
        click_keyed,
        go_to,
        serve_studio,
        wait_for_app_run,
    )

    from studio.propagation.synthetic import hospital_scenario
    from studio.scenario.library import load_library
    from studio.scenario.store import Workspace

    if args.systems:
        name, doc = f"hospital-{args.systems}", hospital_scenario(args.systems)
    else:
        name, doc = args.library, load_library(args.library)
    first_entry = doc["attack"]["initial_access"][0]["node"]
    entry_name = next(system["name"] for system in doc["systems"] if system["id"] == first_entry)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder) / "workspace"
        Workspace(workspace).save(name, doc, None)
        french = {"CRISIS_STUDIO_LANGUAGE": "fr"}
        log = Path(folder) / "studio.log"
        with serve_studio(workspace, log, french) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            page.goto(url)
            wait_for_app_run(page)
            go_to(page, "Scénario")
            choose(page, "workspace_choice", name)
            click_keyed(page, "open_workspace")

            def shot(file: str, locator: object = None) -> None:
                page.mouse.move(5, 5)  # no hover highlight in the picture
                page.wait_for_timeout(800)  # canvases and charts draw just after the script ends
                target = locator or page
                target.screenshot(path=str(args.out / f"{file}.png"))
                print(args.out / f"{file}.png")

            shot("scenario")
            go_to(page, "Exercice")
            shot("exercise")
            go_to(page, "Systèmes")
            shot("systems")
            choose(page, "systems_graph-search", f"{entry_name} ({first_entry})")
            page.get_by_text(f"Système choisi : {entry_name}").wait_for()
            page.get_by_text(f"Système choisi : {entry_name}").scroll_into_view_if_needed()
            shot("systems-selected")
            go_to(page, "Simulation")
            page.get_by_role("tab", name="Un tirage").click()
            click_keyed(page, "run_once")
            slider = page.locator("[class*='st-key-state_minute'] input[type='range']")
            slider.focus()
            for _ in range(8):
                slider.press("ArrowLeft")
                wait_for_app_run(page)
            page.get_by_text("Chronologie de ce tirage").scroll_into_view_if_needed()
            shot("simulation-run")
            page.get_by_role("tab", name="Monte-Carlo").click()
            page.locator(".st-key-mc_runs input").fill("200")
            choose(page, "mc_engine", "reference")
            click_keyed(page, "mc_run")
            page.get_by_text("200 tirages (moteur").wait_for(timeout=300_000)
            choose(page, "mc_metric-fr", "chiffrement")
            shot("simulation-monte-carlo")
            go_to(page, "Stimuli")
            click_keyed(page, "gen_run")
            shot("injects")
            go_to(page, "Exports")
            click_keyed(page, "export_build")
            page.locator(".st-key-download_all button").wait_for(timeout=300_000)
            shot("exports")
            browser.close()


if __name__ == "__main__":
    main()
