"""Roles enforced on the data: each refused change names the role it needs, and lands in the audit."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from studio.scenario.store import SaveConflict
from studio.team import actions
from studio.team.actions import Team
from studio.team.guard import Refused, check_change
from studio.team.identity import Actor, actor_from_claims, roles_for


def _saved(team: Team, designer: Actor, scenario: dict[str, Any]) -> str:
    return actions.save(team, designer, "ex", scenario, None, "first draft")


def test_roles_come_from_email_domain_and_group_claims(team: Team) -> None:
    roles, claim = team.settings.roles, team.settings.group_claim
    assert roles_for({"email": "Dana@CHU.example.org"}, roles, claim) == {"designer"}
    assert roles_for({"email": "x@y.org", "groups": ["reviewers", "other"]}, roles, claim) == {"reviewer"}
    assert roles_for({"email": "p@prefecture.example.org"}, roles, claim) == {"observer"}
    # An address the provider says is not verified grants nothing.
    assert roles_for({"email": "alex@ars.example.org", "email_verified": False}, roles, claim) == set()
    actor = actor_from_claims({"email": "alex@ars.example.org", "name": "Alex Martin"}, roles, claim)
    assert actor.label == "Alex Martin <alex@ars.example.org>" and actor.roles == {"approver"}


def test_sign_in_without_a_role_is_refused_and_audited(team: Team) -> None:
    with pytest.raises(Refused, match="needs the designer or reviewer or approver or observer role"):
        actions.sign_in(team, {"email": "stranger@example.org"})
    actions.sign_in(team, {"email": "dana@chu.example.org", "name": "Dana"})
    assert [(e.user, e.action, e.outcome) for e in team.audit.entries()] == [
        ("stranger@example.org", "signing in to this studio", "refused"),
        ("dana@chu.example.org", "login", "ok"),
    ]


def test_a_reviewer_cannot_change_systems_and_is_told_which_role(
    reviewer: Actor, minimal_scenario: dict[str, Any]
) -> None:
    changed = copy.deepcopy(minimal_scenario)
    changed["systems"][0]["name"] = "VPN 2"
    with pytest.raises(Refused) as refusal:
        check_change(reviewer, minimal_scenario, changed)
    assert str(refusal.value).startswith("Changing the systems and links needs the designer role;")
    assert "remi@chu.example.org" in str(refusal.value)


def test_reviewer_edits_injects_approver_approves_observer_reads(
    team: Team,
    designer: Actor,
    reviewer: Actor,
    approver: Actor,
    observer: Actor,
    minimal_scenario: dict[str, Any],
) -> None:
    token = _saved(team, designer, minimal_scenario)
    doc = copy.deepcopy(minimal_scenario)
    doc["injects"][0]["title"] = "Alerte EDR (relue)"
    doc = actions.set_review_status(team, reviewer, doc, "ex", "inj-1", "reviewed", "ok")
    assert doc["injects"][0]["review_log"][-1]["by"] == reviewer.label
    token = actions.save(team, reviewer, "ex", doc, token, "reviewed")
    with pytest.raises(Refused, match="Setting inject inj-1 to approved needs the approver role"):
        actions.set_review_status(team, reviewer, doc, "ex", "inj-1", "approved")
    approved = actions.set_review_status(team, approver, doc, "ex", "inj-1", "approved")
    token = actions.save(team, approver, "ex", approved, token, "approved")
    with pytest.raises(Refused, match="Save needs the designer or reviewer or approver role"):
        actions.save(team, observer, "ex", approved, token)
    assert team.workspace.load("ex")[0]["injects"][0]["status"] == "approved"
    users = [(e.user, e.action, e.outcome) for e in team.audit.entries()]
    assert ("remi@chu.example.org", "status change", "ok") in users
    assert ("remi@chu.example.org", "setting inject inj-1 to approved", "refused") in users
    assert ("alex@ars.example.org", "save", "ok") in users
    assert ("olga@prefecture.example.org", "save", "refused") in users


def test_the_review_trail_is_append_only_and_signed_by_the_actor(
    reviewer: Actor, minimal_scenario: dict[str, Any]
) -> None:
    from studio.injects.review import set_review_status

    forged = set_review_status(minimal_scenario, "inj-1", "reviewed", "Somebody Else")
    with pytest.raises(Refused, match="signed by the person who makes it"):
        check_change(reviewer, minimal_scenario, forged)
    signed = set_review_status(minimal_scenario, "inj-1", "reviewed", reviewer.label)
    rewritten = copy.deepcopy(signed)
    rewritten["injects"][0]["review_log"][0]["comment"] = "changed afterwards"
    with pytest.raises(Refused, match="append-only"):
        check_change(reviewer, signed, rewritten)


def test_creating_generating_and_restoring_need_a_designer(
    team: Team, designer: Actor, reviewer: Actor, minimal_scenario: dict[str, Any]
) -> None:
    with pytest.raises(Refused, match="Create a scenario needs the designer role"):
        actions.save(team, reviewer, "ex", minimal_scenario, None)
    with pytest.raises(Refused, match="Generate injects needs the designer role"):
        actions.generate(team, reviewer, minimal_scenario, "ex")
    token = _saved(team, designer, minimal_scenario)
    first = team.history.revisions("ex")[0].commit
    without = copy.deepcopy(minimal_scenario)
    removed = without["injects"].pop()
    token = actions.save(team, designer, "ex", without, token, "drop an inject")
    with pytest.raises(Refused, match="Restore a revision needs the designer role"):
        actions.restore(team, reviewer, "ex", first, token)
    _restored, token = actions.restore(team, designer, "ex", first, token)
    assert removed in team.workspace.load("ex")[0]["injects"]
    assert team.history.revisions("ex")[0].message == f"Restore revision {first[:10]}"
    assert [e.action for e in team.audit.entries()][-1] == "restore"


def test_concurrent_saves_one_wins_the_other_is_told_who(
    team: Team, designer: Actor, reviewer: Actor, minimal_scenario: dict[str, Any]
) -> None:
    base = _saved(team, designer, minimal_scenario)
    theirs = copy.deepcopy(minimal_scenario)
    theirs["injects"][0]["title"] = "Theirs"
    actions.save(team, reviewer, "ex", theirs, base)
    mine = copy.deepcopy(minimal_scenario)
    mine["injects"][0]["title"] = "Mine"
    with pytest.raises(SaveConflict, match=r"Saved in between by: Remi <remi@chu\.example\.org>"):
        actions.save(team, designer, "ex", mine, base)
    assert team.audit.entries()[-1].outcome == "conflict"


def test_observers_export_player_packs_only(
    team: Team, observer: Actor, minimal_scenario: dict[str, Any]
) -> None:
    files = actions.export(team, observer, minimal_scenario, ["docx"], "ex")
    assert files and all("-players-" in file.filename for file in files)
    with pytest.raises(Refused, match="Export control-only documents needs the designer or reviewer"):
        actions.export(team, observer, minimal_scenario, ["xlsx"], "ex")


def test_the_audit_log_is_for_approvers_chained_and_exported_as_csv(
    team: Team, approver: Actor, observer: Actor
) -> None:
    actions.sign_in(team, {"email": "alex@ars.example.org", "name": "=HYPERLINK(1)"})
    with pytest.raises(Refused, match="Read the audit log needs the approver role"):
        actions.read_audit(team, observer)
    assert [e.action for e in actions.read_audit(team, approver)] == ["login", "read the audit log"]
    text = actions.audit_csv(team, approver).decode("utf-8-sig")
    assert text.splitlines()[0] == "at,user,name,roles,action,outcome,scenario,detail"
    assert "'=HYPERLINK(1)" in text  # a formula in a name stays text in a spreadsheet
    assert team.audit.verify() is None
    lines = team.audit.path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("login", "logout")
    team.audit.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert team.audit.verify() == 2
