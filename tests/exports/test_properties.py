"""Property-based checks: any text makes a readable document; every clock label reads back."""

from __future__ import annotations

import io

import docx
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.durations import format_clock
from studio.exports.common import clean_text
from studio.exports.docx.writer import PackWriter
from studio.exports.msel import parse_relative_time

LABELS = {"toc_heading": "Contents", "page": "Page"}


@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=300), cells=st.lists(st.text(max_size=40), min_size=3, max_size=3))
def test_any_text_gives_a_document_python_docx_reopens(text: str, cells: list[str]) -> None:
    writer = PackWriter(
        title=text[:50] or "t",
        subtitle=text,
        marking=text[:20] or "m",
        labels_text=LABELS,
        language_tag="en-GB",
    )
    writer.heading(text, 1)
    writer.paragraph(text)
    writer.bullets([text, text], checkbox=True)
    writer.table(cells, [cells, [text, "", text]], widths_cm=(3, 3, 3))
    document = docx.Document(io.BytesIO(writer.to_bytes()))
    expected = clean_text(text).replace("\r", "")
    body = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert expected.replace("\n", "") in body.replace("\n", "").replace("\r", "")
    assert document.tables[-1].rows[2].cells[2].text.replace("\r", "") == expected


@given(minutes=st.integers(min_value=0, max_value=60 * 24 * 30))
def test_every_clock_label_reads_back(minutes: int) -> None:
    assert parse_relative_time(format_clock(minutes)) == minutes
