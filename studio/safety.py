"""Text from a scenario shown by programs that would otherwise interpret it.

A scenario is written by people and, through imports and the language model, by other programs: its
titles and names are data, never markup or formulas. Two places interpret text by default:

- spreadsheets: openpyxl stores any text starting with ``=`` as a formula, which Excel and
  LibreOffice then compute (and a formula can fetch a URL or run a command);
- spreadsheets opening a CSV: a cell starting with ``=`` ``+`` ``-`` ``@`` is a formula, also after a
  tab, a carriage return or spaces, and in some Excel versions with the full-width signs (＝＋－＠);
- terminals and logs: escape sequences in an id or a cell would be obeyed (cleared screen, forged
  links), bidi overrides would reorder what is shown;
- Streamlit's Markdown: a title such as ``![x](https://tracker.example/p.png)`` would load a remote
  image in the studio, ``:red[...]`` or ``$...$`` would restyle it.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls but tab and newline, DEL, C1 controls, and the bidi marks, embeddings, overrides and
# isolates (U+061C, U+200E-F, U+202A-E, U+2066-9) that reorder what a terminal or a page shows.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=^&])")


def printable(text: str) -> str:
    """``text`` with every control and bidi character written as a visible ``\\uXXXX`` escape, so
    that a terminal or a log shows a hostile id or cell instead of obeying it (an escape sequence
    that clears the screen, a right-to-left override that reverses a file name). Lines and tabs stay.
    """
    return _UNPRINTABLE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


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


FORMULA_SIGNS = "=+-@\uff1d\uff0b\uff0d\uff20"
"""Signs that start a formula in a spreadsheet cell, with their full-width forms (＝＋－＠)."""
_BLANKS_AND_QUOTES = "' \t\r\n"


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula: it starts with a tab or a carriage
    return (OWASP's list), or its first character after quotes and blanks is a formula sign.

    Leading quotes count as blanks so that a text already starting with a quote before a sign is
    quoted once more, and the import, which takes one quote off, gives it back exactly."""
    if text[:1] in ("\t", "\r"):
        return True
    core = text.lstrip(_BLANKS_AND_QUOTES)
    return bool(core) and core[0] in FORMULA_SIGNS


def spreadsheet_text(text: str) -> str:
    """``text`` for a CSV cell a spreadsheet shows as text: formula-like text gets a leading quote
    (which spreadsheets hide); :func:`unquote_spreadsheet_text` takes it off again."""
    return "'" + text if is_formula_like(text) else text


def unquote_spreadsheet_text(value: str) -> str:
    """Undo :func:`spreadsheet_text` on a cell read back from a CSV."""
    return value[1:] if value.startswith("'") and is_formula_like(value[1:]) else value
