"""Helpers for driving the studio in Chromium with Playwright (imported by the e2e conftest and tests)."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
PAGE_TIMEOUT_MS = 90_000
"""Playwright's wait for one action (30 s by default): a two-core machine running the rest of the
suite can take longer than that to rerun a page, and a passing test does not wait any longer."""
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


_shared_browser: dict[str, Any] = {}


@contextlib.contextmanager
def chromium_browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser), closed after its last user.

    One per test process: Playwright's sync API refuses a second instance while one is running, and the
    studio's and the team mode's browser tests each hold one for their whole module or session.
    """
    if not _shared_browser:
        from playwright.sync_api import expect, sync_playwright

        # expect() assertions have their own wait (5 s by default), not the context's: the same
        # loaded machine needs the same patience for both
        expect.set_options(timeout=PAGE_TIMEOUT_MS)
        manager = sync_playwright()
        playwright = manager.__enter__()
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        _shared_browser.update(manager=manager, browser=browser, users=0)
    _shared_browser["users"] += 1
    try:
        yield _shared_browser["browser"]
    finally:
        _shared_browser["users"] -= 1
        if _shared_browser["users"] == 0:
            _shared_browser["browser"].close()
            _shared_browser["manager"].__exit__(None, None, None)
            _shared_browser.clear()


def wait_healthy(url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> None:
    """Wait until the Streamlit server at ``url`` answers its health check; fail with its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                f"the studio exited with {server.returncode}:\n{log.read_text(errors='replace')}"
            )
        try:
            with urllib.request.urlopen(f"{url}_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the studio did not answer within {timeout} s:\n{log.read_text(errors='replace')}")


def stop_process_group(server: subprocess.Popen[bytes]) -> None:
    """Stop a server started in its own session: SIGTERM to its whole group, SIGKILL if it lingers."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def wait_for_app_run(page: Any, timeout: float = 30_000) -> None:
    """Wait until Streamlit is connected and its script has finished running (as Streamlit's own e2e)."""
    page.wait_for_timeout(210)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout
    )
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout
    )


def click_keyed(page: Any, key: str) -> None:
    """Click the button of the widget with Streamlit key ``key`` (Streamlit tags it ``st-key-<key>``)."""
    page.locator(f".st-key-{key} button").click()
    wait_for_app_run(page)


def screenshot(page: Any, folder: Path, name: str) -> Path:
    """Save a full-page screenshot as ``folder/name.png`` for a person to look at."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.wait_for_timeout(500)  # table canvases draw a moment after the script has finished
    page.screenshot(path=str(path), full_page=True)
    return path


HEADER_HEIGHT = 35
ROW_HEIGHT = 35


def edit_grid_cell(page: Any, grid: Any, row: int, x_offset: float, text: str) -> str:
    """Type ``text`` into a cell of a data editor (a canvas: cells are found by geometry).

    ``x_offset`` is measured from the grid's left edge. Returns the cell's previous value. The first
    click focuses the canvas, the second selects (and may open) the cell; Enter opens the editor.
    """
    box = grid.bounding_box()
    x, y = box["x"] + x_offset, box["y"] + HEADER_HEIGHT + ROW_HEIGHT * row + ROW_HEIGHT / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(200)
    page.mouse.click(x, y)
    page.wait_for_timeout(200)
    editor = page.locator("textarea.gdg-input")
    if not editor.count():
        page.keyboard.press("Enter")
    editor.wait_for(timeout=5_000)
    previous = editor.input_value()
    editor.fill(text)
    editor.press("Enter")
    wait_for_app_run(page)
    return previous


def go_to(page: Any, title: str) -> None:
    """Open a studio page from the sidebar navigation."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    wait_for_app_run(page)


def choose(page: Any, key: str, option: str) -> None:
    """Pick ``option`` in the select box with Streamlit key ``key``."""
    page.locator(f".st-key-{key}").click()
    page.keyboard.type(option)  # long lists only render the options that match what is typed
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app_run(page)


def open_workspace_scenario(page: Any, name: str) -> None:
    """Open the workspace scenario ``name`` from the Scenario page."""
    go_to(page, "Scenario")
    choose(page, "workspace_choice", name)
    click_keyed(page, "open_workspace")


def save_as(page: Any, name: str) -> None:
    """Save the open scenario to the workspace under ``name`` from the Scenario page (English labels)."""
    from playwright.sync_api import expect

    go_to(page, "Scenario")
    name_box = page.get_by_label("Workspace name")
    name_box.fill(name)
    name_box.press("Enter")
    wait_for_app_run(page)
    click_keyed(page, "save")
    expect(page.get_by_text(f"Saved as {name}")).to_be_visible()


def graph_svg(page: Any, graph_key: str) -> Any:
    """The SVG drawing of the interactive graph whose widget key is ``graph_key``."""
    svg = page.locator(f".st-key-{graph_key}-chart [_echarts_instance_] svg").first
    svg.wait_for(state="visible", timeout=20_000)
    return svg


def graph_label(page: Any, graph_key: str, name: str) -> Any:
    """The label of the node called ``name`` in that graph (clicking it selects the node)."""
    return graph_svg(page, graph_key).locator("text", has_text=name).first


# ------------------------------------------------------------------ the server (tests and benchmarks)

START_TIMEOUT = 60.0
PR_SET_PDEATHSIG = 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _studio_command(port: int, workspace: Path) -> list[str]:
    executable = Path(sys.executable).parent / "crisis-studio"
    base = [str(executable)] if executable.is_file() else [sys.executable, "-m", "studio.cli"]
    return [*base, "ui", "--port", str(port), "--workspace", str(workspace)]


def _die_with_parent() -> None:
    """In the server's process: ask Linux to send SIGTERM when the test process dies.

    The fixture's teardown stops the server normally; this covers a test run that is killed outright
    (SIGKILL, a CI timeout), which would otherwise leave the studio running. ``crisis-studio ui``
    turns SIGTERM into stopping its Streamlit server.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: rely on the teardown alone


@contextlib.contextmanager
def serve_studio(workspace: Path, log: Path, environment: Mapping[str, str] | None = None) -> Iterator[str]:
    """Run ``crisis-studio ui`` on a free loopback port; yield its URL; always stop its process group.

    No LLM endpoint is passed on (the studio runs offline, as in CI).
    """
    port = _free_port()
    env = {**os.environ, **(environment or {})}
    # The browser tests (these and team mode's) look for English labels; a caller may ask for French.
    env.setdefault("CRISIS_STUDIO_LANGUAGE", "en")
    for variable in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(variable, None)
    with log.open("wb") as output:
        # Its own session, so that the CLI and the Streamlit server it started stop together.
        server = subprocess.Popen(
            _studio_command(port, workspace),
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_healthy(url, server, log, START_TIMEOUT)
        yield url
    finally:
        stop_process_group(server)
