"""Pieces every exporter shares: output files, safe text, deterministic zips, labels and scenario views.

An exporter is a pure function from a scenario dict to a list of ``ExportFile`` (file name, bytes); the
CLI and the studio decide where the bytes go. Writing to disk goes through ``write_outputs``, which
replaces each file atomically so a reader never sees half a pack.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from studio.durations import format_clock, parse_minutes
from studio.scenario.control import control_only_texts, is_control_only_inject  # noqa: F401 (re-exported)
from studio.scenario.schema import control_only_fields, load_schema
from studio.scenario.store import write_atomic

LABELS_DIR = Path(__file__).resolve().parent / "labels"
DEFAULT_LANGUAGE = "fr"

# 1980-01-01 is the earliest date a zip entry can carry: every entry of every export gets it, so that
# the same scenario gives the same bytes whatever the day.
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# XML 1.0 refuses C0 controls other than tab, newline and carriage return, lone surrogates and the two
# non-characters U+FFFE/U+FFFF; Word and openpyxl both break on them, so they are dropped on the way in.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ExportFile(NamedTuple):
    """One output: a bare file name (no folder) and its bytes."""

    filename: str
    data: bytes


def clean_text(value: object) -> str:
    """Return ``value`` as text that any XML-based format accepts (invalid characters removed)."""
    if value is None:
        return ""
    return _XML_INVALID.sub("", value if isinstance(value, str) else str(value))


# Letters that Unicode does not decompose into a base letter plus accents.
_TRANSLITERATIONS = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
    }
)


def transliterate(text: str) -> str:
    """``text`` in plain ASCII letters where it can be: accents dropped, ligatures spelt out (œ -> oe)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATIONS))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def safe_filename_part(text: str, fallback: str = "scenario") -> str:
    """A file-name fragment made of letters, digits, '-', '_' and '.' only (accents transliterated)."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", transliterate(text)).strip("-.")
    return cleaned[:80] or fallback


def normalise_zip(data: bytes, comments: dict[str, bytes] | None = None) -> bytes:
    """Rewrite a zip (docx, xlsx...) with fixed entry dates, in the same entry order.

    ``comments`` optionally gives a per-entry comment by entry name (the OpenBAS importer needs them).
    """
    comments = comments or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.comment = comments.get(info.filename, b"")
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


class OverwritesInput(ValueError):
    """An output would replace a file it was made from (the scenario file read by the command)."""


def check_output_folder(folder: Path, filenames: Iterable[str], protect: Iterable[str | Path] = ()) -> None:
    """Raise before anything is written when ``folder`` cannot take the outputs ``filenames``.

    NotADirectoryError when ``folder`` is a file; ValueError for a file name with a folder in it;
    IsADirectoryError when a folder is where an output goes (found before the first file is written,
    not halfway); OverwritesInput when an output would replace one of the files ``protect`` (exports
    choose their own names, so a scenario kept under one of them would be lost without the user
    asking for it).
    """
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "it is a file, not a folder", str(folder))
    protected = [Path(path) for path in protect]
    for filename in filenames:
        if Path(filename).name != filename:
            raise ValueError(f"export file name must not contain a folder: {filename!r}")
        target = folder / filename
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "a folder is in the way of an output file", str(target))
        for source in protected:
            if target.exists() and source.exists() and os.path.samefile(target, source):
                raise OverwritesInput(
                    f"{target} is the input file {source}: writing there would replace the scenario "
                    "with an output; choose another output folder (or rename the scenario file)"
                )


def write_outputs(
    directory: str | Path, outputs: Iterable[ExportFile], *, protect: Iterable[str | Path] = ()
) -> list[Path]:
    """Write each output under ``directory`` (created if needed) atomically; return the paths written.

    Each file is written as a scenario is saved (store.write_atomic: a temporary file in the same
    folder, flushed, renamed over the target), so an interrupted export leaves either the old file or
    the new one, never a torn one; a link is followed, a device or a pipe written to. Nothing is
    written when an output would replace one of the files ``protect`` (OverwritesInput) or
    ``directory`` is a file (NotADirectoryError).
    """
    folder = Path(directory)
    outputs = list(outputs)
    check_output_folder(folder, [output.filename for output in outputs], protect)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for output in outputs:
        target = folder / output.filename
        write_atomic(target, output.data, new_file_mode=0o644)
        written.append(target)
    return written


# ---------------------------------------------------------------------------------------------- labels


class Labels:
    """The label table of one language (labels/<language>.json).

    ``labels["key"]`` returns a UI string and raises KeyError for an unknown key, so that a typo fails in
    the tests rather than printing a key into a pack. ``labels.enum(name, value)`` names an enum value
    (a channel, a category...) and falls back to the raw value when the table has no entry for it.
    """

    def __init__(self, language: str, table: dict[str, Any]) -> None:
        self.language = language
        self._text: dict[str, str] = table["text"]
        self._enums: dict[str, dict[str, str]] = table["enums"]
        self.tables: dict[str, Any] = table["tables"]

    def __getitem__(self, key: str) -> str:
        return self._text[key]

    def format(self, key: str, **values: object) -> str:
        return self._text[key].format(**values)

    def enum(self, name: str, value: object) -> str:
        return self._enums.get(name, {}).get(str(value), str(value))

    def keys(self) -> set[str]:
        return set(self._text)


@cache
def _label_table(language: str) -> dict[str, Any]:
    return json.loads((LABELS_DIR / f"{language}.json").read_text(encoding="utf-8"))


def available_languages() -> list[str]:
    return sorted(path.stem for path in LABELS_DIR.glob("*.json"))


def labels_for(language: str | None) -> Labels:
    """Labels for ``language``; an unknown or missing language falls back to French."""
    chosen = language if language in available_languages() else DEFAULT_LANGUAGE
    return Labels(chosen, _label_table(chosen))


def scenario_labels(scenario: dict[str, Any]) -> Labels:
    return labels_for(scenario.get("exercise", {}).get("language"))


# ------------------------------------------------------------------------------------ scenario views


def by_id(items: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Index a list of objects with an ``id``; the first occurrence of an id wins."""
    index: dict[str, dict[str, Any]] = {}
    for item in items:
        index.setdefault(item.get("id", ""), item)
    return index


def inject_minutes(inject: dict[str, Any]) -> float:
    """Exercise-clock minutes of an inject (0 if its offset is unreadable)."""
    try:
        return parse_minutes(inject.get("offset", "PT0S"))
    except ValueError:
        return 0.0


def sorted_injects(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    """Injects in chronogramme order: exercise offset, then position in the scenario (stable sort)."""
    return sorted(scenario.get("injects", []), key=inject_minutes)


def inject_clock(inject: dict[str, Any]) -> str:
    """The exercise-clock label of an inject, e.g. ``T+01:30`` or ``J+1 T+02:00``."""
    return format_clock(inject_minutes(inject))


def player_cells(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    return [cell for cell in scenario.get("cells", []) if cell.get("type") == "player"]


def applies_to_cell(item: dict[str, Any], cell_id: str) -> bool:
    """Objectives and reflex sheets name their cells; an empty or missing list means every player cell."""
    cells = item.get("cells") or []
    return not cells or cell_id in cells


def directory_personas(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    """Personas listed in the players' directory (``in_directory`` false hides one, e.g. the attacker)."""
    return [persona for persona in scenario.get("personas", []) if persona.get("in_directory", True)]


def strip_control_only(item: dict[str, Any], def_name: str) -> dict[str, Any]:
    """A copy of ``item`` without the properties the schema marks ``x-control-only`` for ``def_name``."""
    hidden = control_only_fields(def_name)
    return {key: value for key, value in item.items() if key not in hidden}


def control_only_fields_root() -> frozenset[str]:
    """Top-level scenario properties marked control-only (``timeline`` is marked on its definition)."""
    schema = load_schema()
    hidden = set()
    for key, spec in schema["properties"].items():
        ref = spec.get("$ref", "")
        target = schema["$defs"].get(ref.rsplit("/", 1)[-1], {}) if ref.startswith("#/$defs/") else {}
        if spec.get("x-control-only") or target.get("x-control-only"):
            hidden.add(key)
    return frozenset(hidden)
