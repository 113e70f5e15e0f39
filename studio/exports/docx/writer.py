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
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.shared import Cm
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
TOC_LEVELS = 1
"""Heading levels the table of contents lists: level 2 holds every inject card, pages of them."""
TOC_INSTRUCTION = f'TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u'
CHECKBOX = "\u2610"

HEADER_FILL = "D9D9D9"


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
        p = OxmlElement("w:p")
        if style:
            p_pr = etree.SubElement(p, qn("w:pPr"))
            etree.SubElement(p_pr, qn("w:pStyle")).set(qn("w:val"), self._style_ids[style])
        if text:
            p.append(make_run(self.text(text)))
        self._body_end.addprevious(p)
        return Paragraph(p, self.document._body)

    def text_block(self, text: str | None, empty: str) -> None:
        """Paragraphs of a free text field (blank lines split paragraphs); ``empty`` when missing."""
        chunks = [chunk.strip() for chunk in clean_text(text).split("\n\n") if chunk.strip()]
        for chunk in chunks or [empty]:
            self.paragraph(chunk)

    def labelled(self, label: str, value: str) -> Paragraph:
        paragraph = self.paragraph()
        paragraph.add_run(self.text(label) + " ").bold = True
        paragraph.add_run(self.text(value))
        return paragraph

    def bullets(self, items: Iterable[str], *, checkbox: bool = False) -> int:
        """A bulleted list (or a checklist with empty boxes); returns how many items were written."""
        count = 0
        for item in items:
            text = clean_text(item)
            if checkbox:
                self.paragraph(f"{CHECKBOX} {text}")
            else:
                self.paragraph(text, "List Bullet")
            count += 1
        return count

    def table(
        self,
        headers: Sequence[str] | None,
        rows: Iterable[Sequence[str]],
        *,
        widths_cm: Sequence[float],
        bold_first_column: bool = False,
    ) -> Table:
        """A grid table with fixed column widths; its header row (if any) repeats on every page.

        The rows are built as OXML directly: python-docx's add_row and cell.width cost tens of
        milliseconds per row on a long chronogramme.
        """
        self.at_page_top = False
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
        for values in rows:
            cells = [self.text(value) for value in values]
            _table_row(tbl, cells, twips, bold=lambda index: bold_first_column and index == 0)
        self._body_end.addprevious(tbl)
        return Table(tbl, self.document._body)

    def facts(self, pairs: Iterable[tuple[str, str]]) -> Table:
        """A two-column label/value table without a header row (inject cards, observation sheets)."""
        return self.table(None, list(pairs), widths_cm=(4.5, 12.5), bold_first_column=True)

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


def mark_repeating_header(tr: OxmlElement) -> None:
    """Make a table row repeat at the top of every page the table spans (w:tblHeader)."""
    tr_pr = tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
    # A header row split across pages would repeat half a row: keep it whole.
    if tr_pr.find(qn("w:cantSplit")) is None:
        tr_pr.insert(0, OxmlElement("w:cantSplit"))


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
