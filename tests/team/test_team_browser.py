"""Team mode in a real browser: OIDC sign-in against a provider started here, roles, history, audit.

Debian's Chromium via Playwright; oidc-provider-mock and ``crisis-studio ui --team`` on 127.0.0.1.
Each test works on its own scenario, seeded through the library by the designer.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from studio_browser import (
    CHROMIUM,
    PAGE_TIMEOUT_MS,
    chromium_browser,
    click_keyed,
    go_to,
    open_workspace_scenario,
    screenshot,
    wait_for_app_run,
)
from team_server import PEOPLE, TeamStudio, oidc_provider, team_studio

from studio.scenario.store import Workspace
from studio.team import actions
from studio.team.actions import Team
from studio.team.audit import AuditLog
from studio.team.identity import actor_from_claims
from studio.team.settings import load_team_settings

pytestmark = pytest.mark.browser

MINIMAL = json.loads(
    (Path(__file__).resolve().parent.parent / "scenario" / "minimal.json").read_text("utf-8")
)


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TeamStudio]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    with (
        oidc_provider() as provider_port,
        team_studio(tmp_path_factory.mktemp("team"), provider_port) as served,
    ):
        yield served


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def new_page(chromium: Any, screenshots: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Make pages, each in its own browser context (its own cookies: its own signed-in person)."""
    contexts: list[Any] = []

    def make() -> Any:
        context = chromium.new_context(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for index, context in enumerate(contexts):
        for page in context.pages:  # the last state of every page, for a person to look at
            screenshot(page, screenshots, f"{request.node.name}-{index}")
        context.close()


def _team(studio: TeamStudio) -> Team:
    return Team.from_settings(load_team_settings(studio.settings))


def _seed(studio: TeamStudio, name: str, document: dict[str, Any] | None = None) -> str:
    """Save a scenario as the designer through the library (the state a test starts from)."""
    team = _team(studio)
    dana = actor_from_claims(PEOPLE["dana"], team.settings.roles, team.settings.group_claim)
    doc = copy.deepcopy(document or MINIMAL)
    doc["id"] = name
    return actions.save(team, dana, name, doc, None, "seeded by the test")


def sign_in(page: Any, studio: TeamStudio, who: str) -> None:
    page.goto(studio.url)
    wait_for_app_run(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=who, exact=True).click()  # the provider's sign-in page
    page.wait_for_url(f"{studio.url}**")
    wait_for_app_run(page)
    page.get_by_test_id("stSidebar").get_by_text(PEOPLE[who]["email"]).wait_for()


def choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label``. A rerun that lands just after the
    click redraws the box closed (seen once on a loaded machine: the option never showed in 90 s),
    so the box is opened again if the option does not show."""
    wait_for_app_run(page)
    box = page.get_by_test_id("stSelectbox").filter(has_text=label).first
    wanted = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        box.click()
        try:
            wanted.wait_for(timeout=20_000)
            break
        except PlaywrightTimeout:
            wait_for_app_run(page)
    wanted.click()
    wait_for_app_run(page)


def add_catalogue_system(page: Any, entry: str) -> None:
    go_to(page, "Systems")
    page.get_by_text("Add systems from the catalogue").click()
    option = page.get_by_role("option", name=f"({entry})")  # labels read "Name (id)"
    for _attempt in range(5):  # a rerun still drawing the page (graph, tables) can clear the typed text
        wait_for_app_run(page)
        page.locator(".st-key-catalogue_entries input").fill(entry)
        try:
            option.wait_for(timeout=3_000)
            break
        except PlaywrightTimeout:
            continue
    option.click()
    wait_for_app_run(page)
    page.keyboard.press("Escape")
    click_keyed(page, "catalogue_add")


def set_status(page: Any, status: str, comment: str = "") -> None:
    go_to(page, "Injects")
    page.get_by_role("tab", name="Review").click()
    page.get_by_test_id("stSelectbox").filter(has_text="New status").click()
    page.get_by_role("option", name=status, exact=True).click()
    wait_for_app_run(page)
    if comment:
        page.locator(".st-key-review_comment input").fill(comment)
        page.locator(".st-key-review_comment input").press("Enter")
        wait_for_app_run(page)
    click_keyed(page, "review_apply")


def save(page: Any, message: str) -> None:
    go_to(page, "Scenario")
    box = page.locator(".st-key-team_save_message input")
    box.fill(message)
    box.press("Enter")
    wait_for_app_run(page)
    click_keyed(page, "save")


def main_text(page: Any) -> str:
    return page.get_by_test_id("stMain").inner_text()


def audit(studio: TeamStudio, scenario: str) -> list[tuple[str, str, str]]:
    return [
        (e.user, e.action, e.outcome) for e in AuditLog(studio.audit_log).entries() if e.scenario == scenario
    ]


def test_a_person_without_a_role_is_refused_and_the_studio_shows_nothing(
    studio: TeamStudio, new_page: Any
) -> None:
    page = new_page()
    page.goto(studio.url)
    wait_for_app_run(page)
    assert page.get_by_test_id("stSidebarNav").count() == 0  # nothing before signing in
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="nina", exact=True).click()
    page.wait_for_url(f"{studio.url}**")
    wait_for_app_run(page)
    page.get_by_text("Signing in to this studio needs the designer or reviewer").wait_for()
    assert page.get_by_test_id("stSidebarNav").count() == 0
    entries = AuditLog(studio.audit_log).entries()
    assert ("nina@elsewhere.example.org", "refused") in [(e.user, e.outcome) for e in entries]


def test_designer_edits_systems_and_saves_a_revision(
    studio: TeamStudio, new_page: Any, screenshots: Path
) -> None:
    _seed(studio, "designer-edit")
    page = new_page()
    sign_in(page, studio, "dana")
    open_workspace_scenario(page, "designer-edit")
    add_catalogue_system(page, "telephony")
    assert "Not changed" not in main_text(page)
    save(page, "Telephony added")
    page.get_by_text("Saved as designer-edit").wait_for()
    saved, _ = Workspace(studio.workspace).load("designer-edit")
    assert "telephony" in [system["id"] for system in saved["systems"]]
    latest = _team(studio).history.revisions("designer-edit")[0]
    assert (latest.author, latest.message) == ("Dana Designer <dana@chu.example.org>", "Telephony added")
    assert ("dana@chu.example.org", "save", "ok") in audit(studio, "designer-edit")
    screenshot(page, screenshots, "team-designer-saved")


def test_reviewer_cannot_edit_systems_is_told_why_and_reviews_injects(
    studio: TeamStudio, new_page: Any, screenshots: Path
) -> None:
    _seed(studio, "reviewer-work")
    page = new_page()
    sign_in(page, studio, "remi")
    open_workspace_scenario(page, "reviewer-work")
    add_catalogue_system(page, "telephony")
    page.get_by_text("Not changed: Changing the systems and links needs the designer role").wait_for()
    screenshot(page, screenshots, "team-reviewer-refused")
    set_status(page, "reviewed", "relu")
    # The review trail holds the signed-in person, not a typed name.
    assert page.locator(".st-key-team_reviewer input").input_value() == "Remi Reviewer <remi@chu.example.org>"
    save(page, "Inject reviewed")
    page.get_by_text("Saved as reviewer-work").wait_for()
    saved, _ = Workspace(studio.workspace).load("reviewer-work")
    assert "telephony" not in [system["id"] for system in saved["systems"]]
    entry = saved["injects"][0]["review_log"][-1]
    assert (entry["status"], entry["by"]) == ("reviewed", "Remi Reviewer <remi@chu.example.org>")
    trail = audit(studio, "reviewer-work")
    assert ("remi@chu.example.org", "changing the systems and links", "refused") in trail
    assert ("remi@chu.example.org", "status change", "ok") in trail
    assert ("remi@chu.example.org", "save", "ok") in trail


def test_approver_approves_and_reads_the_audit_log(
    studio: TeamStudio, new_page: Any, screenshots: Path
) -> None:
    from studio.injects.review import set_review_status

    reviewed = set_review_status(
        copy.deepcopy(MINIMAL), "inj-1", "reviewed", "Remi Reviewer <remi@chu.example.org>"
    )
    _seed(studio, "approver-work", reviewed)
    page = new_page()
    sign_in(page, studio, "alex")
    open_workspace_scenario(page, "approver-work")
    set_status(page, "approved")
    save(page, "Approved for the exercise")
    page.get_by_text("Saved as approver-work").wait_for()
    saved, _ = Workspace(studio.workspace).load("approver-work")
    assert saved["injects"][0]["status"] == "approved"
    assert saved["injects"][0]["review_log"][-1]["by"] == "Alex Approver <alex@ars.example.org>"
    go_to(page, "Audit")
    page.get_by_text("the chain of lines is intact").wait_for()
    with page.expect_download() as download:
        page.locator(".st-key-audit_csv button").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "alex@ars.example.org,Alex Approver,approver,status change,ok,approver-work" in text
    screenshot(page, screenshots, "team-audit")


def test_observer_only_reads(studio: TeamStudio, new_page: Any) -> None:
    _seed(studio, "observer-read")
    page = new_page()
    sign_in(page, studio, "olga")
    nav = page.get_by_test_id("stSidebarNav")
    assert nav.get_by_role("link", name="Audit").count() == 0
    open_workspace_scenario(page, "observer-read")
    add_catalogue_system(page, "telephony")
    page.get_by_text("Not changed: Changing the systems and links needs the designer role").wait_for()
    go_to(page, "Scenario")
    click_keyed(page, "save")
    page.get_by_text("Not saved: Save needs the designer or reviewer or approver role").wait_for()
    go_to(page, "Exports")  # all formats are chosen by default: the control-only files are refused
    click_keyed(page, "export_build")
    page.get_by_text(
        "Export control-only documents needs the designer or reviewer or approver role"
    ).wait_for()
    trail = audit(studio, "observer-read")
    assert ("olga@prefecture.example.org", "save", "refused") in trail
    assert ("olga@prefecture.example.org", "changing the systems and links", "refused") in trail
    assert ("olga@prefecture.example.org", "export control-only documents", "refused") in trail
    assert ("olga@prefecture.example.org", "login", "ok") in audit(studio, "")
    assert len(_team(studio).history.revisions("observer-read")) == 1


def test_restoring_an_earlier_revision_brings_back_its_injects(
    studio: TeamStudio, new_page: Any, screenshots: Path
) -> None:
    token = _seed(studio, "restore-me")
    team = _team(studio)
    dana = actor_from_claims(PEOPLE["dana"], team.settings.roles, team.settings.group_claim)
    emptied = Workspace(studio.workspace).load("restore-me")[0]
    removed = emptied.pop("injects")
    actions.save(team, dana, "restore-me", emptied, token, "injects dropped")
    page = new_page()
    sign_in(page, studio, "dana")
    go_to(page, "History")
    choose(page, "Scenario", "restore-me")
    page.get_by_text("Inject removed: inj-1").wait_for()  # the diff of the two revisions, in domain terms
    seeded = team.history.revisions("restore-me")[1]
    choose(page, "Revision", f"{seeded.short} {seeded.when} {seeded.author}")
    click_keyed(page, "history_restore")
    page.get_by_text(f"Revision {seeded.short} restored").wait_for()
    screenshot(page, screenshots, "team-history-restored")
    saved, _ = Workspace(studio.workspace).load("restore-me")
    assert saved["injects"] == removed
    assert team.history.revisions("restore-me")[0].message == f"Restore revision {seeded.short}"
    assert ("dana@chu.example.org", "restore", "ok") in audit(studio, "restore-me")


def test_two_sessions_save_the_same_scenario_one_wins_the_other_is_told_who(
    studio: TeamStudio, new_page: Any, screenshots: Path
) -> None:
    _seed(studio, "both-edit")
    designer, reviewer = new_page(), new_page()
    sign_in(designer, studio, "dana")
    sign_in(reviewer, studio, "remi")
    open_workspace_scenario(designer, "both-edit")
    open_workspace_scenario(reviewer, "both-edit")
    add_catalogue_system(designer, "telephony")
    set_status(reviewer, "reviewed")
    save(designer, "Telephony")
    designer.get_by_text("Saved as both-edit").wait_for()
    save(reviewer, "Reviewed")
    reviewer.get_by_text("Saved in between by: Dana Designer").wait_for()  # markdown shows <e-mail> as a link
    screenshot(reviewer, screenshots, "team-conflict")
    # Nothing lost: the designer's revision is on disk, the reviewer's work is still open, unsaved.
    saved, _ = Workspace(studio.workspace).load("both-edit")
    assert "telephony" in [system["id"] for system in saved["systems"]]
    assert saved["injects"][0]["status"] == "draft"
    reviewer.get_by_test_id("stSidebar").get_by_text("Unsaved changes").wait_for()
    with reviewer.expect_download() as download:
        reviewer.locator(".st-key-download_json button").click()
    mine = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert mine["injects"][0]["status"] == "reviewed"
    assert ("remi@chu.example.org", "save", "conflict") in audit(studio, "both-edit")
