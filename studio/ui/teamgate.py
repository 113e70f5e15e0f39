"""Team mode in the studio: sign-in with ``st.login``, the acting person, and the checked operations.

The studio is in team mode when ``$CRISIS_STUDIO_TEAM_SETTINGS`` names a settings file (set by
``crisis-studio ui --team``); otherwise every function here behaves as the local, single-user
studio always did, so the pages call them unconditionally.

The pages change the scenario through ``session.update``; :func:`guard_changes` runs before and
after each page and compares the session's scenario with the last one accepted for this person. A
change their roles do not allow is undone and explained (the refusal is in the audit log). Saves,
review statuses, generation and exports go through studio.team.actions, which check and audit them.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from typing import Any

import streamlit as st

from studio.scenario.store import Workspace
from studio.team import actions
from studio.team.guard import Refused
from studio.team.identity import Actor
from studio.team.settings import SETTINGS_VARIABLE, load_team_settings
from studio.ui import labels, session

_ACTOR = "_team_actor"
_ACCEPTED = "_team_accepted"
_REFUSAL = "_team_refusal"
HISTORY_PAGE = ("history.py", "History", ":material/history:")
AUDIT_PAGE = ("audit.py", "Audit", ":material/policy:")


def enabled() -> bool:
    return bool(os.environ.get(SETTINGS_VARIABLE))


@st.cache_resource
def _team(settings_path: str) -> actions.Team:
    return actions.Team.from_settings(load_team_settings(settings_path))


def team() -> actions.Team:
    return _team(os.environ[SETTINGS_VARIABLE])


def actor() -> Actor | None:
    """The signed-in person (team mode), else None."""
    return st.session_state.get(_ACTOR)


def _claims() -> dict[str, Any]:
    return {key: value for key, value in st.user.to_dict().items() if key != "tokens"}


def sign_in() -> None:
    """In team mode: show the sign-in screen and stop until the person is signed in with a role."""
    if not enabled():
        return
    if not st.user.is_logged_in:
        st.session_state.pop(_ACTOR, None)
        st.title("Crisis Studio")
        st.write(labels.text("team.welcome"))
        if st.button(
            labels.text("team.sign_in"), key="team_sign_in", type="primary", icon=":material/login:"
        ):
            st.login()
        st.stop()
    person = actor()
    if person is None:
        try:
            person = actions.sign_in(team(), _claims())
        except Refused as exc:
            st.error(labels.text("team.ask_admin", reason=str(exc)))
            if st.button(labels.text("team.sign_out"), key="team_sign_out_refused"):
                st.logout()
            st.stop()
        st.session_state[_ACTOR] = person
    with st.sidebar:
        st.caption(labels.text("team.signed_in_as", name=person.label, roles=person.roles_text))
        if st.button(labels.text("team.sign_out"), key="team_sign_out", icon=":material/logout:"):
            st.session_state.pop(_ACTOR, None)
            st.logout()


def team_pages() -> tuple[tuple[str, str, str], ...]:
    """The team pages to add to the navigation (none in local mode; Audit for approvers only)."""
    person = actor()
    if person is None:
        return ()
    return (HISTORY_PAGE, AUDIT_PAGE) if person.has("approver") else (HISTORY_PAGE,)


def scenario_name() -> str:
    doc = session.document() or {}
    return str(st.session_state.get("doc_name") or doc.get("id") or "")


def _snapshot_key() -> tuple[Any, ...]:
    state = st.session_state
    return (state.get("doc_name"), state.get("doc_revision"), state.get("doc_origin"))


def guard_changes() -> None:
    """Undo and explain a change of the current scenario the signed-in person may not make."""
    person = actor()
    if person is None:
        return
    refusal = st.session_state.pop(_REFUSAL, None)
    if refusal:
        st.error(labels.text("team.not_changed", reason=refusal), icon=":material/block:")
    doc = session.document()
    accepted = st.session_state.get(_ACCEPTED)
    if doc is None or accepted is None or accepted[0] != _snapshot_key():
        # A scenario opened, uploaded or saved: the new starting point (saves are checked on their own).
        st.session_state[_ACCEPTED] = (_snapshot_key(), copy.deepcopy(doc), st.session_state.get("doc_dirty"))
        return
    if doc == accepted[1]:
        return
    try:
        actions.check_edit(team(), person, accepted[1], doc, scenario_name())
    except Refused as exc:
        state = st.session_state
        session.replace(
            copy.deepcopy(accepted[1]),
            name=state.get("doc_name"),
            revision=state.get("doc_revision"),
            origin=state.get("doc_origin", ""),
            dirty=bool(accepted[2]),
        )
        st.session_state[_REFUSAL] = str(exc)
        st.rerun()
    st.session_state[_ACCEPTED] = (_snapshot_key(), copy.deepcopy(doc), True)


# ------------------------------------------------------------------ operations the pages call


def save_message() -> str:
    """A text box for the revision message in team mode ("" and nothing drawn in local mode)."""
    if actor() is None:
        return ""
    return st.text_input("What changed (kept in the history)", key="team_save_message", max_chars=500)


def save(
    workspace: Workspace, name: str, doc: dict[str, Any], base_revision: str | None, message: str = ""
) -> str:
    """Workspace.save, checked and audited in team mode (where the team's workspace is used)."""
    person = actor()
    if person is None:
        return workspace.save(name, doc, base_revision)
    return actions.save(team(), person, name, doc, base_revision, message)


def reviewer_name() -> str | None:
    """The signed-in person's name for the review trail, or None (local mode: the page asks for one)."""
    person = actor()
    if person is not None:
        st.text_input("Reviewer", value=person.label, disabled=True, key="team_reviewer")
        return person.label
    return None


def set_review_status(
    doc: dict[str, Any], inject_id: str, status: str, reviewer: str, comment: str
) -> dict[str, Any]:
    from studio.injects.review import set_review_status as review

    person = actor()
    if person is None:
        return review(doc, inject_id, status, reviewer, comment)
    return actions.set_review_status(team(), person, doc, scenario_name(), inject_id, status, comment)


def generate(doc: dict[str, Any], **options: Any) -> Any:
    from studio.injects.generator import generate_msel

    person = actor()
    if person is None:
        return generate_msel(doc, **options)
    return actions.generate(team(), person, doc, scenario_name(), **options)


def export(doc: dict[str, Any], formats: list[str]) -> list[Any]:
    from studio.exports import export_outputs

    person = actor()
    if person is None:
        return export_outputs(doc, formats)
    return actions.export(team(), person, doc, formats, scenario_name())


def _signed_in() -> Actor:
    person = actor()
    if person is None:
        raise RuntimeError("this needs team mode and a signed-in person")
    return person


def restore(name: str, commit: str) -> tuple[dict[str, Any], str]:
    return actions.restore(team(), _signed_in(), name, commit, team().workspace.current_token(name))


def lock_version(name: str, commit: str) -> str:
    return actions.lock_version(team(), _signed_in(), name, commit)


def read_audit() -> list[Any]:
    return actions.read_audit(team(), _signed_in())


def audit_csv_download() -> Callable[[], bytes]:
    """The audit CSV as a deferred download: built (and audited) on click, in another thread."""
    team_now, person = team(), _signed_in()
    return lambda: actions.audit_csv(team_now, person)
