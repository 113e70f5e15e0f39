"""``crisis-studio export`` end to end, in process: files written, exit codes, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest

from studio.cli import main
from studio.exports.docx.toc_pages import libreoffice_available
from tests.exports.support import GOLDEN_DIR

GOLDEN = str(GOLDEN_DIR / "territorial_small_en.json")


@pytest.mark.parametrize(
    ("target", "suffixes"),
    [("docx", {".docx"}), ("xlsx", {".xlsx"}), ("csv", {".csv"}), ("openbas", {".zip"})],
)
def test_export_writes_the_chosen_format(tmp_path: Path, capsys, target: str, suffixes: set[str]) -> None:
    assert main(["export", GOLDEN, "--to", target, "-o", str(tmp_path), "--no-toc-pages"]) == 0
    written = sorted(tmp_path.iterdir())
    assert {path.suffix for path in written} == suffixes
    assert not [path for path in written if path.name.startswith(".")]  # no temporary file left behind
    printed = capsys.readouterr().out.split()
    assert sorted(printed) == sorted(str(path) for path in written)
    if target == "docx":
        assert len(written) == 9  # 3 player cells: 3 player packs, 3 evaluator packs, 3 shared


def test_export_all(tmp_path: Path) -> None:
    assert main(["export", GOLDEN, "--to", "all", "-o", str(tmp_path / "new" / "dir"), "--no-toc-pages"]) == 0
    assert len(list((tmp_path / "new" / "dir").iterdir())) == 12


def test_invalid_scenario_exits_1(tmp_path: Path, capsys) -> None:
    scenario = json.loads(Path(GOLDEN).read_text(encoding="utf-8"))
    scenario["injects"][0]["from"] = "nobody"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(scenario), encoding="utf-8")
    assert main(["export", str(bad), "--to", "docx", "-o", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert not (tmp_path / "out").exists()


def test_unreadable_input_exits_2(tmp_path: Path, capsys) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert main(["export", str(broken), "--to", "docx", "-o", str(tmp_path)]) == 2
    assert main(["export", str(tmp_path / "missing.json"), "--to", "docx", "-o", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err


def test_unwritable_output_exits_2(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["export", GOLDEN, "--to", "csv", "-o", str(blocker / "sub")]) == 2
    assert "cannot write" in capsys.readouterr().err  # errors go to stderr, like every command's


def test_csv_separator_follows_the_language_unless_chosen(tmp_path: Path) -> None:
    # The golden scenario is in English: ',' by default, ';' on request.
    assert main(["export", GOLDEN, "--to", "csv", "-o", str(tmp_path / "default")]) == 0
    assert main(["export", GOLDEN, "--to", "csv", "-o", str(tmp_path / "fr"), "--csv-separator", ";"]) == 0
    [default] = (tmp_path / "default").iterdir()
    [chosen] = (tmp_path / "fr").iterdir()
    header_default = default.read_text(encoding="utf-8-sig").splitlines()[0]
    header_chosen = chosen.read_text(encoding="utf-8-sig").splitlines()[0]
    columns = header_default.split(",")
    assert len(columns) > 20 and ";" not in header_default
    assert header_chosen.split(";") == columns


@pytest.mark.skipif(not libreoffice_available(), reason="LibreOffice with python3-uno is not installed")
def test_export_numbers_the_tables_of_contents_with_libreoffice(tmp_path: Path) -> None:
    assert main(["export", GOLDEN, "--to", "docx", "-o", str(tmp_path)]) == 0
    for path in sorted(tmp_path.glob("*.docx")):
        document = docx.Document(str(path))
        entries = [p.text for p in document.paragraphs if p.style.name == "toc 1"]
        headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
        pages = [int(entry.rsplit("\t", 1)[1]) for entry in entries]
        assert [entry.rsplit("\t", 1)[0] for entry in entries] == headings, path.name
        assert pages == sorted(pages) and pages[0] >= 2, (path.name, pages)  # page 1 is the title page
