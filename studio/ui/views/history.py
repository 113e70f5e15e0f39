"""History page (team mode): the revisions of a scenario, the difference between two, restore, lock."""

from __future__ import annotations

import streamlit as st

from studio.scenario.history import ScenarioDiff, scenario_diff
from studio.ui import session, teamgate, widgets


def _show_diff(diff: ScenarioDiff) -> None:
    if diff.empty:
        st.caption("The two revisions hold the same scenario.")
        return
    # Plain text, not markdown: titles are the designers' text and must show as typed.
    st.text("\n".join(diff.lines()))


def render() -> None:
    st.title("History")
    person = teamgate.actor()
    if person is None:
        st.info("The history is kept in team mode (crisis-studio ui --team).")
        return
    team = teamgate.team()
    names = team.workspace.names()
    if not names:
        st.info("Nothing saved in the workspace yet.")
        return
    current = st.session_state.get("doc_name")
    name = st.selectbox(
        "Scenario", names, index=names.index(current) if current in names else 0, key="history_scenario"
    )
    revisions = team.history.revisions(name)
    locked = team.history.locked(name)
    st.dataframe(
        [
            {
                "revision": revision.short,
                "saved at": revision.when,
                "by": revision.author,
                "message": revision.message,
                "locked": "locked" if revision.commit in locked else "",
            }
            for revision in revisions
        ],
        hide_index=True,
        width="stretch",
    )
    if not revisions:
        return
    labels = {
        revision.commit: f"{revision.short} {revision.when} {revision.author}" for revision in revisions
    }
    commits = list(labels)

    st.subheader("Compare two revisions")
    older_column, newer_column = st.columns(2)
    with older_column:
        older = st.selectbox(
            "From", commits, index=min(1, len(commits) - 1), format_func=labels.get, key="history_from"
        )
    with newer_column:
        newer = st.selectbox("To", commits, index=0, format_func=labels.get, key="history_to")
    with widgets.user_errors("The comparison"):
        _show_diff(scenario_diff(team.history.load(name, older), team.history.load(name, newer)))

    st.subheader("Restore or lock a revision")
    chosen = st.selectbox("Revision", commits, format_func=labels.get, key="history_chosen")
    unsaved = st.session_state.get("doc_name") == name and st.session_state.get("doc_dirty")
    if unsaved:
        st.warning("The open scenario has unsaved changes: save them before restoring a revision.")
    restore_column, lock_column = st.columns(2)
    with restore_column:
        if st.button(
            "Restore as a new revision",
            key="history_restore",
            disabled=bool(unsaved) or chosen == commits[0],
            icon=":material/restore:",
        ):
            with widgets.user_errors("The restore"):
                doc, token = teamgate.restore(name, chosen)
                session.replace(doc, name=name, revision=token, origin=f"workspace {name}", dirty=False)
                st.session_state["_history_done"] = f"Revision {chosen[:10]} restored as revision {token}."
                st.rerun()
    with lock_column:
        if st.button("Lock as the exercise version", key="history_lock", icon=":material/lock:"):
            with widgets.user_errors("Locking"):
                tag = teamgate.lock_version(name, chosen)
                st.session_state["_history_done"] = f"Revision {chosen[:10]} locked ({tag})."
                st.rerun()
    done = st.session_state.pop("_history_done", None)
    if done:
        st.success(done)


render()
