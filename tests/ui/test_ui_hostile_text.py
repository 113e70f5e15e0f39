"""A scenario title is data: the studio shows it as text, never as Markdown (no remote image, no link)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest
from studio_app import open_library

from studio.safety import markdown_literal

HOSTILE_TITLE = "![pixel](http://127.0.0.1:9/p.png) [clic](javascript:alert(1)) :red[**rouge**] $x$"


def test_a_markdown_title_is_shown_as_written(app: AppTest, library: Path, mini: dict[str, Any]) -> None:
    mini["exercise"]["title"] = HOSTILE_TITLE
    (library / "mini-ch.json").write_text(json.dumps(mini, ensure_ascii=False), encoding="utf-8")
    open_library(app)
    assert not app.exception
    header = app.header[0].value
    assert header == markdown_literal(HOSTILE_TITLE)
    # Every Markdown control character of the title is escaped: no image, link, colour or formula.
    assert "\\!\\[pixel\\]\\(http\\:" in header and "\\:red\\[" in header and "\\$x\\$" in header
    assert any(markdown_literal(HOSTILE_TITLE) in element.value for element in app.sidebar.markdown)


def test_markdown_literal_round_trips_plain_text() -> None:
    assert markdown_literal("Rançongiciel au CH de Test") == "Rançongiciel au CH de Test"
    assert markdown_literal("a_b*c") == "a\\_b\\*c"
