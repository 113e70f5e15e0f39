"""History page (team mode): the revisions of a scenario, the difference between two, restore, lock."""

from __future__ import annotations

import streamlit as st

from studio.scenario.history import ScenarioDiff, scenario_diff
from studio.ui import labels, session, teamgate, widgets


def _show_diff(diff: ScenarioDiff) -> None:
    if diff.empty:
        st.caption(labels.text("hist.same"))
        return
    # Plain text, not markdown: titles are the designers' text and must show as typed.
    st.text("\n".join(diff.lines()))


def render() -> None:
    st.title(labels.text("page.history"))
    person = teamgate.actor()
    if person is None:
        st.info(labels.text("hist.team_only"))
        return
    team = teamgate.team()
    names = team.workspace.names()
    if not names:
        st.info(labels.text("scn.nothing_saved"))
        return
    current = st.session_state.get("doc_name")
    name = st.selectbox(
        labels.text("page.scenario"),
        names,
        index=names.index(current) if current in names else 0,
        key="history_scenario",
    )
    revisions = team.history.revisions(name)
    locked = team.history.locked(name)
    st.dataframe(
        widgets.localised_rows(
            [
                {
                    "revision": revision.short,
                    "saved at": revision.when,
                    "by": revision.author,
                    "message": revision.message,
                    "locked": labels.text("hist.locked") if revision.commit in locked else "",
                }
                for revision in revisions
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    if not revisions:
        return
    revision_names = {
        revision.commit: f"{revision.short} {revision.when} {revision.author}" for revision in revisions
    }
    commits = list(revision_names)

    st.subheader(labels.text("hist.compare"))
    older_column, newer_column = st.columns(2)
    with older_column:
        older = st.selectbox(
            labels.text("hist.from"),
            commits,
            index=min(1, len(commits) - 1),
            format_func=revision_names.get,
            key="history_from",
        )
    with newer_column:
        newer = st.selectbox(
            labels.text("hist.to"), commits, index=0, format_func=revision_names.get, key="history_to"
        )
    with widgets.user_errors(labels.text("hist.compare")):
        _show_diff(scenario_diff(team.history.load(name, older), team.history.load(name, newer)))

    st.subheader(labels.text("hist.restore_or_lock"))
    chosen = st.selectbox(
        labels.text("col.revision"), commits, format_func=revision_names.get, key="history_chosen"
    )
    unsaved = st.session_state.get("doc_name") == name and st.session_state.get("doc_dirty")
    if unsaved:
        st.warning(labels.text("hist.unsaved"))
    restore_column, lock_column = st.columns(2)
    with restore_column:
        if st.button(
            labels.text("hist.restore"),
            key="history_restore",
            disabled=bool(unsaved) or chosen == commits[0],
            icon=":material/restore:",
        ):
            with widgets.user_errors(labels.text("hist.restore")):
                doc, token = teamgate.restore(name, chosen)
                session.replace(
                    doc,
                    name=name,
                    revision=token,
                    origin=labels.text("origin.workspace", name=name),
                    dirty=False,
                )
                st.session_state["_history_done"] = labels.text(
                    "hist.restored", revision=chosen[:10], token=token
                )
                st.rerun()
    with lock_column:
        if st.button(labels.text("hist.lock"), key="history_lock", icon=":material/lock:"):
            with widgets.user_errors(labels.text("hist.lock")):
                tag = teamgate.lock_version(name, chosen)
                st.session_state["_history_done"] = labels.text(
                    "hist.locked_as", revision=chosen[:10], tag=tag
                )
                st.rerun()
    done = st.session_state.pop("_history_done", None)
    if done:
        st.success(done)


render()
