"""Helpers that drive the studio in AppTest the way a designer would (imported by the page tests)."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest

from studio.ui.widgets import editor_key


def open_library(at: AppTest, name: str = "mini-ch") -> AppTest:
    """Open a library scenario from the Scenario page."""
    at.selectbox(key="library_choice").select(name)
    at.button(key="open_library").click().run()
    assert not at.exception
    return at


def go(at: AppTest, page: str) -> AppTest:
    """Switch to ``views/<page>.py`` and run it."""
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [exception.value for exception in at.exception]
    return at


def seed_edits(
    at: AppTest,
    editor: str,
    edited_rows: dict[int, dict[str, Any]] | None = None,
    added_rows: list[dict[str, Any]] | None = None,
    deleted_rows: list[int] | None = None,
) -> None:
    """Put edits into a table editor's state, as the browser would send them (run afterwards)."""
    key = editor_key(editor, at.session_state["doc_generation"])
    at.session_state[key] = {
        "edited_rows": edited_rows or {},
        "added_rows": added_rows or [],
        "deleted_rows": deleted_rows or [],
    }


def shown_text(at: AppTest) -> str:
    """Every text element of the last run (main area and sidebar), joined, for loose assertions."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "success",
        "warning",
        "info",
        "error",
    ):
        parts.extend(str(element.value) for element in getattr(at, kind))
    return "\n".join(parts)


def document(at: AppTest) -> dict[str, Any]:
    return at.session_state["doc"]


def graph_options(at: AppTest) -> list[dict[str, Any]]:
    """The ECharts options of the graphs on the page (AppTest shows them as unknown elements)."""
    return [json.loads(element.proto.spec) for element in at.get("echarts_chart")]


def graph_nodes(at: AppTest, index: int = 0) -> dict[str, dict[str, Any]]:
    """System id -> node of the ``index``-th graph (group captions left out)."""
    nodes = graph_options(at)[index]["series"][0]["data"]
    return {node["id"]: node for node in nodes if not node["id"].startswith("group:")}
