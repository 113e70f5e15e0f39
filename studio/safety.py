"""Text from a scenario shown by programs that would otherwise interpret it.

A scenario is written by people and, through imports and the language model, by other programs: its
titles and names are data, never markup or formulas. Two places interpret text by default:

- spreadsheets: openpyxl stores any text starting with ``=`` as a formula, which Excel and
  LibreOffice then compute (and a formula can fetch a URL or run a command);
- Streamlit's Markdown: a title such as ``![x](https://tracker.example/p.png)`` would load a remote
  image in the studio, ``:red[...]`` or ``$...$`` would restyle it.
"""

from __future__ import annotations

import re
from typing import Any

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=^&])")


def markdown_literal(text: str) -> str:
    """``text`` escaped so that Streamlit's Markdown shows it exactly as written, as plain text."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


def neutralise_formulas(workbook: Any) -> None:
    """Make every cell of every sheet of an openpyxl ``workbook`` that openpyxl took for a formula
    (text starting with ``=``) a plain text cell, so the workbook never computes anything."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
