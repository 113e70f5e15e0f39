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

Every function here is a thin wrapper: nothing is computed that a library function could compute.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from studio.scenario.problems import Problem
from studio.scenario.validate import validate_scenario

_DEFAULTS: dict[str, Any] = {
    "doc": None,
    "doc_name": None,
    "doc_revision": None,
    "doc_dirty": False,
    "doc_origin": "",
    "doc_version": 0,
    "doc_generation": 0,
}


def init() -> None:
    """Create the session keys on a first run (idempotent)."""
    for key, value in _DEFAULTS.items():
        st.session_state.setdefault(key, value)


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
    return True


def mark_saved(name: str, revision: str) -> None:
    st.session_state["doc_name"] = name
    st.session_state["doc_revision"] = revision
    st.session_state["doc_dirty"] = False
    st.session_state["doc_origin"] = f"workspace {name}"


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
