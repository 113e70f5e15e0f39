"""The operations of a team studio, each checked against the acting person's roles and audited.

The studio pages call these instead of the plain library functions when the studio runs in team
mode; a script can call them too. Every function takes the :class:`Team` (settings, workspace,
audit log) and the :class:`~studio.team.identity.Actor`; a refusal raises
:class:`~studio.team.guard.Refused` after writing a ``refused`` line to the audit log.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from studio.scenario.canonical import canonical_bytes
from studio.scenario.history import History, scenario_diff
from studio.scenario.store import SaveConflict, Workspace, revision_token
from studio.team.audit import AuditEntry, AuditLog
from studio.team.guard import EDITORS, Refused, check_change, require
from studio.team.identity import Actor, actor_from_claims
from studio.team.settings import ROLES, TeamSettings


@dataclass
class Team:
    """A team studio: its settings, its workspace (with history) and its audit log."""

    settings: TeamSettings
    workspace: Workspace
    audit: AuditLog

    @classmethod
    def from_settings(cls, settings: TeamSettings) -> Team:
        History.init(settings.workspace)
        return cls(settings, Workspace(settings.workspace), AuditLog(settings.audit_log))

    @property
    def history(self) -> History:
        return History(self.workspace.root)


@contextlib.contextmanager
def _audited_refusal(team: Team, actor: Actor, scenario: str) -> Iterator[None]:
    try:
        yield
    except Refused as exc:
        team.audit.record(actor, exc.action, outcome="refused", scenario=scenario, detail=str(exc))
        raise


def sign_in(team: Team, claims: Mapping[str, Any]) -> Actor:
    """The Actor for the ID-token ``claims``; a person with no role is refused. Audited."""
    actor = actor_from_claims(claims, team.settings.roles, team.settings.group_claim)
    if not actor.roles:
        with _audited_refusal(team, actor, ""):
            raise Refused(actor, "signing in to this studio", ROLES)
    team.audit.record(actor, "login", detail=f"roles: {actor.roles_text}")
    return actor


def check_edit(
    team: Team, actor: Actor, before: Mapping[str, Any], after: Mapping[str, Any], scenario: str
) -> None:
    """Raise Refused (audited) if ``actor`` may not turn ``before`` into ``after``."""
    with _audited_refusal(team, actor, scenario):
        check_change(actor, before, after)


def _base_document(team: Team, name: str, base_revision: str) -> dict[str, Any] | None:
    """The document the save starts from: the file on disk or a revision from the history."""
    if team.workspace.current_token(name) == base_revision:
        return team.workspace.load(name)[0]
    revision = team.history.revision_with_token(name, base_revision)
    return team.history.load(name, revision.commit) if revision else None


def save(
    team: Team,
    actor: Actor,
    name: str,
    document: dict[str, Any],
    base_revision: str | None,
    message: str = "",
    *,
    action: str = "save",
) -> str:
    """Save ``document`` as ``name`` from ``base_revision`` (see Workspace.save); return the new token.

    Creating a scenario needs a designer; saving changes needs the roles of every changed part. A
    conflict (someone saved in between) raises SaveConflict naming who saved, and is audited.
    """
    with _audited_refusal(team, actor, name):
        require(actor, "save")
        base = None
        if base_revision is None:
            if not team.workspace.exists(name):
                require(actor, "create a scenario")
        else:
            base = _base_document(team, name, base_revision)
        if base is not None:
            check_change(actor, base, document)
    summary = (
        "; ".join(scenario_diff(base or {}, document).lines()[:20]) if base is not None else "new scenario"
    )
    try:
        token = team.workspace.save(
            name, document, base_revision, author=actor.label, message=message or f"Saved by {actor.name}"
        )
    except SaveConflict as exc:
        team.audit.record(actor, action, outcome="conflict", scenario=name, detail=str(exc))
        raise
    team.audit.record(actor, action, scenario=name, detail=f"revision {token}: {summary or 'no change'}")
    return token


def restore(
    team: Team, actor: Actor, name: str, commit: str, base_revision: str | None
) -> tuple[dict[str, Any], str]:
    """Save the content of revision ``commit`` as a new revision of ``name``; return (document, token)."""
    with _audited_refusal(team, actor, name):
        require(actor, "restore a revision")
    old = team.history.load(name, commit)
    token = save(
        team,
        actor,
        name,
        old,
        base_revision,
        f"Restore revision {commit[:10]}",
        action="restore",
    )
    return old, token


def set_review_status(
    team: Team,
    actor: Actor,
    document: dict[str, Any],
    scenario: str,
    inject_id: str,
    status: str,
    comment: str = "",
) -> dict[str, Any]:
    """Change an inject's review status, signed by ``actor`` (never a typed name). Audited."""
    from studio.injects.review import set_review_status as review

    updated = review(document, inject_id, status, actor.label, comment)
    check_edit(team, actor, document, updated, scenario)
    team.audit.record(
        actor,
        "status change",
        scenario=scenario,
        detail=f"{inject_id} -> {status}" + (f": {comment}" if comment else ""),
    )
    return updated


def generate(team: Team, actor: Actor, document: dict[str, Any], scenario: str, **options: Any) -> Any:
    """Generate the MSEL (studio.injects.generator.generate_msel) as a designer. Audited."""
    from studio.injects.generator import generate_msel

    with _audited_refusal(team, actor, scenario):
        require(actor, "generate injects")
    result = generate_msel(document, **options)
    team.audit.record(
        actor,
        "generate",
        scenario=scenario,
        detail=f"{len(result.generated)} generated, {len(result.kept)} kept; "
        + ", ".join(f"{key}={value}" for key, value in sorted(options.items()) if key != "progress"),
    )
    return result


def export(
    team: Team, actor: Actor, document: dict[str, Any], formats: Iterable[str], scenario: str
) -> list[Any]:
    """The export files of ``formats``; an observer gets the player packs only. Audited."""
    from studio.exports import export_outputs
    from studio.exports.common import safe_filename_part
    from studio.exports.docx import docx_outputs

    chosen = list(dict.fromkeys(formats))
    with _audited_refusal(team, actor, scenario):
        if actor.has(*EDITORS):
            files = export_outputs(document, chosen)
        else:
            require(actor, "export player packs")
            if chosen != ["docx"]:
                require(actor, "export control-only documents")
            # The player packs are the Word packs named <id>-players-*.docx (studio.exports.docx).
            players = f"{safe_filename_part(document['id'])}-players-"
            files = [file for file in docx_outputs(document) if file.filename.startswith(players)]
    names = ", ".join(file.filename for file in files)
    revision = revision_token(canonical_bytes(document))
    team.audit.record(
        actor, "export", scenario=scenario, detail=f"{', '.join(chosen)} of revision {revision}: {names}"
    )
    return files


def lock_version(team: Team, actor: Actor, name: str, commit: str) -> str:
    """Mark a revision as the locked exercise version (an approver's act); return the tag. Audited."""
    with _audited_refusal(team, actor, name):
        require(actor, "lock an exercise version")
    tag = team.history.lock(name, commit)
    team.audit.record(actor, "lock", scenario=name, detail=f"revision {commit[:10]} locked as {tag}")
    return tag


def read_audit(team: Team, actor: Actor) -> list[AuditEntry]:
    """Every audit entry, for an approver."""
    with _audited_refusal(team, actor, ""):
        require(actor, "read the audit log")
    return team.audit.entries()


def audit_csv(team: Team, actor: Actor) -> bytes:
    """The audit log as CSV, for an approver. Audited as an export."""
    with _audited_refusal(team, actor, ""):
        require(actor, "read the audit log")
    data = team.audit.csv_bytes()
    team.audit.record(actor, "export", detail="audit log as CSV")
    return data
