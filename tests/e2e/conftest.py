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
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from studio_browser import CHROMIUM, CHROMIUM_FLAGS, wait_for_app_run

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


def _wait_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
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
    raise RuntimeError(
        f"the studio did not answer within {START_TIMEOUT} s:\n{log.read_text(errors='replace')}"
    )


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
        _wait_healthy(url, server, log)
        yield url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


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
