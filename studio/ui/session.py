"""The studio's current scenario, kept in ``st.session_state``.

One browser session edits one scenario at a time. Its state is a handful of keys:

| key | holds |
|---|---|
| ``doc`` | the scenario document (dict), or None before anything is opened |
| ``doc_name`` | workspace name it is saved under, or None (library, upload, not saved yet) |
| ``doc_revision`` | revision token of the workspace file the document is based on (None = new) |
| ``doc_dirty`` | True when the document has changes not saved to the workspace |
| ``doc_origin`` | where it came from, for the status line ("library ...", "upload ...") |
| ``doc_version`` | bumped on every change; validation results are cached per version |
| ``doc_generation`` | bumped when the document is replaced from outside the table editors, so the
  editors start again from the new content instead of replaying their edits on it |
| ``draft_id`` | this session's draft in the workspace (studio.scenario.drafts): every unsaved change
  is journaled there, and removed once saved or discarded |
| ``draft_error`` | why the last draft could not be written (None when it was) |

Every function here is a thin wrapper: nothing is computed that a library function could compute.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from studio.config import Settings
from studio.scenario.drafts import Draft, DraftStore, new_draft_id
from studio.scenario.problems import Problem
from studio.scenario.validate import validate_scenario
from studio.ui import labels

_DEFAULTS: dict[str, Any] = {
    "doc": None,
    "doc_name": None,
    "doc_revision": None,
    "doc_dirty": False,
    "doc_origin": "",
    "doc_version": 0,
    "doc_generation": 0,
    "draft_error": None,
}


def init() -> None:
    """Create the session keys on a first run (idempotent)."""
    for key, value in _DEFAULTS.items():
        st.session_state.setdefault(key, value)
    st.session_state.setdefault("draft_id", new_draft_id())


def drafts() -> DraftStore:
    return DraftStore(Settings().workspace)


def _journal() -> None:
    """Write the current document to this session's draft, or forget the draft when nothing is unsaved.

    A draft that cannot be written (disk full, read-only workspace) never blocks the edit: the
    reason is kept and the status box shows it.
    """
    store = drafts()
    try:
        if st.session_state.get("doc_dirty") and st.session_state.get("doc") is not None:
            store.write(
                st.session_state["draft_id"],
                st.session_state["doc"],
                name=st.session_state.get("doc_name"),
                revision=st.session_state.get("doc_revision"),
                origin=str(st.session_state.get("doc_origin") or ""),
            )
        else:
            store.discard(st.session_state["draft_id"])
    except (OSError, ValueError) as exc:
        st.session_state["draft_error"] = str(exc)
    else:
        st.session_state["draft_error"] = None


def recover(draft: Draft) -> None:
    """Make a recovered draft the current scenario; this session takes the draft over."""
    replace(draft.document, name=draft.name, revision=draft.revision, origin=draft.origin, dirty=True)
    drafts().discard(st.session_state["draft_id"])
    st.session_state["draft_id"] = draft.draft_id
    _journal()


def document() -> dict[str, Any] | None:
    return st.session_state.get("doc")


def generation() -> int:
    return int(st.session_state.get("doc_generation", 0))


def replace(doc: dict[str, Any], *, name: str | None, revision: str | None, origin: str, dirty: bool) -> None:
    """Make ``doc`` the current scenario (opened, uploaded, started from the library, saved)."""
    st.session_state["doc"] = doc
    st.session_state["doc_name"] = name
    st.session_state["doc_revision"] = revision
    st.session_state["doc_origin"] = origin
    st.session_state["doc_dirty"] = dirty
    st.session_state["doc_version"] = st.session_state.get("doc_version", 0) + 1
    st.session_state["doc_generation"] = generation() + 1
    _journal()


def update(doc: dict[str, Any], *, from_editor: bool = False) -> bool:
    """Record an edit of the current scenario; return True when something changed.

    Table editors pass ``from_editor=True``: their own widget state already shows the change, so
    the editors must not be reset. Any other change (a form, a button) resets them.
    """
    if doc == st.session_state.get("doc"):
        return False
    st.session_state["doc"] = doc
    st.session_state["doc_dirty"] = True
    st.session_state["doc_version"] = st.session_state.get("doc_version", 0) + 1
    if not from_editor:
        st.session_state["doc_generation"] = generation() + 1
    _journal()
    return True


def mark_saved(name: str, revision: str) -> None:
    st.session_state["doc_name"] = name
    st.session_state["doc_revision"] = revision
    st.session_state["doc_dirty"] = False
    st.session_state["doc_origin"] = labels.text("origin.workspace", name=name)
    _journal()


def problems() -> list[Problem]:
    """Validation problems of the current scenario, computed once per document version."""
    doc = document()
    if doc is None:
        return []
    cached = st.session_state.get("_problems")
    version = st.session_state.get("doc_version", 0)
    if cached is None or cached[0] != version:
        cached = (version, validate_scenario(doc))
        st.session_state["_problems"] = cached
    return cached[1]
