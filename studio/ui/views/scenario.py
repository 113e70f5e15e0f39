"""Scenario page: open from the library or the workspace, start a new one, upload, download, save."""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st

from studio.safety import markdown_literal
from studio.scenario.canonical import canonical_bytes
from studio.scenario.document import ScenarioReadError, parse_scenario
from studio.scenario.library import list_library, load_library
from studio.scenario.store import SaveConflict, Workspace
from studio.ui import labels, session, teamgate, widgets


def _switch_to(
    doc: dict[str, Any], *, name: str | None, revision: str | None, origin: str, dirty: bool
) -> None:
    """Make ``doc`` the current scenario and draw the page again from it (status, buttons, header)."""
    session.replace(doc, name=name, revision=revision, origin=origin, dirty=dirty)
    st.rerun()


def _open_from_library(allowed: bool) -> None:
    entries = {entry.name: entry for entry in list_library()}
    st.subheader("Library")
    if not entries:
        st.caption("The scenario library is empty.")
        return
    name = st.selectbox(
        "Library scenario",
        list(entries),
        format_func=lambda key: f"{entries[key].title} ({entries[key].language})",
        key="library_choice",
    )
    if st.button("Open", key="open_library", icon=":material/menu_book:", disabled=not allowed):
        with widgets.user_errors("Opening the library scenario"):
            _switch_to(load_library(name), name=None, revision=None, origin=f"library {name}", dirty=False)
    new_name = st.text_input("New scenario name", key="new_name", placeholder="e.g. ch-nord-2026")
    if st.button(
        "Start a new scenario from it", key="start_new", icon=":material/add:", disabled=not allowed
    ):
        with widgets.user_errors("Starting a new scenario"):
            if not new_name.strip():
                raise ValueError("give the new scenario a name")
            doc = copy.deepcopy(load_library(name))
            doc["id"] = new_name.strip()
            _switch_to(
                doc, name=new_name.strip(), revision=None, origin=f"new, from library {name}", dirty=True
            )


def _open_from_workspace(workspace: Workspace, allowed: bool) -> None:
    st.subheader("Workspace")
    st.caption(str(workspace.root))
    names = workspace.names()
    if not names:
        st.caption("Nothing saved yet.")
        return
    name = st.selectbox("Saved scenario", names, key="workspace_choice")
    if st.button("Open", key="open_workspace", icon=":material/folder_open:", disabled=not allowed):
        with widgets.user_errors("Opening the workspace scenario"):
            doc, revision = workspace.load(name)
            _switch_to(doc, name=name, revision=revision, origin=f"workspace {name}", dirty=False)


def _upload(allowed: bool) -> None:
    st.subheader("Upload")
    uploaded = st.file_uploader("Scenario JSON", type=["json"], key="upload")
    if uploaded is None:
        return
    if not allowed and (st.session_state.get("_upload") or ("",))[0] != uploaded.file_id:
        st.caption("Tick the box above to replace the current scenario with this file.")
        return
    # The uploader keeps its file across reruns: read each upload once, and keep showing its error
    # for as long as the refused file sits in the uploader.
    handled = st.session_state.get("_upload")
    if handled is None or handled[0] != uploaded.file_id:
        try:
            doc = parse_scenario(uploaded.getvalue(), uploaded.name)
            _check_looks_like_a_scenario(doc, uploaded.name)
        except ScenarioReadError as exc:
            handled = (uploaded.file_id, str(exc))
        else:
            st.session_state["_upload"] = (uploaded.file_id, None)
            _switch_to(doc, name=None, revision=None, origin=f"upload {uploaded.name}", dirty=True)
        st.session_state["_upload"] = handled
    if handled[1]:
        st.error(labels.text("upload.refused", reason=handled[1]))


def _check_looks_like_a_scenario(doc: dict[str, Any], source: str) -> None:
    """Refuse JSON that is no scenario at all (another tool's file): nothing of it could be shown.

    A scenario with errors is accepted (its problems are listed, to be fixed here); a file without
    an ``exercise`` object and a ``systems`` list is not one.
    """
    if not isinstance(doc.get("exercise"), dict) or not isinstance(doc.get("systems"), list):
        raise ScenarioReadError(labels.text("upload.not_a_scenario", source=source))


def _save(doc: dict[str, Any], workspace: Workspace) -> None:
    st.subheader("Save")
    current_name = st.session_state.get("doc_name")
    name = st.text_input(
        "Workspace name",
        value=current_name or str(doc.get("id", "")),
        key=f"save_name@{session.generation()}",
    ).strip()
    # Saving under the name the document was opened with must start from its revision; any other
    # name creates a new scenario, which conflicts if that name is taken.
    base_revision = st.session_state.get("doc_revision") if name == current_name else None
    message = teamgate.save_message()  # issue 14: "" in local mode
    if st.button("Save to workspace", key="save", type="primary", icon=":material/save:"):
        try:
            revision = teamgate.save(workspace, name, doc, base_revision, message)  # issue 14: checked
        except SaveConflict as exc:
            st.error(f"Not saved: {exc}")
        except (ValueError, OSError) as exc:
            st.error(f"Not saved: {exc}")
        else:
            session.mark_saved(name, revision)
            st.success(f"Saved as {name} (revision {revision}).")


def _recovery(allowed: bool) -> None:
    """Offer the drafts of interrupted sessions (tab closed, crash) for recovery."""
    pending = session.drafts().pending(exclude=st.session_state.get("draft_id"))
    if not pending:
        return
    with st.container(border=True):
        st.subheader(labels.text("drafts.title"))
        st.caption(labels.text("drafts.help"))
        for draft in pending[:5]:
            text_column, recover_column, discard_column = st.columns([6, 1, 1])
            with text_column:
                st.markdown(
                    labels.text("drafts.line", title=draft.title, origin=draft.origin, at=draft.saved_at)
                )
            with recover_column:
                if st.button(
                    labels.text("drafts.recover"),
                    key=f"recover:{draft.draft_id}",
                    type="primary",
                    disabled=not allowed,
                    icon=":material/restore:",
                ):
                    session.recover(draft)
                    st.rerun()
            with discard_column:
                if st.button(
                    labels.text("drafts.discard"), key=f"discard:{draft.draft_id}", icon=":material/delete:"
                ):
                    session.drafts().discard(draft.draft_id)
                    st.rerun()


def render() -> None:
    st.title("Scenario")
    workspace = Workspace()
    # Opening another scenario replaces the current one: with unsaved changes, only once confirmed.
    allowed = True
    if st.session_state.get("doc_dirty"):
        st.warning("The current scenario has unsaved changes: save it below, or confirm to discard them.")
        allowed = st.checkbox(
            "Discard my unsaved changes when opening or uploading another scenario", key="discard_ok"
        )
    _recovery(allowed)
    library_column, workspace_column, upload_column = st.columns(3)
    with library_column:
        _open_from_library(allowed)
    with workspace_column:
        _open_from_workspace(workspace, allowed)
    with upload_column:
        _upload(allowed)

    doc = session.document()
    if doc is None:
        st.info("Open a library or workspace scenario, or upload a JSON file, to start.")
        return
    st.divider()
    exercise = doc.get("exercise") or {}
    st.header(markdown_literal(exercise.get("title") or doc.get("id") or "(untitled)"))
    st.markdown(widgets.validation_summary(session.problems()))
    save_column, download_column = st.columns(2)
    with save_column:
        _save(doc, workspace)
    with download_column:
        st.subheader("Download")
        file_stem = st.session_state.get("doc_name") or doc.get("id") or "scenario"
        st.download_button(
            "Download JSON",
            data=canonical_bytes(doc),
            file_name=f"{file_stem}.json",
            mime="application/json",
            key="download_json",
            icon=":material/download:",
        )
    widgets.problem_panel(session.problems(), title="Validation")


render()
