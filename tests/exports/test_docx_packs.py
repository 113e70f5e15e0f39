"""Structure of the Word packs, checked by reopening the real .docx files with python-docx."""

from __future__ import annotations

import io
import itertools
from typing import Any

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.table import Table

from studio.exports.chronogramme import ScenarioView
from studio.exports.common import applies_to_cell, player_cells
from studio.exports.docx.build_base import build_base
from studio.exports.docx.writer import BASE_TEMPLATE, field_instructions
from studio.exports.typography import typeset_french
from tests.exports.support import LANGUAGES, load_golden


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def effective_header_footer(document, index: int):
    """The header and footer a section shows: its own, or the nearest previous section's when linked."""
    sections = document.sections
    while index > 0 and sections[index].header.is_linked_to_previous:
        index -= 1
    return sections[index].header, sections[index].footer


def heading_texts(document, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def test_committed_base_template_is_what_the_script_builds() -> None:
    assert BASE_TEMPLATE.read_bytes() == build_base()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_pack_has_banner_title_page_n_of_m_and_a_filled_toc(docx_by_language, language: str) -> None:
    marking = load_golden(language)["exercise"]["safety"]["marking"]
    title = load_golden(language)["exercise"]["title"]
    packs = docx_by_language[language]
    assert len(packs) == 2 * len(player_cells(load_golden(language))) + 3
    for name, data in packs.items():
        document = open_docx(data)
        for index in range(len(document.sections)):
            header, footer = effective_header_footer(document, index)
            assert marking in "\n".join(p.text for p in header.paragraphs), (name, index)
            assert marking in "\n".join(p.text for p in footer.paragraphs), (name, index)
            assert title in "\n".join(p.text for p in header.paragraphs), (name, index)
            assert {"PAGE", "NUMPAGES"} <= set(field_instructions(header._element)), (name, index)
        instructions = field_instructions(document.element.body)
        assert any(instruction.startswith("TOC") for instruction in instructions), name
        entries = [p.text for p in document.paragraphs if p.style.name.startswith("toc ")]
        headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
        assert entries == headings and entries, name
        settings = document.settings.element
        assert settings.find(qn("w:updateFields")) is not None


def test_marking_of_the_scenario_replaces_the_template_banner(scenario_copy: dict[str, Any]) -> None:
    from studio.exports.docx import evaluator_pack

    scenario_copy["exercise"]["safety"]["marking"] = "EXERCISE ONLY - DRILL"
    document = open_docx(evaluator_pack(scenario_copy))
    header_text = document.sections[0].header.paragraphs[0].text
    assert header_text == "EXERCISE ONLY - DRILL"


@pytest.mark.parametrize(("language", "toc_heading"), [("fr", "Sommaire"), ("en", "Contents")])
def test_labels_follow_the_scenario_language(docx_by_language, language: str, toc_heading: str) -> None:
    for data in docx_by_language[language].values():
        document = open_docx(data)
        assert toc_heading in [p.text for p in document.paragraphs if p.style.name == "TOC Heading"]


def test_combined_player_document_has_one_section_per_cell(docx_by_language) -> None:
    scenario = load_golden("en")
    document = open_docx(docx_by_language["en"]["golden-ght-en-players-all.docx"])
    cells = player_cells(scenario)
    assert len(document.sections) == len(cells)
    # Each section starts with its cell's name as the level-1 heading, in scenario order.
    assert heading_texts(document, 1) == [cell["name"] for cell in cells]
    body = document.element.body
    section_breaks = [
        p for p in body.iter(qn("w:p")) if p.find(qn("w:pPr") + "/" + qn("w:sectPr")) is not None
    ]
    assert len(section_breaks) == len(cells) - 1


def test_each_player_cell_gets_its_own_pack(docx_by_language) -> None:
    scenario = load_golden("fr")
    for cell in player_cells(scenario):
        document = open_docx(docx_by_language["fr"][f"golden-ght-fr-players-{cell['id']}.docx"])
        text = "\n".join(p.text for p in document.paragraphs)
        assert cell["name"] in text
        if cell.get("mission"):
            assert typeset_french(cell["mission"]) in text
        others = [other for other in player_cells(scenario) if other["id"] != cell["id"]]
        for other in others:
            if other.get("initial_situation"):
                assert other["initial_situation"] not in text


def test_reflex_sheets_only_reach_their_cells(docx_by_language) -> None:
    packs = docx_by_language["en"]
    it_text = "\n".join(p.text for p in open_docx(packs["golden-ght-en-players-dsi-a.docx"]).paragraphs)
    crisis_text = "\n".join(
        p.text for p in open_docx(packs["golden-ght-en-players-crisis-a.docx"]).paragraphs
    )
    assert "Isolate the network" in it_text
    assert "Isolate the network" not in crisis_text
    assert "Switch to paper" in it_text and "Switch to paper" in crisis_text


def _chronogramme_table(document):
    for table in document.tables:
        header = [cell.text for cell in table.rows[0].cells]
        if "No." in header and "Exercise time" in header:
            return table
    raise AssertionError("no chronogramme table")


def test_animation_chronogramme_has_one_row_per_inject_and_a_repeating_header(docx_by_language) -> None:
    scenario = load_golden("en")
    document = open_docx(docx_by_language["en"]["golden-ght-en-animation.docx"])
    table = _chronogramme_table(document)
    assert len(table.rows) == 1 + len(scenario["injects"])
    tr_pr = table.rows[0]._tr.trPr
    assert tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None
    numbers = [row.cells[0].text for row in table.rows[1:]]
    assert sorted(numbers, key=int) == sorted((i["number"] for i in scenario["injects"]), key=int)
    # The chronogramme sits in a landscape section and is followed by portrait pages again.
    orientations = [section.orientation for section in document.sections]
    assert WD_ORIENT.LANDSCAPE in orientations and orientations[-1] == WD_ORIENT.PORTRAIT


def card_headings(document, prefix: str) -> list:
    return [p for p in document.paragraphs if p.style.name == "Heading 2" and p.text.startswith(prefix)]


def starts_a_page(paragraph) -> bool:
    """True when the paragraph begins a page: page break before it, or first after a section/page break."""
    if paragraph.paragraph_format.page_break_before:
        return True
    previous = paragraph._p.getprevious()
    if previous is None:
        return False
    if previous.find(qn("w:pPr") + "/" + qn("w:sectPr")) is not None:
        return True
    return bool(previous.xpath(".//w:br[@w:type='page']"))


def inject_cards(document, prefix: str) -> list:
    """The framed cards of a pack: top-level one-cell tables whose first paragraph is a card title."""
    cards = []
    for tbl in document.element.body.iterchildren(qn("w:tbl")):
        first = tbl.find(f"{qn('w:tr')}/{qn('w:tc')}/{qn('w:p')}")
        title = "".join(node.text or "" for node in first.iter(qn("w:t"))) if first is not None else ""
        if first.xpath("string(./w:pPr/w:pStyle/@w:val)") == "Heading2" and title.startswith(prefix):
            cards.append(tbl)
    return cards


def all_tables(document) -> list[Table]:
    """Every table of the body, nested ones included, in document order."""
    return [Table(tbl, document._body) for tbl in document.element.body.iter(qn("w:tbl"))]


def card_text(tbl) -> str:
    return "\n".join("".join(node.text or "" for node in p.iter(qn("w:t"))) for p in tbl.iter(qn("w:p")))


def test_inject_cards_share_pages_framed_to_cut_and_never_split(docx_by_language) -> None:
    scenario = load_golden("en")
    view = ScenarioView(scenario)
    document = open_docx(docx_by_language["en"]["golden-ght-en-animation.docx"])
    cards = inject_cards(document, "Inject ")
    assert len(cards) == len(scenario["injects"])
    for tbl, inject in zip(cards, sorted(scenario["injects"], key=_card_order), strict=True):
        rows = tbl.findall(qn("w:tr"))
        assert len(rows) == 1 and len(rows[0].findall(qn("w:tc"))) == 1
        # The one row cannot break across pages: a page break falls between two cards, never inside one.
        assert rows[0].find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None
        # A dashed frame all round: the cut line.
        borders = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}")
        assert [edge.get(qn("w:val")) for edge in borders] == ["dashed"] * 4
        # No page break of its own: cards follow one another and share pages.
        assert not tbl.xpath(".//w:pageBreakBefore") and not tbl.xpath(".//w:br[@w:type='page']")
        # Word merges tables that touch: a paragraph separates each card from the next block.
        assert tbl.getnext().tag == qn("w:p")
        # Cut out, the card still says what, when, how, from whom to whom and what is expected.
        text = card_text(tbl)
        assert text.startswith(f"Inject {inject['number']}: ")
        for shown in (
            view.display(inject, "offset"),
            view.display(inject, "scenario_time"),
            view.display(inject, "channel"),
            f"{view.display(inject, 'from')} \u2192 {view.display(inject, 'to')}",
            *inject["message"].split("\n\n"),
            *inject.get("expected_actions", []),
        ):
            assert shown.strip() in text, (inject["number"], shown)
    # Contingency injects come last, under their own heading.
    contingency = [inject for inject in scenario["injects"] if inject.get("contingency")]
    assert [card_text(tbl).split(":")[0] for tbl in cards[-len(contingency) :]] == [
        f"Inject {inject['number']}" for inject in contingency
    ]


def test_a_card_taller_than_a_page_is_written_unframed_on_a_page_of_its_own(
    scenario_copy: dict[str, Any],
) -> None:
    """Word clips a table row taller than a page that may not split: such a card is plain paragraphs."""
    from studio.exports.docx import animation_pack

    scenario_copy["injects"][0]["message"] = "Un long message. " * 400
    document = open_docx(animation_pack(scenario_copy))
    cards = inject_cards(document, "Stimulus ")
    assert len(cards) == len(scenario_copy["injects"]) - 1
    assert all(tbl.find(f"{qn('w:tr')}/{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for tbl in cards)
    number = scenario_copy["injects"][0]["number"]
    title = next(p for p in card_headings(document, f"Stimulus {number}\u00a0:"))
    assert starts_a_page(title)
    assert any("Un long message." in p.text for p in document.paragraphs)


def _card_order(inject: dict) -> tuple[bool, float]:
    from studio.exports.common import inject_minutes

    return (bool(inject.get("contingency")), inject_minutes(inject))


def test_evaluator_pack_per_observed_cell_has_one_sheet_per_core_inject_to_it(docx_by_language) -> None:
    scenario = load_golden("en")
    core = [
        inject
        for inject in scenario["injects"]
        if inject.get("priority", "core") == "core"
        and not inject.get("contingency")
        and inject.get("visibility", "players") != "control"
    ]
    view = ScenarioView(scenario)
    assert len(core) == 5  # 8 injects: one optional, one contingency, one for the animation cell only
    seen = 0
    for cell in player_cells(scenario):
        document = open_docx(docx_by_language["en"][f"golden-ght-en-evaluators-{cell['id']}.docx"])
        sheets = inject_cards(document, "Observation of inject")
        expected = [i for i in core if cell["id"] in i["to"] or cell["id"] in i.get("cc", [])]
        assert len(sheets) == len(expected), cell["id"]
        # Each sheet framed and whole on its page, several to a page: no page break of its own.
        for sheet, inject in zip(sheets, expected, strict=True):
            assert sheet.find(f"{qn('w:tr')}/{qn('w:trPr')}/{qn('w:cantSplit')}") is not None
            assert not sheet.xpath(".//w:pageBreakBefore")
            text = card_text(sheet)
            route = f"{view.display(inject, 'from')} \u2192 {view.display(inject, 'to')}"
            assert route in text and view.display(inject, "offset") in text
            assert all(action in text for action in inject.get("expected_actions", []))
            # Observers see what players are asked, not what animators know.
            assert not any(
                inject.get(key, "") and inject[key] in text for key in ("synopsis", "animator_notes")
            )
        seen += len(sheets)
    assert seen >= len(core)
    from studio.exports.docx import evaluator_pack

    document = open_docx(evaluator_pack(scenario))  # every observed cell in one document
    criteria = sum(
        len(objective["criteria"])
        for cell in player_cells(scenario)
        for objective in scenario["objectives"]
        if applies_to_cell(objective, cell["id"])
    )
    # Each objective's grid is kept whole with its heading, inside a frameless one-cell table.
    grids = [
        t
        for t in all_tables(document)
        if [c.text for c in t.rows[0].cells][:2] == ["Critical task", "Target"]
    ]
    assert sum(len(grid.rows) - 1 for grid in grids) == criteria
    # the default HSEEP scale for English scenarios, plus "not observed"
    assert "\u2610 P" in grids[0].rows[1].cells[2].text and "\u2610 N/O" in grids[0].rows[1].cells[2].text


def test_after_pack_has_hot_wash_and_improvement_plan(docx_by_language) -> None:
    scenario = load_golden("fr")
    document = open_docx(docx_by_language["fr"]["golden-ght-fr-after-exercise.docx"])
    assert "RETEX à chaud (hot wash)" in heading_texts(document, 1)
    plan = next(
        t
        for t in document.tables
        if [c.text for c in t.rows[0].cells]
        == ["N°", "Action", "Priorité", "Pilote", "Échéance", "Statut", "Indicateur"]
    )
    planned = scenario["retex"]["actions"]
    assert plan.rows[1].cells[1].text == typeset_french(planned[0]["action"])
    assert plan.rows[1].cells[4].text == planned[0]["due"]
    assert len(plan.rows) > 1 + len(planned)  # blank rows to fill in


def test_packs_are_deterministic(golden: dict[str, Any]) -> None:
    from studio.exports.docx import animation_pack

    assert animation_pack(golden) == animation_pack(golden)


def test_after_pack_keeps_each_objective_with_its_findings_form(docx_by_language) -> None:
    scenario = load_golden("fr")
    document = open_docx(docx_by_language["fr"]["golden-ght-fr-after-exercise.docx"])
    blocks = {}
    for tbl in document.element.body.iterchildren(qn("w:tbl")):
        first = tbl.find(f"{qn('w:tr')}/{qn('w:tc')}/{qn('w:p')}")
        is_form = bool(tbl.xpath(".//w:tbl//w:t[text()='Constat (fait, heure, source)']"))
        if first.xpath("string(./w:pPr/w:pStyle/@w:val)") == "Heading3" and is_form:
            blocks[card_text(tbl).split("\n")[0]] = tbl
    assert sorted(blocks) == sorted(
        typeset_french(objective["title"]) for objective in scenario["objectives"]
    )
    for tbl in blocks.values():
        # One row that cannot split, no frame: the heading, the rating and the form stay on one page.
        assert tbl.find(f"{qn('w:tr')}/{qn('w:trPr')}/{qn('w:cantSplit')}") is not None
        assert tbl.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}") is None
    # The paragraph introducing the findings goes to the page of the first form.
    intro = next(p for p in document.paragraphs if p.text.startswith("Pour chaque objectif"))
    assert intro.paragraph_format.keep_with_next


def test_text_under_a_table_does_not_touch_it(docx_by_language) -> None:
    bodies = [open_docx(data).element.body for data in docx_by_language["fr"].values()]
    after_tables = [
        p
        for body in bodies
        for p in body.iter(qn("w:p"))
        if p.getprevious() is not None
        and p.getprevious().tag == qn("w:tbl")
        and not p.xpath("string(./w:pPr/w:pStyle/@w:val)").startswith("Heading")
        and p.xpath("string(.//w:t)")
    ]
    assert after_tables
    assert all(p.xpath("string(./w:pPr/w:spacing/@w:before)") == "120" for p in after_tables)


def test_fil_rouge_clocks_wrap_only_after_the_dash(docx_by_language) -> None:
    document = open_docx(docx_by_language["en"]["golden-ght-en-animation.docx"])
    fil_rouge = next(t for t in document.tables if t.rows[0].cells[1].text == "When")
    spans = [row.cells[1].text for row in fil_rouge.rows[1:]]
    assert spans and all(span.count(" ") == 2 and " \u2013 " in span for span in spans), spans


def test_reflex_sheet_steps_stay_on_one_page(docx_by_language) -> None:
    scenario = load_golden("en")
    document = open_docx(docx_by_language["en"]["golden-ght-en-players-dsi-a.docx"])
    paragraphs = document.paragraphs
    checked = 0
    for sheet in scenario["reflex_sheets"]:
        if not applies_to_cell(sheet, "dsi-a"):
            continue
        start = next(i for i, p in enumerate(paragraphs) if p.text == sheet["title"])
        steps = paragraphs[start + 1 : start + 1 + len(sheet["steps"])]
        assert [p.text for p in steps] == [f"\u2610 {step}" for step in sheet["steps"]]
        # Each step is kept with the next, the heading with the first: the sheet turns no page.
        assert all(p.paragraph_format.keep_with_next for p in steps[:-1])
        assert not steps[-1].paragraph_format.keep_with_next
        checked += 1
    assert checked


def test_no_table_leaves_its_first_or_last_row_alone_on_a_page(docx_by_language) -> None:
    document = open_docx(docx_by_language["fr"]["golden-ght-fr-players-crisis-a.docx"])
    directory = max(document.tables, key=lambda table: len(table.rows))
    rows = directory._tbl.tr_lst
    assert len(rows) > 4

    def kept(tr) -> bool:
        return all(p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None for p in tr.iter(qn("w:p")))

    # The header and the first row go with the next row; so does the second to last; no other row.
    assert [kept(tr) for tr in rows] == [True, True] + [False] * (len(rows) - 4) + [True, False]


def test_a_cell_without_objectives_gets_no_empty_section(scenario_copy: dict[str, Any]) -> None:
    from studio.exports.docx import evaluator_pack, player_pack

    cell = player_cells(scenario_copy)[0]["id"]
    for objective in scenario_copy["objectives"]:
        objective["cells"] = [other["id"] for other in player_cells(scenario_copy) if other["id"] != cell]
    for pack in (player_pack(scenario_copy, cell), evaluator_pack(scenario_copy, cell)):
        blocks = list(open_docx(pack).element.body.iterchildren(qn("w:p"), qn("w:tbl")))
        for block, following in itertools.pairwise(blocks):
            level = block.xpath("string(./w:pPr/w:pStyle/@w:val)")
            if not level.startswith("Heading"):
                continue
            # A heading is followed by its content (text, a table) or by a heading one level down.
            if following.tag == qn("w:tbl"):
                continue
            next_level = following.xpath("string(./w:pPr/w:pStyle/@w:val)")
            text = following.xpath("string(.)")
            assert text and (not next_level.startswith("Heading") or next_level > level), block.xpath(
                "string(.)"
            )
