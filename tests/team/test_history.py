"""The git history of a workspace (dulwich): a commit per save, who saved, domain diffs, restore."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from dulwich.repo import Repo

from studio.scenario.canonical import canonical_bytes
from studio.scenario.history import History, HistoryError, scenario_diff
from studio.scenario.store import SaveConflict, Workspace


def test_a_workspace_without_history_saves_as_before(
    tmp_path: Path, minimal_scenario: dict[str, Any]
) -> None:
    workspace = Workspace(tmp_path)
    workspace.save("ex", minimal_scenario, None)
    assert History.open(tmp_path) is None
    assert not (tmp_path / ".history.git").exists()


def test_every_save_is_a_commit_with_author_time_and_message(
    tmp_path: Path, minimal_scenario: dict[str, Any]
) -> None:
    History.init(tmp_path)
    workspace = Workspace(tmp_path)
    first = workspace.save("ex", minimal_scenario, None, author="Dana <dana@example.org>", message="Draft")
    changed = copy.deepcopy(minimal_scenario)
    changed["injects"][0]["title"] = "Alerte EDR modifiée"
    second = workspace.save("ex", changed, first, author="Remi <remi@example.org>", message="Wording")
    revisions = History(tmp_path).revisions("ex")
    assert [(r.author, r.message, r.token) for r in revisions] == [
        ("Remi <remi@example.org>", "Wording", second),
        ("Dana <dana@example.org>", "Draft", first),
    ]
    assert revisions[0].time >= revisions[1].time > 0
    assert History(tmp_path).read("ex", revisions[1].commit) == canonical_bytes(minimal_scenario)
    # A real git repository: dulwich reads the branch back, the tree holds the scenario file.
    repo = Repo(str(tmp_path / ".history.git"))
    head = repo[repo.refs[b"refs/heads/main"]]
    assert b"ex.json" in repo[head.tree]
    repo.close()


def test_init_imports_the_scenarios_already_in_the_workspace(
    tmp_path: Path, minimal_scenario: dict[str, Any]
) -> None:
    Workspace(tmp_path).save("old", minimal_scenario, None)
    history = History.init(tmp_path)
    assert [r.message for r in history.revisions("old")] == ["Imported from the workspace"]
    History.init(tmp_path)  # idempotent
    assert len(history.revisions("old")) == 1


def test_a_conflict_says_who_saved_in_between(tmp_path: Path, minimal_scenario: dict[str, Any]) -> None:
    History.init(tmp_path)
    workspace = Workspace(tmp_path)
    base = workspace.save("ex", minimal_scenario, None, author="Dana <dana@example.org>")
    theirs = copy.deepcopy(minimal_scenario)
    theirs["injects"][0]["title"] = "Theirs"
    workspace.save("ex", theirs, base, author="Remi <remi@example.org>", message="first")
    mine = copy.deepcopy(minimal_scenario)
    mine["injects"][0]["title"] = "Mine"
    with pytest.raises(SaveConflict, match=r"Saved in between by: Remi <remi@example.org> at \d{4}-"):
        workspace.save("ex", mine, base, author="Alex <alex@example.org>")
    assert workspace.load("ex")[0]["injects"][0]["title"] == "Theirs"


def test_domain_diff_names_systems_links_and_injects(minimal_scenario: dict[str, Any]) -> None:
    after = copy.deepcopy(minimal_scenario)
    after["systems"][0]["name"] = "VPN nomade"
    after["systems"][0]["links"].append({"kind": "depends", "target": "ad"})
    removed = after["injects"].pop(0)
    after["injects"].append({**removed, "id": "inj-new", "title": "Nouvelle"})
    after["exercise"]["title"] = "Autre titre"
    diff = scenario_diff(minimal_scenario, after)
    assert diff.systems.changed == {"vpn (VPN nomade)": ["name"]}
    assert diff.links.added == ["vpn -> ad (depends)"]
    assert diff.injects.added == ["inj-new (Nouvelle)"]
    assert diff.injects.removed == [f"inj-1 ({removed['title']})"]
    assert diff.other == ["exercise"]
    assert "Link added: vpn -> ad (depends)" in diff.lines()
    assert scenario_diff(minimal_scenario, minimal_scenario).empty


def test_lock_tags_a_revision_and_unknown_revisions_are_refused(
    tmp_path: Path, minimal_scenario: dict[str, Any]
) -> None:
    history = History.init(tmp_path)
    Workspace(tmp_path).save("ex", minimal_scenario, None, author="Dana <dana@example.org>")
    commit = history.revisions("ex")[0].commit
    assert history.lock("ex", commit[:10]) == f"locked/ex/{commit[:10]}"
    assert history.locked("ex") == {commit}
    with pytest.raises(HistoryError):
        history.read("ex", "ffffffff")
