"""Exports of a scenario: Word packs, MSEL spreadsheets and the OpenBAS scenario zip.

Every exporter is a pure function from a valid scenario dict to ``ExportFile`` (file name, bytes)
values; ``write_outputs`` puts them on disk atomically. For the studio's Exports page:

- ``export_outputs(scenario, formats)`` -> every file of the chosen formats;
- the single builders (``player_pack``, ``animation_pack``, ``msel_xlsx``, ``openbas_zip``...) for one file;
- ``chronogramme_rows(scenario)`` and ``chronogramme_headers(labels)`` for a chronogramme preview;
- ``import_msel(data, filename, scenario, mapping=..., accept_partial=...)`` to bring a spreadsheet in.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from studio.exports.chronogramme import CHRONO_COLUMNS, chronogramme_headers, chronogramme_rows
from studio.exports.common import ExportFile, control_only_texts, scenario_labels, write_outputs

FORMATS = ("docx", "xlsx", "csv", "openbas")
"""Output formats in the order ``export_outputs`` produces them (docx means every Word pack)."""

__all__ = [
    "CHRONO_COLUMNS",
    "FORMATS",
    "ExportFile",
    "chronogramme_headers",
    "chronogramme_rows",
    "control_only_texts",
    "export_outputs",
    "export_to_directory",
    "scenario_labels",
    "write_outputs",
]


def export_outputs(
    scenario: dict[str, Any],
    formats: Iterable[str] = FORMATS,
    *,
    csv_separator: str | None = None,
    toc_pages: bool = False,
) -> list[ExportFile]:
    """Every output file of ``formats`` for a *valid* scenario (validate first: nothing is checked here
    but the API key: a scenario holding it raises store.SecretInDocument and nothing is made).

    ``csv_separator`` chooses the MSEL CSV's separator; by default ';' in French, ',' in English.
    ``toc_pages`` numbers the Word packs' tables of contents with LibreOffice when it is installed
    (seconds per pack, hence opt-in for the library; the ``export`` command turns it on).
    """
    from studio.exports.docx import docx_outputs
    from studio.exports.msel import msel_outputs
    from studio.exports.openbas import openbas_outputs
    from studio.scenario.store import refuse_secrets_in

    refuse_secrets_in(scenario)  # every export is made from the scenario's texts
    chosen = list(dict.fromkeys(formats))
    unknown = [fmt for fmt in chosen if fmt not in FORMATS]
    if unknown:
        raise ValueError(f"unknown export format(s) {unknown}; choose from {', '.join(FORMATS)}")
    outputs: list[ExportFile] = []
    for fmt in FORMATS:
        if fmt not in chosen:
            continue
        if fmt == "docx":
            outputs += docx_outputs(scenario)
        elif fmt in ("xlsx", "csv"):
            outputs += msel_outputs(scenario, (fmt,), csv_separator=csv_separator)
        else:
            outputs += openbas_outputs(scenario)
    if toc_pages:
        from studio.exports.docx.toc_pages import fill_toc_pages

        outputs = fill_toc_pages(outputs)
    return outputs


def export_to_directory(
    scenario: dict[str, Any],
    directory: str | Path,
    formats: Iterable[str] = FORMATS,
    *,
    csv_separator: str | None = None,
    toc_pages: bool = False,
    protect: Iterable[str | Path] = (),
) -> list[Path]:
    """Build the outputs of ``formats`` and write them atomically under ``directory``; nothing is
    written when one would replace a file of ``protect`` (common.OverwritesInput)."""
    outputs = export_outputs(scenario, formats, csv_separator=csv_separator, toc_pages=toc_pages)
    return write_outputs(directory, outputs, protect=protect)
