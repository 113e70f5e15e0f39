"""Scenario page: open from the library or the workspace, start a new one, upload, download, save."""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st

from studio.safety import markdown_literal
from studio.scenario.canonical import canonical_bytes
from studio.scenario.document import ScenarioReadError, parse_scenario
from studio.scenario.library import list_library, load_library
from studio.scenario.store import SaveConflict, SecretInDocument, Workspace, refuse_secrets
from studio.ui import labels, session, teamgate, widgets


def _switch_to(
    doc: dict[str, Any], *, name: str | None, revision: str | None, origin: str, dirty: bool
) -> None:
    """Make ``doc`` the current scenario and draw the page again from it (status, buttons, header)."""
    session.replace(doc, name=name, revision=revision, origin=origin, dirty=dirty)
    st.rerun()


def _open_from_library(allowed: bool) -> None:
    entries = {entry.name: entry for entry in list_library()}
    st.subheader(labels.text("scn.library"))
    if not entries:
        st.caption(labels.text("scn.library_empty"))
        return
    name = st.selectbox(
        labels.text("scn.library_choice"),
        list(entries),
        format_func=lambda key: f"{entries[key].title} ({entries[key].language})",
        key="library_choice",
    )
    if st.button(
        labels.text("scn.open"), key="open_library", icon=":material/menu_book:", disabled=not allowed
    ):
        with widgets.user_errors(labels.text("scn.open")):
            _switch_to(
                load_library(name),
                name=None,
                revision=None,
                origin=labels.text("origin.library", name=name),
                dirty=False,
            )
    new_name = st.text_input(
        labels.text("scn.new_name"), key="new_name", placeholder=labels.text("scn.new_name_placeholder")
    )
    if st.button(labels.text("scn.start_new"), key="start_new", icon=":material/add:", disabled=not allowed):
        with widgets.user_errors(labels.text("scn.start_new")):
            if not new_name.strip():
                raise ValueError(labels.text("scn.name_needed"))
            doc = copy.deepcopy(load_library(name))
            doc["id"] = new_name.strip()
            _switch_to(
                doc,
                name=new_name.strip(),
                revision=None,
                origin=labels.text("origin.new", name=name),
                dirty=True,
            )


def _open_from_workspace(workspace: Workspace, allowed: bool) -> None:
    st.subheader(labels.text("scn.workspace"))
    st.caption(str(workspace.root))
    names = workspace.names()
    if not names:
        st.caption(labels.text("scn.nothing_saved"))
        return
    name = st.selectbox(labels.text("scn.saved_choice"), names, key="workspace_choice")
    if st.button(
        labels.text("scn.open"), key="open_workspace", icon=":material/folder_open:", disabled=not allowed
    ):
        with widgets.user_errors(labels.text("scn.open")):
            doc, revision = workspace.load(name)
            _switch_to(
                doc,
                name=name,
                revision=revision,
                origin=labels.text("origin.workspace", name=name),
                dirty=False,
            )


def _upload(allowed: bool) -> None:
    st.subheader(labels.text("scn.upload"))
    uploaded = st.file_uploader(labels.text("scn.upload_json"), type=["json"], key="upload")
    if uploaded is None:
        return
    if not allowed and (st.session_state.get("_upload") or ("",))[0] != uploaded.file_id:
        st.caption(labels.text("scn.tick_to_replace"))
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
            _switch_to(
                doc,
                name=None,
                revision=None,
                origin=labels.text("origin.upload", name=uploaded.name),
                dirty=True,
            )
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
    st.subheader(labels.text("scn.save"))
    current_name = st.session_state.get("doc_name")
    name = st.text_input(
        labels.text("scn.workspace_name"),
        value=current_name or str(doc.get("id", "")),
        key=f"save_name@{session.generation()}",
    ).strip()
    # Saving under the name the document was opened with must start from its revision; any other
    # name creates a new scenario, which conflicts if that name is taken.
    base_revision = st.session_state.get("doc_revision") if name == current_name else None
    message = teamgate.save_message()  # issue 14: "" in local mode
    if st.button(labels.text("scn.save_button"), key="save", type="primary", icon=":material/save:"):
        try:
            revision = teamgate.save(workspace, name, doc, base_revision, message)  # issue 14: checked
        except (SaveConflict, ValueError, OSError) as exc:
            st.error(labels.text("scn.not_saved", reason=exc))
        else:
            session.mark_saved(name, revision)
            st.success(labels.text("scn.saved", name=name, revision=revision))


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
    st.title(labels.text("page.scenario"))
    workspace = Workspace()
    # Opening another scenario replaces the current one: with unsaved changes, only once confirmed.
    allowed = True
    if st.session_state.get("doc_dirty"):
        st.warning(labels.text("scn.unsaved_warning"))
        allowed = st.checkbox(labels.text("scn.discard_ok"), key="discard_ok")
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
        st.info(labels.text("scn.start_hint"))
        return
    st.divider()
    exercise = doc.get("exercise") or {}
    st.header(markdown_literal(exercise.get("title") or doc.get("id") or labels.text("common.untitled")))
    st.markdown(widgets.validation_summary(session.problems()))
    save_column, download_column = st.columns(2)
    with save_column:
        _save(doc, workspace)
    with download_column:
        st.subheader(labels.text("scn.download"))
        file_stem = st.session_state.get("doc_name") or doc.get("id") or "scenario"
        data = canonical_bytes(doc)
        try:
            refuse_secrets(data)  # the same rule as saves and exports: the key never leaves in a file
        except SecretInDocument:
            st.error(labels.text("scn.download_secret"))
        else:
            st.download_button(
                labels.text("scn.download_json"),
                data=data,
                file_name=f"{file_stem}.json",
                mime="application/json",
                key="download_json",
                icon=":material/download:",
            )
    widgets.problem_panel(session.problems(), title=labels.text("scn.validation"))


render()
