"""One interface language at a time, on every page: no English label on a French page, and vice versa.

Each page is run with AppTest in one language with a scenario open (and a run, a Monte Carlo batch
and injects to show), every text the page draws is collected (titles, captions, widget labels,
placeholders, help texts, options, tab and expander labels, table headers), and none may be a label
of the other language's file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from studio_app import go, open_library

import studio.ui
from studio.ui import labels
from studio.ui.app import PAGES

# Not imported from conftest: two test folders have one, and the name is ambiguous when both are run.
APP_FILE = Path(studio.ui.__file__).parent / "app.py"

PAGE_NAMES = [file.removesuffix(".py") for file, _, _ in PAGES]


TEXT_ELEMENTS = {"Markdown", "Caption", "Title", "Header", "Subheader", "Success", "Info", "Warning", "Error"}
"""Elements whose value is the text itself (a widget's value is the user's data, not a label)."""


def _texts(node: Any) -> Iterator[str]:
    """Every string an element (and its children) shows a person."""
    kind = type(node).__name__
    for attribute in ("label", "placeholder", "help", *(("value",) if kind in TEXT_ELEMENTS else ())):
        value = getattr(node, attribute, None)
        if isinstance(value, str):
            yield value
    options = getattr(node, "options", None)
    if isinstance(options, (list, tuple)):
        yield from (str(option) for option in options)
    if kind == "Dataframe":
        yield from _headers(node)
    for child in getattr(node, "children", {}).values():
        yield from _texts(child)


def _headers(table: Any) -> Iterator[str]:
    """The headers a table shows: its column configuration's labels, else the frame's column names."""
    config = json.loads(table.proto.columns or "{}")
    for name in table.value.columns:
        column = config.get(str(name), {})
        if not column.get("hidden"):
            yield str(column.get("label") or name)
        if column.get("help"):
            yield column["help"]


def _shown(at: AppTest) -> set[str]:
    found = set()
    for root in (at.main, at.sidebar):
        for text in _texts(root):
            found.add(text.strip())
            found.add(text.replace("**", "").strip())
    return found


def _foreign_labels(shown_language: str) -> set[str]:
    """Labels of the other language that differ from this one's (the words that must not show)."""
    other = "en" if shown_language == "fr" else "fr"
    mine, theirs = labels.catalogue(shown_language), labels.catalogue(other)
    foreign = set()
    for key, text in theirs.items():
        if "{" in text or text == mine.get(key) or text in mine.values():
            continue  # templates are checked through their filled words; shared words are fine
        if len(text) < 4 or key.startswith(("opt.language.", "legend.", "opt.format.docx")):
            continue
        foreign.add(text.replace("**", "").strip())
    return foreign


@pytest.fixture
def studio_in(workspace: Any, library: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    def start(language: str) -> AppTest:
        monkeypatch.delenv("CRISIS_STUDIO_LANGUAGE", raising=False)
        at = AppTest.from_file(str(APP_FILE), default_timeout=60)
        at.session_state[labels.CHOSEN_KEY] = language  # as picking it in the sidebar does
        at.run()
        open_library(at)
        go(at, "simulation")
        at.button(key="run_once").click().run()
        at.number_input(key="mc_runs").set_value(5).run()
        at.button(key="mc_run").click().run()
        return at

    return start


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_speaks_one_language(studio_in: Any, language: str) -> None:
    at = studio_in(language)
    foreign = _foreign_labels(language)
    for page in PAGE_NAMES:
        go(at, page)
        shown = _shown(at)
        assert labels.lookup(language, f"page.{page}") in shown, "the page is drawn in that language"
        leaked = sorted(foreign & shown)
        assert not leaked, f"{page} in {language} shows {leaked}"


def test_the_page_follows_the_scenario_language_until_the_user_chooses(
    workspace: Any, library: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CRISIS_STUDIO_LANGUAGE", raising=False)
    at = AppTest.from_file(str(APP_FILE), default_timeout=60)
    at.run()
    assert at.title[0].value == "Scénario", "French before anything is open"
    open_library(at)  # the library scenario is in French
    go(at, "injects")
    assert at.title[0].value == "Stimuli"
    at.session_state[labels.CHOSEN_KEY] = "en"
    go(at, "injects")
    assert at.title[0].value == "Injects"
    go(at, "systems")
    assert at.title[0].value == "Systems", "the choice is kept for the session"


def test_both_files_translate_every_label_differently_where_words_differ() -> None:
    english, french = labels.catalogue("en"), labels.catalogue("fr")
    shared_words = {"ex.session", "opt.kind.virtualisation", "legend.infrastructure"}
    same = [
        key
        for key, text in english.items()
        if text == french[key] and len(text) > 12 and key not in shared_words
    ]
    # Long labels that are identical are untranslated; short ones may be shared words (Audit, EDR).
    assert not same, same
