"""Real-browser fixtures: the studio served by ``crisis-studio ui`` and Debian's Chromium via Playwright.

Never ``playwright install``: the browser is the system's /usr/bin/chromium.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from studio_browser import CHROMIUM, PAGE_TIMEOUT_MS, chromium_browser, serve_studio, wait_for_app_run


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
    log = tmp_path_factory.mktemp("e2e-log") / "studio.log"
    # English labels, which the tests look for; test_studio_language.py switches to French in the page.
    environment = {
        "CRISIS_STUDIO_CACHE": str(tmp_path_factory.mktemp("e2e-cache")),
        "CRISIS_STUDIO_LANGUAGE": "en",
    }
    with serve_studio(studio_workspace, log, environment) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    # One Chromium per test process, shared with the team-mode tests (Playwright's sync API allows one).
    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture
def page(browser: object, studio_url: str) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 2000}, accept_downloads=True)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    page.goto(studio_url)
    wait_for_app_run(page)
    try:
        yield page
    finally:
        context.close()
