"""PackWriter: the helpers every Word pack is written with (python-docx plus direct OXML).

A pack starts from the committed base template (assets/base.docx, built by build_base.py), which
already holds the styles, the exercise banner in the header and footer, the page number and a
table-of-contents field. The writer fills the title block, swaps the banner text for the scenario's
own marking, and appends content. Every string goes through ``clean_text`` here, so no caller can put
an XML-invalid character into a document.

python-docx has no API for fields, repeating header rows or cell shading, and its paragraph and
row helpers get slow on a 300-inject pack (style lookups and body scans on every call): paragraphs and
table rows are therefore built as OXML directly, with the helpers at the bottom of this module.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from studio.exports.common import clean_text, normalise_zip

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
BASE_TEMPLATE = ASSETS_DIR / "base.docx"

# The texts the base template carries; the writer looks for them to replace them, so build_base.py
# imports these names rather than repeating the strings.
TEMPLATE_BANNER = "EXERCICE - EXERCICE - EXERCICE"
TEMPLATE_TITLE = "Title"
TEMPLATE_SUBTITLE = "Subtitle"
TEMPLATE_TOC_HEADING = "Contents"
TEMPLATE_TOC_PLACEHOLDER = "Contents entries"
"""The TOC field's result in the template; every pack replaces it with its headings."""
TEMPLATE_PAGE_LABEL = "Page"
TEMPLATE_RUNNING_TITLE = "Running title"
BANNER_STYLE = "Banner"
SMALL_STYLE = "Small"
RESTRICTED_STYLE = "Restricted"
CARD_TEXT_STYLE = "CardText"
CARD_HEADING_STYLE = "CardHeading"
TOC_LEVELS = 1
"""Heading levels the table of contents lists: level 2 holds every inject card, pages of them."""
TOC_INSTRUCTION = f'TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u'
CHECKBOX = "\u2610"

HEADER_FILL = "D9D9D9"

FACT_SEPARATOR = "  \u00b7  "
"""Between the pairs of a line of facts on a card: a middle dot with room around it."""

CUT_LINE = "dashed"
"""The border of cards meant to be cut out."""

CARD_WIDTH_CM = 17.0
"""Cards span the portrait text width (A4, 2 cm margins)."""

AFTER_TABLE_TWIPS = 120
"""Room (6 pt) between a table and the paragraph under it."""

CELL_MARGINS_CM = 0.4
"""Left and right cell margins together (Word's default 0.19 cm each side)."""

CARD_GAP_PT = 8
"""The space between two cards, for the scissors: enough to cut between the dashed lines."""

CARD_KEEP_WHOLE_PT = 780
"""Cards estimated at most this tall stay whole. The A4 text height is 728 pt, and the estimate is
1.15 to 1.4 times the real height, so a card kept whole really fits a page."""


GROUP_FILL = "F2F2F2"


@dataclass(frozen=True)
class GroupRow:
    """A table row spanning every column, titling the rows after it (an objective above its criteria)."""

    title: str


@cache
def _template_bytes() -> bytes:
    return BASE_TEMPLATE.read_bytes()


RUNNING_TITLE_CHARS = 100
"""Longest "title – pack" that fits the header line beside "page N / M" at the header's 8.5 pt."""


def running_title(title: str, subtitle: str) -> str:
    """The header's title: "exercise title – pack name", or the exercise title alone when too long."""
    both = f"{title} \u2013 {subtitle}"
    return both if len(both) <= RUNNING_TITLE_CHARS else title


class PackWriter:
    """Builds one Word document on the base template.

    ``at_page_top`` tracks whether the next paragraph already starts a page (right after a section
    break), so that ``heading(new_page=True)`` never produces an empty page.
    """

    def __init__(
        self,
        *,
        title: str,
        subtitle: str,
        marking: str,
        labels_text: dict[str, str],
        language_tag: str,
        typeset: Callable[[str], str] = str,
    ) -> None:
        self.document = Document(io.BytesIO(_template_bytes()))
        self.typeset = typeset
        self._styles = {style.name: style for style in self.document.styles}
        self._style_ids = {name: style.style_id for name, style in self._styles.items()}
        # New blocks go right before the body's final sectPr. Inserting there directly avoids
        # python-docx's search for it on every paragraph, which is linear in the body's length.
        self._body_end = self.document.element.body.sectPr
        self.at_page_top = False
        self._default_style: str | None = None
        """The style of paragraphs written without one: Normal, or CardText inside a card."""
        self._card_text_cm: float | None = None
        """Inside a card, the width its tables may take."""
        self._fill_template(title, subtitle, marking, labels_text)
        self._set_language(language_tag)

    def text(self, value: object) -> str:
        """``value`` as text ready for the page: XML-safe, then typeset for the pack's language."""
        return self.typeset(clean_text(value))

    # -------------------------------------------------------------------------------- template

    def _fill_template(self, title: str, subtitle: str, marking: str, labels_text: dict[str, str]) -> None:
        replacements = {
            TEMPLATE_TITLE: title,
            TEMPLATE_SUBTITLE: subtitle,
            TEMPLATE_RUNNING_TITLE: running_title(title, subtitle),
            TEMPLATE_TOC_HEADING: labels_text["toc_heading"],
            TEMPLATE_BANNER: marking,
            TEMPLATE_PAGE_LABEL: labels_text["page"],
        }
        core = self.document.core_properties
        core.title = clean_text(title)[:255]
        core.subject = clean_text(subtitle)[:255]
        parts: list[Iterable[Paragraph]] = [self.document.paragraphs]
        section = self.document.sections[0]
        parts += [section.header.paragraphs, section.footer.paragraphs]
        for paragraphs in parts:
            for paragraph in paragraphs:
                for run in paragraph.runs:
                    if run.text in replacements:
                        run.text = self.text(replacements[run.text])
        self._title_block_end = next(p for p in self.document.paragraphs if p.style.name == "TOC Heading")

    def _set_language(self, language_tag: str) -> None:
        """Tag the text with the pack's language (fr-FR, en-GB) so Word checks spelling in it."""
        self.document.core_properties.language = language_tag
        defaults = self.document.styles.element.find(qn("w:docDefaults"))
        lang = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
        lang.set(qn("w:val"), language_tag)
        lang.set(qn("w:eastAsia"), language_tag)

    def add_meta(self, lines: Sequence[tuple[str, str]], separator: str) -> None:
        """Add 'label: value' lines under the title block, before the table of contents.

        ``separator`` follows the language's typography (" : " in French, ": " in English).
        """
        for label, value in lines:
            paragraph = self._title_block_end.insert_paragraph_before(style=self._styles["Normal"])
            paragraph.add_run(self.text(label + separator)).bold = True
            paragraph.add_run(self.text(value))

    def restricted_notice(self, text: str) -> None:
        """A distribution notice in the title block (control and evaluator packs)."""
        self._title_block_end.insert_paragraph_before(self.text(text), style=self._styles[RESTRICTED_STYLE])

    # -------------------------------------------------------------------------------- blocks

    def heading(self, text: str, level: int = 1, *, new_page: bool = False) -> Paragraph:
        paragraph = self.paragraph(text, f"Heading {level}")
        if new_page and not self.at_page_top:
            paragraph.paragraph_format.page_break_before = True
        self.at_page_top = False
        return paragraph

    def paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        """Append a paragraph of ``text`` (newlines become line breaks) in ``style`` (default Normal)."""
        self.at_page_top = False
        style = style or self._default_style
        p = OxmlElement("w:p")
        if style:
            p_pr = etree.SubElement(p, qn("w:pPr"))
            etree.SubElement(p_pr, qn("w:pStyle")).set(qn("w:val"), self._style_ids[style])
        previous = self._body_end.getprevious()
        if previous is not None and previous.tag == _W_TBL and not (style or "").startswith("Heading"):
            # Text right under a table would touch its bottom line (headings have room of their own).
            p_pr = p.find(_W_PPR)
            if p_pr is None:
                p_pr = etree.SubElement(p, _W_PPR)
            etree.SubElement(p_pr, qn("w:spacing")).set(qn("w:before"), str(AFTER_TABLE_TWIPS))
        if text:
            p.append(make_run(self.text(text)))
        self._body_end.addprevious(p)
        return Paragraph(p, self.document._body)

    def intro(self, text: str) -> Paragraph:
        """A paragraph introducing what follows (a table, a form), kept on the page of what it introduces."""
        paragraph = self.paragraph(text)
        paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def text_block(self, text: str | None, empty: str) -> None:
        """Paragraphs of a free text field (blank lines split paragraphs); ``empty`` when missing."""
        chunks = [chunk.strip() for chunk in clean_text(text).split("\n\n") if chunk.strip()]
        for chunk in chunks or [empty]:
            self.paragraph(chunk)

    def labelled(self, label: str, value: str) -> Paragraph:
        paragraph = self.paragraph()
        paragraph._p.append(make_run(self.text(label) + " ", bold=True))
        paragraph._p.append(make_run(self.text(value)))
        return paragraph

    def run_in(self, label: str, text: str | None) -> None:
        """A free text field after a bold run-in ``label`` (which carries its own colon): the label
        opens the first paragraph, later paragraphs follow on their own."""
        chunks = [chunk.strip() for chunk in clean_text(text).split("\n\n") if chunk.strip()]
        first = self.paragraph()._p
        first.append(make_run(self.text(label), bold=True))
        if chunks:
            first.append(make_run(self.text(chunks[0])))
        for chunk in chunks[1:]:
            self.paragraph(chunk)

    def bullets(self, items: Iterable[str], *, checkbox: bool = False, keep_together: bool = False) -> int:
        """A bulleted list (or a checklist with empty boxes); returns how many items were written.

        ``keep_together`` keeps the items on one page (each kept with the next), for a checklist read
        at a glance: a reflex sheet whose last step turns the page gets that step forgotten.
        """
        written = []
        for item in items:
            text = clean_text(item)
            if checkbox:
                written.append(self.paragraph(f"{CHECKBOX} {text}"))
            else:
                written.append(self.paragraph(text, "List Bullet"))
        if keep_together:
            for paragraph in written[:-1]:
                paragraph.paragraph_format.keep_with_next = True
        return len(written)

    def table(
        self,
        headers: Sequence[str] | None,
        rows: Iterable[Sequence[str] | GroupRow],
        *,
        widths_cm: Sequence[float],
        bold_first_column: bool = False,
    ) -> Table:
        """A grid table with fixed column widths; its header row (if any) repeats on every page.

        A ``GroupRow`` among the rows spans every column and titles the rows after it.

        The rows are built as OXML directly: python-docx's add_row and cell.width cost tens of
        milliseconds per row on a long chronogramme.
        """
        self.at_page_top = False
        if self._card_text_cm and sum(widths_cm) > self._card_text_cm:
            # Inside a card the text is narrower by the cell's margins: the columns shrink in proportion.
            widths_cm = [width * self._card_text_cm / sum(widths_cm) for width in widths_cm]
        widths = [Cm(width) for width in widths_cm]
        tbl = CT_Tbl.new_tbl(0, len(widths), Cm(sum(widths_cm)))
        tbl.tblPr.style = self._style_ids["Table Grid"]
        tbl.tblPr.autofit = False  # fixed layout, w:tblLayout placed where the schema wants it
        # Widths go on the grid (LibreOffice reads it) and on each cell (Word reads those).
        for grid_col, width in zip(tbl.tblGrid.gridCol_lst, widths, strict=True):
            grid_col.w = width
        twips = [str(width.twips) for width in widths]
        if headers is not None:
            tr = _table_row(
                tbl, [self.text(h) for h in headers], twips, bold=lambda _: True, fill=HEADER_FILL
            )
            mark_repeating_header(tr)
        body_rows = []
        for values in rows:
            if isinstance(values, GroupRow):
                _group_row(tbl, self.text(values.title), twips)
                continue
            cells = [self.text(value) for value in values]
            body_rows.append(
                _table_row(tbl, cells, twips, bold=lambda index: bold_first_column and index == 0)
            )
        # Neither the header with the first row alone at the foot of a page, nor the last row alone at
        # the top of the next: those rows are kept with the row after them.
        if len(body_rows) > 1:
            for tr in (*tbl.tr_lst[: tbl.tr_lst.index(body_rows[0]) + 1], body_rows[-2]):
                _keep_with_next(tr)
        self._body_end.addprevious(tbl)
        return Table(tbl, self.document._body)

    def facts(self, pairs: Iterable[tuple[str, str]]) -> Table:
        """A two-column label/value table without a header row (inject cards, observation sheets)."""
        return self.table(None, list(pairs), widths_cm=(4.5, 12.5), bold_first_column=True)

    def inline_facts(
        self, pairs: Iterable[tuple[str, str]], separator: str, *, style: str | None = None
    ) -> None:
        """One paragraph of "label: value" pairs run together (bold labels), for compact cards.

        ``separator`` follows the language's typography (" : " in French, ": " in English).
        """
        p = self.paragraph(style=style)._p
        for index, (label, value) in enumerate(pairs):
            if index:
                p.append(make_run(FACT_SEPARATOR))
            p.append(make_run(self.text(label + separator), bold=True))
            p.append(make_run(self.text(value)))

    @contextmanager
    def card(self, *, frame: str | None = CUT_LINE, width_cm: float = CARD_WIDTH_CM) -> Iterator[None]:
        """Everything written inside the block goes into one framed card that never splits across pages.

        A card is a one-cell table framed by ``frame`` (a Word border kind): dashed by default, the
        line animators cut along; ``single`` for sheets that stay in the pack; None for a block that
        is only kept together (a form under its heading). Its one row
        cannot break across pages, so the page breaks fall between cards and several cards share a
        page. A card too tall for a page (an estimate, see ``estimated_height_pt``) cannot be cut out
        whole anyway, and Word would clip a row that may not split: its content is written as
        ordinary paragraphs starting a page instead. An empty paragraph follows each card: Word
        merges tables that touch.
        """
        self.at_page_top = False
        tbl = CT_Tbl.new_tbl(1, 1, Cm(width_cm))
        tbl.tblPr.autofit = False
        if frame:
            _frame(tbl.tblPr, frame)
        tc = tbl.tr_lst[0].tc_lst[0]
        sentinel = tc.p_lst[0]
        self._body_end.addprevious(tbl)
        body_end, self._body_end = self._body_end, sentinel
        self._default_style, self._card_text_cm = CARD_TEXT_STYLE, width_cm - CELL_MARGINS_CM
        try:
            yield
        finally:
            self._body_end, self._default_style, self._card_text_cm = body_end, None, None
            if sentinel.getprevious() is not None and sentinel.getprevious().tag == _W_P:
                tc.remove(sentinel)  # a cell must end with a paragraph: the sentinel stays otherwise
            if estimated_height_pt(tc) <= CARD_KEEP_WHOLE_PT:
                tbl.tr_lst[0].get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            else:
                _unframe(tbl, tc)
            gap = self.paragraph(style=SMALL_STYLE)
            gap.paragraph_format.space_before = gap.paragraph_format.space_after = Pt(0)
            gap.paragraph_format.line_spacing = Pt(CARD_GAP_PT)

    # -------------------------------------------------------------------------------- layout

    def new_section(self, *, landscape: bool) -> None:
        """Start a new section on a new page, portrait or landscape.

        The new section has no header or footer of its own, so Word and LibreOffice show the previous
        section's: the banner and page number carry over (python-docx removes the references from the
        new sentinel section, which is what links it to the previous one).
        """
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        width, height = section.page_width, section.page_height
        if landscape != (width > height):
            section.page_width, section.page_height = height, width
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        self.at_page_top = True

    def _fill_table_of_contents(self) -> None:
        """Put the headings (levels 1 to TOC_LEVELS) in the TOC field's result: never a placeholder.

        The entries carry no page numbers: only a layout engine knows them. The field stays marked
        dirty, so Word (on opening) and LibreOffice (scripts/render_pack.py) rebuild it with numbers.
        """
        body = self.document.element.body
        heading_styles = {self._style_ids[f"Heading {level}"]: level for level in range(1, TOC_LEVELS + 1)}
        entries = []
        for p in body.iterchildren(qn("w:p")):
            style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            level = heading_styles.get(style.get(qn("w:val")) if style is not None else None)
            if level:
                entries.append((level, "".join(node.text or "" for node in p.iter(qn("w:t")))))
        toc = next(
            p for p in body.iterchildren(qn("w:p")) if TOC_INSTRUCTION in "".join(field_instructions(p))
        )
        runs = toc.findall(qn("w:r"))
        end_run, result_run = runs[-1], runs[-2]
        toc.remove(result_run)
        toc.remove(end_run)
        anchor = toc
        for level, text in entries:
            entry = OxmlElement("w:p")
            p_pr = etree.SubElement(entry, qn("w:pPr"))
            etree.SubElement(p_pr, qn("w:pStyle")).set(qn("w:val"), self._style_ids[f"toc {level}"])
            entry.append(make_run(text))
            anchor.addnext(entry)
            anchor = entry
        anchor.append(end_run)

    def to_bytes(self) -> bytes:
        self._fill_table_of_contents()
        stream = io.BytesIO()
        self.document.save(stream)
        return normalise_zip(stream.getvalue())


# ------------------------------------------------------------------------------------ OXML helpers

# Rough line heights and characters per centimetre of line, by paragraph style (table cells hold
# unstyled 9 pt text): generous heights and few characters, so that the estimate errs on the tall
# side (measured on LibreOffice's layout of the library packs: 1.15 to 1.4 times the real height).
_LINE_PT = {
    "Heading2": 17.0,
    "Heading3": 15.0,
    "Small": 11.0,
    CARD_TEXT_STYLE: 13.0,
    CARD_HEADING_STYLE: 15.0,
}
_CHARS_PER_CM = {
    "Heading2": 4.2,
    "Heading3": 4.8,
    "Small": 6.6,
    CARD_TEXT_STYLE: 5.7,
    CARD_HEADING_STYLE: 5.4,
}
_NORMAL_LINE_PT = 14.0
_NORMAL_CHARS_PER_CM = 5.1
_PARAGRAPH_GAP_PT = 6.0
_TABLE_LINE_PT = 12.0
_TABLE_CHARS_PER_CM = 5.6
_TABLE_PARAGRAPH_GAP_PT = 3.0
"""Table text is 9 pt, with no space after its paragraphs (Table Grid)."""
_ROW_GAP_PT = 4.0


def estimated_height_pt(container: OxmlElement, width_cm: float = CARD_WIDTH_CM) -> float:
    """A generous estimate of the height of ``container``'s paragraphs and tables, ``width_cm`` wide.

    Only a layout engine knows the real height; this one counts lines from the text length, the
    paragraph style and the width of the column, and for a nested table adds its rows, each as tall
    as its tallest cell (or the height the row asks for).
    """
    height = 0.0
    text_width = width_cm - CELL_MARGINS_CM
    for child in container.iterchildren(_W_P, _W_TBL):
        if child.tag == _W_P:
            height += _paragraph_height_pt(child, text_width)
            continue
        for tr in child.iterchildren(_W_TR):
            content = max(
                (
                    sum(
                        _paragraph_height_pt(p, _cell_width_cm(tc) - CELL_MARGINS_CM, table=True)
                        for p in tc.iter(_W_P)
                    )
                    for tc in tr.iterchildren(_W_TC)
                ),
                default=0.0,
            )
            height += _ROW_GAP_PT + max(content, _row_height_pt(tr))
    return height


def _cell_width_cm(tc: OxmlElement) -> float:
    width = tc.find(f"{_W_TCPR}/{_W_TCW}")
    return int(width.get(_W_W)) / TWIPS_PER_CM if width is not None else CARD_WIDTH_CM


TWIPS_PER_CM = 1440 / 2.54


def _row_height_pt(tr: OxmlElement) -> float:
    """The height a row asks for (``w:trHeight``, blank form rows), 0 when it asks for none."""
    height = tr.find(f"{_W_TRPR}/{_W_TRHEIGHT}")
    return int(height.get(_W_VAL)) / 20 if height is not None else 0.0


def _paragraph_height_pt(p: OxmlElement, width_cm: float, *, table: bool = False) -> float:
    if table:
        line_pt, per_cm, gap_pt = _TABLE_LINE_PT, _TABLE_CHARS_PER_CM, _TABLE_PARAGRAPH_GAP_PT
    else:
        style = p.find(f"{_W_PPR}/{_W_PSTYLE}")
        style_id = style.get(_W_VAL) if style is not None else ""
        line_pt = _LINE_PT.get(style_id, _NORMAL_LINE_PT)
        per_cm = _CHARS_PER_CM.get(style_id, _NORMAL_CHARS_PER_CM)
        gap_pt = _PARAGRAPH_GAP_PT
    chars = max(int(per_cm * width_cm), 4)
    text_lines = "".join(node.text if node.tag == _W_T else "\n" for node in p.iter(_W_T, _W_BR)).split("\n")
    lines = sum(max(math.ceil(len(line) / chars), 1) for line in text_lines)
    return lines * line_pt + gap_pt


KEEP_ROW_WHOLE_CHARS = 1500
"""Rows with at most this much text never break across pages; longer ones must, or Word would clip
a row taller than a page."""

BLANK_ROW_TWIPS = 567
"""Height of a blank form row (1 cm), enough to write a line by hand."""

_BREAKS = re.compile(r"(\n|\t)")


# Clark names of the tags and attributes built for every run and table cell, computed once: qn()
# parses its argument on each call, hundreds of thousands of times in a 300-inject export.
_W_B = qn("w:b")
_W_BR = qn("w:br")
_W_CANTSPLIT = qn("w:cantSplit")
_W_HRULE = qn("w:hRule")
_W_P = qn("w:p")
_W_PPR = qn("w:pPr")
_W_PSTYLE = qn("w:pStyle")
_W_KEEPNEXT = qn("w:keepNext")
_W_TBL = qn("w:tbl")
_W_RPR = qn("w:rPr")
_W_T = qn("w:t")
_W_TAB = qn("w:tab")
_W_TC = qn("w:tc")
_W_TCPR = qn("w:tcPr")
_W_TCW = qn("w:tcW")
_W_TR = qn("w:tr")
_W_TRHEIGHT = qn("w:trHeight")
_W_TRPR = qn("w:trPr")
_W_TYPE = qn("w:type")
_W_VAL = qn("w:val")
_W_W = qn("w:w")


def make_run(text: str, *, bold: bool = False) -> OxmlElement:
    """A ``w:r`` holding cleaned ``text``; newlines become ``w:br`` and tabs ``w:tab`` as in Word."""
    run = OxmlElement("w:r")
    if bold:
        etree.SubElement(etree.SubElement(run, _W_RPR), _W_B)
    for piece in _BREAKS.split(clean_text(text)):
        if piece == "\n":
            etree.SubElement(run, _W_BR)
        elif piece == "\t":
            etree.SubElement(run, _W_TAB)
        elif piece:
            node = etree.SubElement(run, _W_T)
            node.text = piece
            if piece[0].isspace() or piece[-1].isspace():
                node.set(XML_SPACE, "preserve")
    return run


XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _table_row(
    tbl: CT_Tbl,
    values: Sequence[str],
    twips: list[str],
    *,
    bold: Callable[[int], bool],
    fill: str | None = None,
) -> OxmlElement:
    """Append one ``w:tr`` of single-paragraph cells to ``tbl``."""
    if len(values) != len(twips):
        raise ValueError(f"row has {len(values)} cells for {len(twips)} columns")
    tr = etree.SubElement(tbl, _W_TR)
    if sum(len(value) for value in values) <= KEEP_ROW_WHOLE_CHARS:
        tr_pr = etree.SubElement(tr, _W_TRPR)
        etree.SubElement(tr_pr, _W_CANTSPLIT)
        if not any(values[1:]):
            # A blank row (or one with just a number) is a form line to write on by hand: give it
            # the height of handwriting.
            height = etree.SubElement(tr_pr, _W_TRHEIGHT)
            height.set(_W_VAL, str(BLANK_ROW_TWIPS))
            height.set(_W_HRULE, "atLeast")
    for index, (value, width) in enumerate(zip(values, twips, strict=True)):
        tc = etree.SubElement(tr, _W_TC)
        tc_pr = etree.SubElement(tc, _W_TCPR)
        tc_w = etree.SubElement(tc_pr, _W_TCW)
        tc_w.set(_W_W, width)
        tc_w.set(_W_TYPE, "dxa")
        if fill:
            _shading(tc_pr, fill)
        p = etree.SubElement(tc, _W_P)
        if value:
            p.append(make_run(value, bold=bold(index)))
    return tr


def _keep_with_next(tr: OxmlElement) -> None:
    """Keep a table row on the page of the next one (every paragraph of its cells kept with the next)."""
    for p in tr.iter(_W_P):
        p_pr = p.find(_W_PPR)
        if p_pr is None:
            p_pr = etree.Element(_W_PPR)
            p.insert(0, p_pr)
        if p_pr.find(_W_KEEPNEXT) is None:
            keep = etree.Element(_W_KEEPNEXT)
            style = p_pr.find(_W_PSTYLE)
            if style is not None:
                style.addnext(keep)
            else:
                p_pr.insert(0, keep)


def _group_row(tbl: CT_Tbl, title: str, twips: list[str]) -> None:
    """Append a bold, shaded row of one cell spanning all columns, kept with the row after it."""
    tr = etree.SubElement(tbl, _W_TR)
    etree.SubElement(etree.SubElement(tr, _W_TRPR), _W_CANTSPLIT)
    tc = etree.SubElement(tr, _W_TC)
    tc_pr = etree.SubElement(tc, _W_TCPR)
    tc_w = etree.SubElement(tc_pr, _W_TCW)
    tc_w.set(_W_W, str(sum(int(width) for width in twips)))
    tc_w.set(_W_TYPE, "dxa")
    etree.SubElement(tc_pr, qn("w:gridSpan")).set(_W_VAL, str(len(twips)))
    _shading(tc_pr, GROUP_FILL)
    p = etree.SubElement(tc, _W_P)
    etree.SubElement(etree.SubElement(p, _W_PPR), _W_KEEPNEXT)
    p.append(make_run(title, bold=True))


def mark_repeating_header(tr: OxmlElement) -> None:
    """Make a table row repeat at the top of every page the table spans (w:tblHeader)."""
    tr_pr = tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
    # A header row split across pages would repeat half a row: keep it whole.
    if tr_pr.find(qn("w:cantSplit")) is None:
        tr_pr.insert(0, OxmlElement("w:cantSplit"))


def _unframe(tbl: OxmlElement, tc: OxmlElement) -> None:
    """Put the content of a card's only cell in place of the card's table, from a new page unless
    right under a heading."""
    content = [child for child in tc if child.tag != _W_TCPR]
    for child in content:
        tbl.addprevious(child)
    tbl.getparent().remove(tbl)
    first, before = content[0], content[0].getprevious()
    # A heading right above keeps the card company: a page break between them would orphan it.
    after_heading = before is not None and before.xpath("string(./w:pPr/w:pStyle/@w:val)").startswith(
        "Heading"
    )
    if first.tag == _W_P and not after_heading:
        Paragraph(first, None).paragraph_format.page_break_before = True


def _frame(tbl_pr: OxmlElement, line: str) -> None:
    """Lines of kind ``line`` (``dashed``: the cut line of a card) around a table, none inside it."""
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right"):
        edge = etree.SubElement(borders, qn(f"w:{side}"))
        edge.set(qn("w:val"), line)
        edge.set(qn("w:sz"), "8")
        edge.set(qn("w:space"), "0")
        edge.set(qn("w:color"), "808080")
    # w:tblBorders comes after w:tblW and w:jc/w:tblInd but before w:tblLayout in the schema.
    layout = tbl_pr.find(qn("w:tblLayout"))
    if layout is not None:
        layout.addprevious(borders)
    else:
        tbl_pr.append(borders)


def _shading(tc_pr: OxmlElement, fill: str) -> None:
    """Give a table cell (through its ``w:tcPr``) a solid background colour."""
    shading = etree.SubElement(tc_pr, qn("w:shd"))
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)


def add_field(paragraph: Paragraph, instruction: str, placeholder: str = "") -> None:
    """Append a complex field (PAGE, TOC...) to ``paragraph``, showing ``placeholder`` until updated.

    The begin/separate/end triple is what Word writes itself; ``w:dirty`` asks it to refresh the field
    when the document is opened.
    """

    def char(kind: str) -> OxmlElement:
        run = OxmlElement("w:r")
        fld_char = OxmlElement("w:fldChar")
        fld_char.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            fld_char.set(qn("w:dirty"), "true")
        run.append(fld_char)
        return run

    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run.append(instr)
    result_run = OxmlElement("w:r")
    result_text = OxmlElement("w:t")
    result_text.set(qn("xml:space"), "preserve")
    result_text.text = placeholder
    result_run.append(result_text)
    for element in (char("begin"), instr_run, char("separate"), result_run, char("end")):
        paragraph._p.append(element)


def field_instructions(document_part_element: OxmlElement) -> list[str]:
    """The instructions of every complex field under an element (used by tests and checks)."""
    return [node.text.strip() for node in document_part_element.iter(qn("w:instrText")) if node.text]
