"""Issue 10's done-when checks on the four library scenarios, each reopening the real files.

Every library scenario gets its MSEL from the generator (``generate_msel``), then every export is
built once per session and reopened with python-docx, openpyxl and csv.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from docx.table import Table

from studio.exports import export_outputs
from studio.exports.common import player_cells, scenario_labels
from studio.exports.contacts import is_fictitious_phone, is_reserved_email
from studio.exports.docx.writer import field_instructions
from studio.exports.schedule import exercise_schedule, schedule_lines
from studio.exports.typography import typeset_french
from studio.injects.generator import generate_msel
from studio.scenario.library import load_library

LIBRARY = ("ch-rancongiciel-nuit", "chu-double-extorsion", "supplier-compromise", "territoire-insulaire-ght")
ENGINE_WORDS = re.compile(
    r"kerberoast|detonation|dcsync|lateral movement|credential_obtained|restore_blocked|\bPT\d|\bP\d+D",
    re.IGNORECASE,
)
EMAIL = re.compile(r"\S+@\S+")


@pytest.fixture(scope="module", params=LIBRARY)
def library_exports(request: pytest.FixtureRequest) -> tuple[dict[str, Any], dict[str, bytes]]:
    scenario = generate_msel(load_library(request.param), seed=0).scenario
    outputs = dict(export_outputs(scenario))
    _parsed.clear()  # one scenario's documents at a time: a 260-page pack is big in memory
    return scenario, outputs


_parsed: dict[str, docx.document.Document] = {}


def typeset_for(scenario: dict[str, Any]) -> Callable[[str], str]:
    return typeset_french if scenario["exercise"]["language"] == "fr" else str


def word_packs(outputs: dict[str, bytes]) -> dict[str, docx.document.Document]:
    """The Word packs reopened with python-docx, each parsed once for all the tests (read only)."""
    for name, data in outputs.items():
        if name.endswith(".docx") and name not in _parsed:
            _parsed[name] = docx.Document(io.BytesIO(data))
    return {name: _parsed[name] for name in outputs if name.endswith(".docx")}


def all_text(document: docx.document.Document) -> str:
    """The visible text of the body: paragraphs and every table cell (tables nested in none)."""
    body = document.element.body
    return "\n".join("".join(node.text or "" for node in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))


def tables_with_header(document: docx.document.Document, *names: str) -> list:
    """Tables whose first row holds ``names``, nested ones included (forms kept with their heading)."""
    tables = (Table(tbl, document._body) for tbl in document.element.body.iter(qn("w:tbl")))
    return [
        table
        for table in tables
        if all(name in [cell.text for cell in table.rows[0].cells] for name in names)
    ]


def test_no_empty_or_real_looking_contact_in_any_directory(library_exports) -> None:
    scenario, outputs = library_exports
    labels = scenario_labels(scenario)
    phone, email = labels["col_phone"], labels["col_email"]
    checked = 0
    for name, document in word_packs(outputs).items():
        for table in tables_with_header(document, phone, email):
            header = [cell.text for cell in table.rows[0].cells]
            for row in table.rows[1:]:
                values = [cell.text for cell in row.cells]
                assert is_fictitious_phone(values[header.index(phone)]), (name, values)
                assert is_reserved_email(values[header.index(email)]), (name, values)
                checked += 1
        for table in tables_with_header(document, labels["col_contact"]):
            column = [cell.text for cell in table.rows[0].cells].index(labels["col_contact"])
            for row in table.rows[1:]:
                number, address = row.cells[column].text.split("\n")
                assert is_fictitious_phone(number) and is_reserved_email(address), (name, number, address)
                checked += 1
    assert checked >= len(scenario["personas"])


def test_animation_cell_contact_is_on_every_player_pack(library_exports) -> None:
    scenario, outputs = library_exports
    labels = scenario_labels(scenario)
    for name, document in word_packs(outputs).items():
        if "-players-" in name:
            label = typeset_for(scenario)(labels["meta_animation_contact"])
            line = next(p.text for p in document.paragraphs if p.text.startswith(label))
            number, address = line[len(label) :].split(":", 1)[1].strip().split(" \u2013 ")
            assert is_fictitious_phone(number) and is_reserved_email(address), line


def test_same_schedule_in_every_document_and_spreadsheet(library_exports) -> None:
    scenario, outputs = library_exports
    labels = scenario_labels(scenario)
    schedule = exercise_schedule(scenario)
    expected = [
        f"{label}{labels['colon']}{value}".replace(" ", "")
        for label, value in schedule_lines(schedule, labels)
    ]
    typeset = typeset_french if labels.language == "fr" else str
    for name, document in word_packs(outputs).items():
        # Compared without spaces: French typography turns some of them into non-breaking ones.
        title_block = [
            typeset(p.text).replace(" ", "").replace("\u00a0", "") for p in document.paragraphs[:12]
        ]
        for line in expected:
            assert typeset(line).replace("\u00a0", "") in title_block, (name, line)
        text = all_text(document)
        if labels.language == "fr":
            assert "DEBEX" in text and "FINEX" in text, name
        else:
            assert "STARTEX" in text and "ENDEX" in text, name
    workbook = openpyxl.load_workbook(io.BytesIO(next(v for k, v in outputs.items() if k.endswith(".xlsx"))))
    sheet = workbook.worksheets[1]
    moments = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    naive = lambda moment: moment.replace(tzinfo=None)  # noqa: E731 - Excel has no time zones
    assert moments[labels["meta_startex"]][0] == naive(schedule.startex)
    assert moments[labels["meta_endex"]][0] == naive(schedule.endex)
    assert moments[labels["meta_hot_debrief"]] == (
        naive(schedule.hot_debrief.start),
        naive(schedule.hot_debrief.end),
    )
    sessions = [(naive(s.start), naive(s.end)) for s in schedule.sessions]
    assert [value for value in moments.values() if value[1] is not None][:-1] == sessions


def test_toc_header_and_language_of_every_pack(library_exports) -> None:
    scenario, outputs = library_exports
    labels = scenario_labels(scenario)
    title = scenario["exercise"]["title"]
    typeset = typeset_french if labels.language == "fr" else str
    for name, document in word_packs(outputs).items():
        entries = [p.text for p in document.paragraphs if p.style.name.startswith("toc ")]
        assert entries == [p.text for p in document.paragraphs if p.style.name == "Heading 1"] and entries, (
            name
        )
        assert "F9" not in all_text(document), name
        for section in document.sections:
            header = section.header
            assert typeset(title) in "\n".join(p.text for p in header.paragraphs), name
            assert {"PAGE", "NUMPAGES"} <= set(field_instructions(header._element)), name
        lang = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
        assert lang.get(qn("w:val")) == labels["language_tag"] == document.core_properties.language, name


def test_no_engine_term_raw_id_or_iso_duration_in_a_french_pack(library_exports) -> None:
    scenario, outputs = library_exports
    if scenario["exercise"]["language"] != "fr":
        pytest.skip("English scenario")
    ids = {
        item["id"]
        for key in ("personas", "cells", "systems", "objectives", "injects")
        for item in scenario[key]
    }
    ids |= {event["id"] for event in scenario.get("timeline", {}).get("events", [])}
    # An id that is a plain word ("maintenance", "radio") cannot be told from the prose that uses it.
    ids = {identifier for identifier in ids if re.search(r"[-_.0-9]", identifier)}
    for name, document in word_packs(outputs).items():
        text = EMAIL.sub(" ", all_text(document))  # addresses are built from organisation ids
        # The ground truth is the author's own narrative, printed as written for the animation cell.
        for chunk in scenario["exercise"].get("ground_truth", "").split("\n\n"):
            text = text.replace(typeset_french(chunk.strip()), " ") if chunk.strip() else text
        assert not ENGINE_WORDS.search(text), (name, ENGINE_WORDS.search(text))
        words = set(re.findall(r"[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9]", text))
        assert not words & ids, (name, sorted(words & ids)[:5])


def test_french_typography_is_applied_to_every_paragraph(library_exports) -> None:
    scenario, outputs = library_exports
    if scenario["exercise"]["language"] != "fr":
        pytest.skip("English scenario")
    for name, document in word_packs(outputs).items():
        for p in document.element.body.iter(qn("w:p")):
            text = "".join(node.text or "" for node in p.iter(qn("w:t")))
            assert typeset_french(text) == text, (name, text[:120])


def test_evaluator_pack_per_observed_cell_with_not_observed(library_exports) -> None:
    scenario, outputs = library_exports
    labels = scenario_labels(scenario)
    not_observed = labels.tables["not_observed_level"]
    stem = scenario["id"]
    for cell in player_cells(scenario):
        document = word_packs(
            {k: v for k, v in outputs.items() if k == f"{stem}-evaluators-{cell['id']}.docx"}
        )
        [pack] = document.values()
        text = all_text(pack)
        assert typeset_for(scenario)(labels["sec_observer_instructions"]) in text
        assert cell["name"] in text or typeset_french(cell["name"]) in text
        grids = tables_with_header(pack, labels["col_criterion"], labels["col_rating"])
        assert grids and all(
            f"\u2610 {not_observed['code']}" in row.cells[2].text for row in grids[0].rows[1:]
        )
        assert not_observed["label"] in text


def test_retex_has_played_statistics_and_an_action_plan(library_exports) -> None:
    scenario, outputs = library_exports
    labels = scenario_labels(scenario)
    [pack] = [
        document for name, document in word_packs(outputs).items() if name.endswith("-after-exercise.docx")
    ]
    [per_cell] = tables_with_header(pack, labels["col_cell"], labels["col_planned"], labels["col_played"])
    planned = sum(not inject.get("contingency") for inject in scenario["injects"])
    total = [cell.text for cell in per_cell.rows[-1].cells]
    assert total[0] == labels["total"] and int(total[1]) == planned
    assert len(per_cell.rows) == len(player_cells(scenario)) + 2
    assert tables_with_header(pack, labels["col_objective"], labels["col_planned"])
    assert tables_with_header(
        pack, labels["col_finding"], labels["col_analysis"], labels["col_recommendation"]
    )
    [plan] = tables_with_header(pack, labels["col_priority"], labels["col_owner"], labels["col_due"])
    assert [cell.text for cell in plan.rows[0].cells][-2:] == [labels["col_status"], labels["col_indicator"]]
    for row in plan.rows[1 : 1 + len(scenario.get("retex", {}).get("actions", []))]:
        assert all(cell.text for cell in row.cells[:6])  # priorité, pilote, échéance, statut filled


def test_xlsx_times_are_date_times_and_french_csv_opens_in_columns(library_exports) -> None:
    scenario, outputs = library_exports
    labels = scenario_labels(scenario)
    xlsx = next(value for key, value in outputs.items() if key.endswith(".xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    offset = headers.index(labels.enum("field", "offset")) + 1
    moment = headers.index(labels.enum("field", "scenario_time")) + 1
    rows = list(sheet.iter_rows(min_row=2))
    assert all(isinstance(row[offset - 1].value, dt.timedelta) for row in rows)
    assert all(
        isinstance(row[moment - 1].value, dt.datetime) for row in rows if row[moment - 1].value is not None
    )
    assert any(row[moment - 1].value is not None for row in rows)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    senders = {row[headers.index(labels.enum("field", "from"))].value for row in rows}
    assert senders <= {persona["name"] for persona in scenario["personas"]}
    data = next(value for key, value in outputs.items() if key.endswith(".csv"))
    assert data.startswith("\ufeff".encode())
    separator = ";" if labels.language == "fr" else ","
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=separator))
    assert len(table[0]) == len(headers) and all(len(row) == len(headers) for row in table)


def test_openbas_zip_names_are_transliterated(library_exports) -> None:
    scenario, outputs = library_exports
    data = next(value for key, value in outputs.items() if key.endswith("-openbas.zip"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        [entry] = archive.namelist()
    assert entry.isascii() and re.fullmatch(r"[A-Za-z0-9_.-]+\.json", entry)
    if not scenario["exercise"]["title"].isascii():
        assert "-" in entry and len(entry) > 10  # letters kept (é -> e), not dropped
