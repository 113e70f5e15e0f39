"""One pack rendered to PDF by LibreOffice headless: the page count is the one the layout promises."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from studio.exports.common import labels_for
from studio.exports.docx import animation_pack
from tests.exports.support import load_golden

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.render,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"),
]


def page_texts(pdf: Path, pages: int) -> list[str]:
    return [
        subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout
        for page in range(1, pages + 1)
    ]  # fmt: skip


def uno_available() -> bool:
    if not Path("/usr/bin/python3").exists():
        return False
    probe = subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True, check=False)
    return probe.returncode == 0


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_animation_pack_renders_cards_several_to_a_page_none_split(tmp_path: Path) -> None:
    import docx

    from tests.exports.test_docx_packs import card_text, inject_cards

    scenario = load_golden("en")
    pack = tmp_path / "animation.docx"
    pack.write_bytes(animation_pack(scenario))
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "render_pack.py"), str(pack), "-o", str(tmp_path / "out")],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pdf = tmp_path / "out" / "animation.pdf"
    pages = pdf_pages(pdf)
    texts = page_texts(pdf, pages)
    # Compared without spaces: a title wrapped after a hyphen comes back as "Port-" and "Salin".
    flat = ["".join(text.split()) for text in texts]
    cards = [card_text(tbl).split("\n") for tbl in inject_cards(docx.Document(pack), "Inject ")]
    assert len(cards) == len(scenario["injects"])
    card_pages = []
    for lines in cards:
        title, last = "".join(lines[0].split()), "".join(lines[-1].split())
        # Page 1 holds the title block and the table of contents (level-1 headings only).
        page = next(i for i, text in enumerate(flat) if i > 0 and title in text)
        # The card's last line is on the page of its title, after it: the card is not split.
        assert last in flat[page][flat[page].index(title) :], (title, page + 1)
        card_pages.append(page)
    # In order, several to a page (the eight golden cards are short), the annex right after them.
    assert card_pages == sorted(card_pages)
    assert len(set(card_pages)) < len(cards)
    annex = labels_for("en")["sec_annex"]
    assert annex in texts[card_pages[-1] + 1]
    # The banner is on every page, with "Page N / M" in the header.
    assert all("EXERCICE - EXERCICE - EXERCICE" in text for text in texts)
    assert all(f"Page {number} / {pages}" in text for number, text in enumerate(texts, start=1))
    # The TOC lists the sections even without LibreOffice; with python3-uno it also has page numbers.
    assert labels_for("en")["sec_storyline"] in texts[0] and annex in texts[0]
    if uno_available():
        assert re.search(re.escape(labels_for("en")["sec_storyline"]) + r"\W*\d", texts[0])
    assert sorted((tmp_path / "out").glob("animation-*.png"))


def test_hostile_player_packs_render(tmp_path: Path) -> None:
    from studio.exports.docx import player_pack
    from tests.exports.support import hostile_scenario

    scenario = hostile_scenario()
    scenario["glossary"].pop()  # one 100,000-character field (the rules of play) is enough to render
    pack = tmp_path / "players.docx"
    pack.write_bytes(player_pack(scenario, scenario["cells"][0]["id"]))
    render = [sys.executable, str(REPO / "scripts" / "render_pack.py"), str(pack), "-o", str(tmp_path)]
    subprocess.run([*render, "--no-png"], check=True, capture_output=True, timeout=300)
    pdf = tmp_path / "players.pdf"
    pages = pdf_pages(pdf)
    # The 100,000-character rule of play alone fills more than ten pages.
    assert pages > 10
    assert all("EXERCICE - EXERCICE - EXERCICE" in text for text in page_texts(pdf, pages))
