"""Build the committed Word base template, studio/exports/docx/assets/base.docx.

Run ``python -m studio.exports.docx.build_base`` after changing it; a test checks that the committed
file is exactly what this script produces, so the two cannot drift apart. A designer may also restyle
base.docx in Word as long as the placeholder texts (writer.TEMPLATE_*) and the style names stay.

What the template carries:
- A4 portrait pages with 2 cm margins;
- the styles packs use: Title, Subtitle, Heading 1-3, List Bullet, Table Grid (9 pt), Banner (bold red,
  centred), Small, Restricted, CardText and CardHeading (the text of stimulus cards and observation
  sheets);
- the banner in the header with the running title and "page <PAGE> / <NUMPAGES>", the banner in the footer;
- the table-of-contents entry styles (toc 1, toc 2);
- a title block (Title, Subtitle), a "Contents" heading and a TOC field, then a page break;
- ``w:updateFields`` in the settings, so Word refreshes the TOC and page fields when it opens a pack;
- fixed document properties, so the same pack always has the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from studio.exports.common import normalise_zip
from studio.exports.docx.writer import (
    BANNER_STYLE,
    BASE_TEMPLATE,
    CARD_HEADING_STYLE,
    CARD_TEXT_STYLE,
    RESTRICTED_STYLE,
    SMALL_STYLE,
    TEMPLATE_BANNER,
    TEMPLATE_PAGE_LABEL,
    TEMPLATE_RUNNING_TITLE,
    TEMPLATE_SUBTITLE,
    TEMPLATE_TITLE,
    TEMPLATE_TOC_HEADING,
    TEMPLATE_TOC_PLACEHOLDER,
    TOC_INSTRUCTION,
    TOC_LEVELS,
    add_field,
)

BANNER_RED = RGBColor(0xC0, 0x00, 0x00)
CARD_HEADING_BLUE = RGBColor(0x4F, 0x81, 0xBD)
"""The colour of the template's headings (Word's accent 1), for the part headings of cards."""
FIXED_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _define_styles(document: Document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)

    banner = styles.add_style(BANNER_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    banner.base_style = styles["Normal"]
    banner.font.bold = True
    banner.font.size = Pt(11)
    banner.font.color.rgb = BANNER_RED
    banner.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    banner.paragraph_format.space_after = Pt(0)

    small = styles.add_style(SMALL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    small.base_style = styles["Normal"]
    small.font.size = Pt(8.5)

    restricted = styles.add_style(RESTRICTED_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    restricted.base_style = styles["Normal"]
    restricted.font.italic = True
    restricted.font.color.rgb = BANNER_RED

    # Cards (stimulus cards, observation sheets) are set a little smaller and tighter than the body
    # text, so that two or three share a page; their part headings sit close to their text.
    card_text = styles.add_style(CARD_TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    card_text.base_style = styles["Normal"]
    card_text.font.size = Pt(9.5)
    card_text.paragraph_format.space_after = Pt(2)
    card_heading = styles.add_style(CARD_HEADING_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    card_heading.base_style = card_text
    card_heading.font.bold = True
    card_heading.font.color.rgb = CARD_HEADING_BLUE
    card_heading.paragraph_format.space_before = Pt(4)
    card_heading.paragraph_format.space_after = Pt(1)
    card_heading.paragraph_format.keep_with_next = True

    # Table text is smaller than body text so that a landscape chronogramme keeps 8 readable columns.
    styles["Table Grid"].font.size = Pt(9)
    for level in (1, 2, 3):
        styles[f"Heading {level}"].paragraph_format.keep_with_next = True
    for level in range(1, TOC_LEVELS + 1):
        # Word's built-in names for the table-of-contents entry styles, which a TOC update uses.
        entry = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        entry.base_style = styles["Normal"]
        entry.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        entry.paragraph_format.space_after = Pt(2)


def _header_and_footer(document: Document) -> None:
    """Header: the banner, then the document title and "page N / M"; footer: the banner again.

    The marking opens and closes every page, as French exercise practice asks; the page count uses
    the PAGE and NUMPAGES fields, which Word and LibreOffice compute when they lay the pages out.
    """
    section = document.sections[0]
    banner = section.header.paragraphs[0]
    banner.style = document.styles[BANNER_STYLE]
    banner.add_run(TEMPLATE_BANNER)
    running = section.header.add_paragraph(style=document.styles[SMALL_STYLE])
    usable_width = section.page_width - section.left_margin - section.right_margin
    running.paragraph_format.tab_stops.add_tab_stop(usable_width, WD_TAB_ALIGNMENT.RIGHT)
    running.add_run(TEMPLATE_RUNNING_TITLE)
    running.add_run("\t")
    running.add_run(TEMPLATE_PAGE_LABEL)
    running.add_run(" ")
    add_field(running, "PAGE", "1")
    running.add_run(" / ")
    add_field(running, "NUMPAGES", "1")

    footer = section.footer.paragraphs[0]
    footer.style = document.styles[BANNER_STYLE]
    footer.add_run(TEMPLATE_BANNER)


def _title_block(document: Document) -> None:
    document.add_paragraph(style=document.styles["Title"]).add_run(TEMPLATE_TITLE)
    document.add_paragraph(style=document.styles["Subtitle"]).add_run(TEMPLATE_SUBTITLE)
    document.add_paragraph(style=document.styles["TOC Heading"]).add_run(TEMPLATE_TOC_HEADING)
    add_field(document.add_paragraph(), TOC_INSTRUCTION, TEMPLATE_TOC_PLACEHOLDER)
    document.add_page_break()


# Elements that follow w:updateFields in the schema's sequence for w:settings; Word rejects a settings
# part whose children are out of order, so the new element goes before the first of these present.
_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema",
    "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults",
    "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
)  # fmt: skip


def _ask_to_update_fields(document: Document) -> None:
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    later = {qn(f"w:{name}") for name in _AFTER_UPDATE_FIELDS}
    successor = next((child for child in settings if child.tag in later), None)
    if successor is None:
        settings.append(update)
    else:
        successor.addprevious(update)


def build_base() -> bytes:
    """Return the bytes of the base template (deterministic)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    section.header_distance = section.footer_distance = Cm(0.8)
    _define_styles(document)
    _header_and_footer(document)
    _title_block(document)
    _ask_to_update_fields(document)
    core = document.core_properties
    core.author = core.last_modified_by = "Crisis Studio"
    core.created = core.modified = FIXED_DATE
    core.revision = 1
    core.title = core.subject = core.comments = core.keywords = ""
    stream = io.BytesIO()
    document.save(stream)
    return normalise_zip(stream.getvalue())


def main(argv: list[str] | None = None) -> int:
    target = Path(argv[0]) if argv else BASE_TEMPLATE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(build_base())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
