"""Interface labels from files (``studio/ui/locales/<language>.json``), one language at a time.

The studio speaks French or English, never both on one page: every label, button, help text, table
header and message a page draws comes from the file of the language chosen in the sidebar. Until the
user chooses, the language is ``CRISIS_STUDIO_LANGUAGE`` if set, else the open scenario's
``exercise.language``, else French (the studio's users design exercises for French hospitals).

The lookup itself (``lookup``, ``default_language``) is plain Python, tested without Streamlit; only
``language`` and ``text`` read the session. A key missing from a file falls back to English, so a
half-translated file never shows a raw key; tests check both files hold the same keys.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("fr", "en")
SESSION_KEY = "ui_language"
"""The sidebar widget's key: the language shown in this run."""
CHOSEN_KEY = "ui_language_chosen"
"""The language the user picked in the sidebar (absent until they do), kept for the session."""
FALLBACK = "fr"


@cache
def catalogue(language: str) -> dict[str, str]:
    """The labels of one language, as a flat key -> text mapping."""
    return json.loads((LOCALES_DIR / f"{language}.json").read_text(encoding="utf-8"))


def lookup(language: str, key: str, **values: Any) -> str:
    """The label ``key`` in ``language``, with ``{name}`` fields filled from ``values``."""
    template = catalogue(language).get(key) or catalogue("en").get(key) or key
    return template.format(**values) if values else template


def default_language(environment: str | None, scenario: Mapping[str, Any] | None) -> str:
    """The language before the user chooses: the environment's, else the scenario's, else French."""
    for candidate in (environment, ((scenario or {}).get("exercise") or {}).get("language")):
        code = str(candidate or "").strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return FALLBACK


# ------------------------------------------------------------------ the session (thin Streamlit part)


_last_language = [FALLBACK]
"""The language of the last script run: widget formatters called after the run (by Streamlit's test
harness) must label options as the run did."""


def language() -> str:
    """The interface language of this session: the user's choice, else ``default_language``."""
    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return _last_language[0]
    chosen = st.session_state.get(CHOSEN_KEY)
    if chosen not in LANGUAGES:
        chosen = default_language(os.environ.get("CRISIS_STUDIO_LANGUAGE"), st.session_state.get("doc"))
    _last_language[0] = chosen
    return chosen


def text(key: str, **values: Any) -> str:
    """The label ``key`` in the current language, with ``{name}`` fields filled from ``values``."""
    return lookup(language(), key, **values)


def column(name: str) -> str:
    """Header of a table column named after a scenario field (``col.<name>``; the name itself if none)."""
    found = lookup(language(), f"col.{name}")
    return name if found == f"col.{name}" else found


def column_help(name: str, fallback: str | None) -> str | None:
    """Help text of a table column or form field (``help.<name>``), else the library's own text."""
    found = lookup(language(), f"help.{name}")
    return (fallback or None) if found == f"help.{name}" else found


def option(group: str, value: Any) -> str:
    """Display text of an enum value (``opt.<group>.<value>``), the value itself when not listed."""
    if value is None:
        return lookup(language(), "common.none")
    found = lookup(language(), f"opt.{group}.{value}")
    return str(value) if found == f"opt.{group}.{value}" else found
