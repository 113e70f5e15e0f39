"""Hostile text in every free field never yields a broken file: each output reopens and keeps the text."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import docx
import openpyxl
import pytest

from studio.exports import export_outputs
from studio.exports.msel import import_msel
from tests.exports.support import CONTROL_CHARS, EMOJI, FORMULA, LONG, RTL, hostile_scenario


@pytest.fixture(scope="module")
def hostile() -> dict[str, Any]:
    return hostile_scenario()


@pytest.fixture(scope="module")
def outputs(hostile) -> dict[str, bytes]:
    return dict(export_outputs(hostile))


def test_every_word_pack_reopens_and_keeps_the_text(outputs) -> None:
    packs = {name: data for name, data in outputs.items() if name.endswith(".docx")}
    assert len(packs) == 9
    for name, data in packs.items():
        document = docx.Document(io.BytesIO(data))
        text = "\n".join(p.text for p in document.paragraphs) + "".join(
            cell.text for table in document.tables for row in table.rows for cell in row.cells
        )
        assert EMOJI in text or RTL in text, name
        assert not any(char in text for char in CONTROL_CHARS), name
    animation = docx.Document(io.BytesIO(packs["golden-ght-fr-animation.docx"]))
    assert any(p.text == LONG.strip() or LONG.strip() in p.text for p in animation.paragraphs)


def test_xlsx_reopens_with_text_not_formulas(outputs) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(outputs["golden-ght-fr-msel.xlsx"]))
    sheet = workbook.active
    values = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert any(isinstance(value, str) and value.startswith("=HYPERLINK") for value in values)
    assert max(len(str(value)) for value in values) <= 32767  # Excel's limit per cell


def test_csv_and_xlsx_import_back_without_errors(outputs, hostile) -> None:
    for name in ("golden-ght-fr-msel.csv", "golden-ght-fr-msel.xlsx"):
        result = import_msel(outputs[name], name, hostile)
        assert result.ok, [str(issue) for issue in result.issues]
        by_id = {inject["id"]: inject for inject in result.injects}
        assert by_id["inj-02"]["message"].startswith(FORMULA)
        assert by_id["inj-01"]["expected_actions"][0] == FORMULA
    csv_result = import_msel(outputs["golden-ght-fr-msel.csv"], "m.csv", hostile)
    assert {i["id"]: i for i in csv_result.injects}["inj-01"]["message"] == LONG.strip()


def test_openbas_zip_is_valid_json(outputs) -> None:
    with zipfile.ZipFile(io.BytesIO(outputs["golden-ght-fr-openbas.zip"])) as archive:
        [entry] = archive.infolist()
        document = json.loads(archive.read(entry))
    texts = json.dumps(document, ensure_ascii=False)
    assert EMOJI in texts and "\x00" not in texts
    # Bodies are HTML in OpenBAS: the hostile markup must arrive escaped, as text.
    bodies = [inject["inject_content"].get("body", "") for inject in document["scenario_injects"]]
    bodies += [article["article_content"] for article in document["scenario_articles"]]
    assert any("&lt;script&gt;" in body for body in bodies)
    assert not any("<script>" in body for body in bodies)
