"""The shipped scenario library (scenario_library/*.json) and what a designer starts from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.resources import library_dir
from studio.scenario.document import ScenarioReadError, load_scenario


@dataclass(frozen=True)
class LibraryEntry:
    name: str
    """File stem, e.g. ``ch-rancongiciel-nuit``: what ``load_library`` takes."""
    title: str
    language: str
    path: Path


def library_paths() -> list[Path]:
    """Scenario files of the library, sorted by name (the catalogue lives in a sub-folder)."""
    return sorted(library_dir().glob("*.json"))


def list_library() -> list[LibraryEntry]:
    """The library's scenarios with their title and language; unreadable files are skipped."""
    entries = []
    for path in library_paths():
        try:
            exercise = load_scenario(path).get("exercise", {})
        except ScenarioReadError:
            continue
        title, language = str(exercise.get("title", path.stem)), str(exercise.get("language", ""))
        entries.append(LibraryEntry(path.stem, title, language, path))
    return entries


def load_library(name: str) -> dict[str, Any]:
    """Load the library scenario ``name`` (file stem). Raises KeyError for an unknown name."""
    for path in library_paths():
        if path.stem == name:
            return load_scenario(path)
    raise KeyError(f"no library scenario named {name!r}")
