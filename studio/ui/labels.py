"""Interface labels from files (``studio/ui/locales/<language>.json``), one language at a time.

The studio speaks French or English, never both on one page: every label a page draws for the new
parts of the interface comes from the file of the language chosen in the sidebar (default: the
``CRISIS_STUDIO_LANGUAGE`` environment variable, else English). A key missing from a file falls back
to English, so a half-translated file never shows a raw key; tests check both files hold the same keys.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("en", "fr")
SESSION_KEY = "ui_language"


@cache
def catalogue(language: str) -> dict[str, str]:
    """The labels of one language, as a flat key -> text mapping."""
    return json.loads((LOCALES_DIR / f"{language}.json").read_text(encoding="utf-8"))


def default_language() -> str:
    wanted = os.environ.get("CRISIS_STUDIO_LANGUAGE", "en").strip().lower()[:2]
    return wanted if wanted in LANGUAGES else "en"


def language() -> str:
    chosen = st.session_state.get(SESSION_KEY)
    return chosen if chosen in LANGUAGES else default_language()


def text(key: str, **values: Any) -> str:
    """The label ``key`` in the current language, with ``{name}`` fields filled from ``values``."""
    template = catalogue(language()).get(key) or catalogue("en").get(key) or key
    return template.format(**values) if values else template
