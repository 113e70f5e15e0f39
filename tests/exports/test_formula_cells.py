"""CSV injection: no exported cell starts like a formula, however the formula is dressed.

Spreadsheet programs take more than ``=`` ``+`` ``-`` ``@`` as the start of a formula: a tab or a
carriage return before them (OWASP lists both), spaces that the import trims, and the full-width
signs that some Excel versions read as their ASCII twins. Each such cell gets the leading quote, and
the import takes it off again, so the round trip keeps the designer's exact text.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from hostile_support import night_generated

from studio.exports.msel import import_msel, msel_csv
from studio.safety import is_formula_like, spreadsheet_text, unquote_spreadsheet_text

DRESSED_FORMULAS = [
    '=HYPERLINK("http://127.0.0.1/x","clic")',
    "+33 1 23 45 67 89",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\n=1+1",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(A1)",
    "'=1+1",  # a designer's own quote before a formula: kept as typed
    "''=1+1",
]
PLAIN = ["Texte normal", "'citation'", "'", "", "1 = 1", "Appel à 10h - urgent"]


@pytest.mark.parametrize("text", DRESSED_FORMULAS)
def test_dressed_formulas_are_quoted(text: str) -> None:
    assert is_formula_like(text)
    quoted = spreadsheet_text(text)
    assert quoted == "'" + text
    assert unquote_spreadsheet_text(quoted) == text


@pytest.mark.parametrize("text", PLAIN)
def test_plain_text_is_left_alone(text: str) -> None:
    assert spreadsheet_text(text) == text
    assert unquote_spreadsheet_text(text) == text


@pytest.fixture(scope="module")
def dressed() -> dict[str, Any]:
    scenario = night_generated()
    for inject, text in zip(scenario["injects"], DRESSED_FORMULAS, strict=False):
        inject["message"] = text
        inject["title"] = text.strip() or "titre"
    return scenario


def test_no_csv_cell_starts_like_a_formula(dressed: dict[str, Any]) -> None:
    data = msel_csv(dressed).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data, newline=""), delimiter=";"))
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) == len(dressed["injects"]) + 1
    unsafe = [cell for cell in cells if is_formula_like(cell) and not cell.startswith("'")]
    assert unsafe == []


def test_the_csv_import_gives_back_the_exact_texts(dressed: dict[str, Any]) -> None:
    result = import_msel(msel_csv(dressed), "msel.csv", dressed)
    assert result.issues == []
    by_id = {inject["id"]: inject for inject in result.injects}
    for inject in dressed["injects"][: len(DRESSED_FORMULAS)]:
        # The import trims the blanks around every cell (and turns CR LF into LF); nothing else changes.
        assert by_id[inject["id"]]["message"] == inject["message"].strip()
        assert by_id[inject["id"]]["title"] == inject["title"]
