"""Real-browser fixtures: the studio served by ``crisis-studio ui`` and Debian's Chromium via Playwright.

Never ``playwright install``: the browser is the system's /usr/bin/chromium.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from studio_browser import CHROMIUM, chromium_browser, stop_process_group, wait_for_app_run, wait_healthy

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


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $CRISIS_STUDIO_SCREENSHOTS if set (to keep and look at), else a temp folder."""
    chosen = os.environ.get("CRISIS_STUDIO_SCREENSHOTS")
    return Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def studio_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e-workspace")


@pytest.fixture(scope="session")
def studio_url(tmp_path_factory: pytest.TempPathFactory, studio_workspace: Path) -> Iterator[str]:
    """Start ``crisis-studio ui`` on a free loopback port; always stop it (its whole process group)."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    port = _free_port()
    log = tmp_path_factory.mktemp("e2e-log") / "studio.log"
    environment = {**os.environ, "CRISIS_STUDIO_CACHE": str(tmp_path_factory.mktemp("e2e-cache"))}
    for variable in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        environment.pop(variable, None)
    with log.open("wb") as output:
        # Its own session, so the fixture can stop the CLI and the Streamlit server it started together.
        server = subprocess.Popen(
            _studio_command(port, studio_workspace),
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_healthy(url, server, log, START_TIMEOUT)
        yield url
    finally:
        stop_process_group(server)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture
def page(browser: object, studio_url: str) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 2000}, accept_downloads=True)
    page = context.new_page()
    page.goto(studio_url)
    wait_for_app_run(page)
    try:
        yield page
    finally:
        context.close()
