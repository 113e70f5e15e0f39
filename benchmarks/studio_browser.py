"""The studio in a real browser at 150 and 1,000 systems: page loads and the time slider.

    python benchmarks/studio_browser.py [--systems 150 1000] [--repeats 5]

Starts ``crisis-studio ui`` on a free loopback port with a temporary workspace holding synthetic
hospitals (studio.propagation.synthetic), and drives Debian's Chromium (/usr/bin/chromium) with
Playwright. For each size it prints, in seconds (median and worst of ``--repeats``):

- **Systems page load**: click on "Systems" in the sidebar until the graph is drawn and the script
  has finished;
- **Simulation page load**: the same for the Simulation page and its "Single run" tab (a run
  already made);
- **slider response**: a key press on the time slider until the graph shows the new colours and the
  script has finished (the slider and the graph form a fragment: only they rerun, and the chart is
  recoloured in place by studio/ui/assets/graph_hook.js);
- **peer: full rerun**, measured in the same run on the same page: ticking the "Nominal" box, which
  reruns the whole app, until the script has finished. ``slider / full rerun`` is their ratio.

Nothing is asserted: the figures are for people (docs/studio.md). Needs /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))

# Counts the script runs that finished (the stApp element's script state going back to notRunning),
# so that a wait cannot end before the rerun it waits for has even started. Each attribute change is
# read from its own record: a fast fragment rerun sets "running" then "notRunning" so quickly that both
# records arrive in one callback, when the attribute already reads "notRunning".
_COUNT_RUNS = """() => {
    if (window.benchRuns !== undefined) return;
    window.benchRuns = 0;
    const app = document.querySelector("[data-testid='stApp']");
    new MutationObserver((records) => {
        for (const record of records) {
            if (record.oldValue === "running") window.benchRuns += 1;  // a run ended
        }
    }).observe(app, {attributeFilter: ["data-test-script-state"], attributeOldValue: true});
}"""
_FINISHED = "document.querySelector(\"[data-testid='stApp']\")?.dataset.testScriptState === 'notRunning'"


def _drawing(key: str) -> str:
    """JS expression: what the graph shows now (SVG markup, or the canvas pixels as a data URL)."""
    root = f'document.querySelector(".st-key-{key}-chart [_echarts_instance_]")'
    return (
        f"(({root}?.querySelector('svg')?.innerHTML) ?? ({root}?.querySelector('canvas')?.toDataURL()) ?? '')"
    )


def _graph_drawn(key: str) -> str:
    # SVG: its labels are there; canvas: a data URL of more than a blank canvas.
    drawing = _drawing(key)
    return f'() => ({drawing}.includes("<text") || {drawing}.length > 20000) && {_FINISHED}'


def _watch_drawing(key: str) -> str:
    """JS: note any change of the SVG drawing in ``window.benchDrawn`` (a MutationObserver, so that
    waiting does not serialise a large SVG on every frame, which would slow the page it measures)."""
    root = f'document.querySelector(".st-key-{key}-chart [_echarts_instance_]")'
    return f"""() => {{
        window.benchDrawn = false;
        window.benchObserver?.disconnect();
        window.benchObserver = new MutationObserver(() => {{ window.benchDrawn = true; }});
        window.benchRoot = {root};
        window.benchObserver.observe(window.benchRoot, {{subtree: true, childList: true, attributes: true}});
        const svg = !!{root}.querySelector('svg');
        return {{runs: window.benchRuns, svg: svg, drawing: svg ? '' : {_drawing(key)}}};
    }}"""


def _graph_changed(key: str) -> str:
    root = f'document.querySelector(".st-key-{key}-chart [_echarts_instance_]")'
    # Drawn anew in a new element (the chart was mounted again) counts as changed too.
    redrawn = f"({root} !== window.benchRoot && {_drawing(key)}.length > 0)"
    changed = f"(before.svg ? (window.benchDrawn || {redrawn}) : {_drawing(key)} !== before.drawing)"
    # New colours can only come from the rerun the key press asked for, so the change itself proves
    # that the rerun happened (a fragment rerun can be too quick for the script state to show it).
    return f"(before) => {changed} && {_FINISHED}"


def _timed(action: Callable[[], None], until: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    until()
    return time.perf_counter() - start


def _summary(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} median, {max(values):6.2f} worst"


LOST_AFTER_MS = 20_000
"""A slider move that shows nothing within this time is counted as lost and pressed again."""


def measure(page: Any, name: str, repeats: int) -> dict[str, list[float]]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from studio_browser import click_keyed, go_to, open_workspace_scenario, wait_for_app_run

    nav = page.get_by_test_id("stSidebarNav")
    open_workspace_scenario(page, name)
    figures: dict[str, list[float]] = {"systems": [], "simulation": [], "slider": [], "full rerun": []}
    for _ in range(repeats):
        go_to(page, "Scenario")
        figures["systems"].append(
            _timed(
                lambda: nav.get_by_role("link", name="Systems").click(),
                lambda: page.wait_for_function(_graph_drawn("systems_graph"), timeout=120_000),
            )
        )
    go_to(page, "Simulation")
    page.get_by_role("tab", name="Single run").click()
    click_keyed(page, "run_once")
    page.wait_for_function(_graph_drawn("simulation_graph"), timeout=120_000)
    for _ in range(repeats):
        go_to(page, "Scenario")

        def open_simulation() -> None:
            nav.get_by_role("link", name="Simulation").click()
            page.get_by_role("tab", name="Single run").click()  # the graph is drawn in that tab

        figures["simulation"].append(
            _timed(
                open_simulation,
                lambda: page.wait_for_function(_graph_drawn("simulation_graph"), timeout=120_000),
            )
        )
    page.get_by_role("tab", name="Single run").click()
    slider = page.locator("[class*='st-key-state_minute'] input[type='range']")
    page.evaluate(_COUNT_RUNS)
    lost = 0
    for index in range(repeats * 2):
        key = "Home" if index % 2 == 0 else "End"  # start and end of the run: the colours differ
        for _attempt in range(3):
            before = page.evaluate(_watch_drawing("simulation_graph"))
            slider.focus()
            try:
                figures["slider"].append(
                    _timed(
                        lambda key=key: slider.press(key),
                        lambda before=before: page.wait_for_function(
                            _graph_changed("simulation_graph"), arg=before, timeout=LOST_AFTER_MS
                        ),
                    )
                )
                break
            except PlaywrightTimeout:
                lost += 1  # reported: a move whose new colours never showed (pressed again)
                wait_for_app_run(page)
    figures["lost slider moves"] = [float(lost)]
    nominal = page.locator(".st-key-run_nominal input[type='checkbox']")
    for _ in range(repeats):
        runs = page.evaluate("() => window.benchRuns")
        figures["full rerun"].append(
            _timed(
                lambda: nominal.click(force=True),
                lambda runs=runs: page.wait_for_function(
                    f"(runs) => window.benchRuns > runs && {_FINISHED}", arg=runs, timeout=120_000
                ),
            )
        )
    wait_for_app_run(page)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, nargs="+", default=[150, 1000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright
    from studio_browser import CHROMIUM, CHROMIUM_FLAGS, serve_studio, wait_for_app_run

    from studio.propagation.synthetic import hospital_scenario
    from studio.scenario.store import Workspace

    if not CHROMIUM.exists():
        sys.exit("/usr/bin/chromium is not installed")
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder) / "workspace"
        for size in args.systems:
            Workspace(workspace).save(f"hospital-{size}", hospital_scenario(size), None)
        with (
            # English labels, which the page locators below look for.
            serve_studio(workspace, Path(folder) / "studio.log", {"CRISIS_STUDIO_LANGUAGE": "en"}) as url,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            print(f"studio in Chromium, {args.repeats} repeats (slider: {2 * args.repeats} moves), seconds")
            for size in args.systems:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(url)
                wait_for_app_run(page)
                figures = measure(page, f"hospital-{size}", args.repeats)
                page.close()
                print(f"\n{size} systems")
                lost = int(figures.pop("lost slider moves")[0])
                for label, values in figures.items():
                    print(f"  {label:<18} {_summary(values)}")
                print(f"  lost slider moves  {lost} (no new colours within {LOST_AFTER_MS / 1000:.0f} s)")
                ratio = statistics.median(figures["slider"]) / statistics.median(figures["full rerun"])
                print(f"  slider / full rerun {ratio:6.2f}")
            browser.close()
    print(f"\nload average (1, 5, 15 min): {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
