"""Page numbers in the packs' tables of contents, laid out by LibreOffice when it is installed.

Every pack already lists its level-1 headings in the TOC (writer.PackWriter); only a layout engine
knows on which page each falls. ``fill_toc_pages`` asks LibreOffice (headless, through python3-uno in
Debian's /usr/bin/python3, see lo_pages_worker.py) for the page of each heading, then writes the
numbers after the entries, right-aligned with a dot leader. The rest of the file is untouched, so the
same scenario still gives the same bytes on the same LibreOffice. Without LibreOffice or python3-uno
the packs keep their entries without numbers; Word numbers them when it refreshes the field.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from docx import Document
from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Cm

from studio.exports.common import ExportFile, normalise_zip

SYSTEM_PYTHON = "/usr/bin/python3"
WORKER = Path(__file__).resolve().parent / "lo_pages_worker.py"
WORKER_TIMEOUT_S = 600
TOC_ENTRY_STYLE = "toc 1"


@cache
def libreoffice_available() -> bool:
    """True when soffice is on the PATH and the system python can import uno."""
    if not shutil.which("soffice") or not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, check=False)
    return probe.returncode == 0


def heading_pages(packs: Sequence[bytes]) -> list[list[int]] | None:
    """The page of each level-1 heading of each pack, or None when LibreOffice is missing or fails."""
    if not packs or not libreoffice_available():
        return None
    with tempfile.TemporaryDirectory(prefix="toc-pages-") as folder:
        paths = []
        for index, data in enumerate(packs):
            path = Path(folder) / f"pack-{index}.docx"
            path.write_bytes(data)
            paths.append(str(path))
        try:
            done = subprocess.run(
                [SYSTEM_PYTHON, str(WORKER), *paths],
                capture_output=True, text=True, timeout=WORKER_TIMEOUT_S, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return None
        if done.returncode != 0:
            return None
        try:
            found = json.loads(done.stdout.strip().splitlines()[-1])
        except (json.JSONDecodeError, IndexError):
            return None
    return [found.get(path, []) for path in paths]


def number_toc(data: bytes, pages: Sequence[int]) -> bytes:
    """``data`` with ``pages`` written after its TOC entries (unchanged if the counts differ)."""
    document = Document(io.BytesIO(data))
    entries = [p for p in document.paragraphs if p.style.name == TOC_ENTRY_STYLE]
    if len(entries) != len(pages) or not entries:
        return data
    section = document.sections[0]
    right_edge = Cm((section.page_width - section.left_margin - section.right_margin) / Cm(1))
    for entry, page in zip(entries, pages, strict=True):
        entry.paragraph_format.tab_stops.add_tab_stop(right_edge, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        entry.add_run(f"\t{page}")
    stream = io.BytesIO()
    document.save(stream)
    return normalise_zip(stream.getvalue())


def fill_toc_pages(outputs: Sequence[ExportFile]) -> list[ExportFile]:
    """The outputs with page numbers in every Word pack's TOC when LibreOffice can lay them out."""
    packs = [output for output in outputs if output.filename.endswith(".docx")]
    pages = heading_pages([pack.data for pack in packs])
    if pages is None:
        return list(outputs)
    numbered = {
        pack.filename: number_toc(pack.data, pack_pages)
        for pack, pack_pages in zip(packs, pages, strict=True)
    }
    return [ExportFile(output.filename, numbered.get(output.filename, output.data)) for output in outputs]
