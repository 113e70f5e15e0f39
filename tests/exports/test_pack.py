"""The ``pack`` pipeline end to end, and the leak test on library scenarios with generated injects."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from studio.cli import main
from studio.exports.common import control_only_texts
from studio.resources import library_dir
from studio.scenario.document import load_scenario
from studio.scenario.validate import validate_scenario
from tests.exports.support import GOLDEN_DIR

GOLDEN = str(GOLDEN_DIR / "territorial_small_en.json")
FAKE_KEY = "sk-test-DO-NOT-LEAK-0123456789"


def library_scenarios() -> list[Path]:
    try:
        folder = library_dir()
    except FileNotFoundError:
        return []
    return sorted(path for path in folder.glob("*.json") if path.name != "catalogue.json")


def all_member_bytes(path: Path) -> bytes:
    """The raw bytes of a file plus, for a zip (docx, xlsx...), the bytes of every member."""
    data = path.read_bytes()
    if not zipfile.is_zipfile(path):
        return data
    with zipfile.ZipFile(path) as archive:
        return data + b"".join(archive.read(name) for name in archive.namelist())


def test_pack_writes_everything_and_never_the_api_key(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    assert main(["pack", GOLDEN, "-o", str(tmp_path), "--keep-timeline"]) == 0
    written = sorted(path.name for path in tmp_path.iterdir())
    assert len(written) == 13  # scenario + 9 Word packs + xlsx + csv + OpenBAS zip
    assert {Path(name).suffix for name in written} == {".json", ".docx", ".xlsx", ".csv", ".zip"}
    for path in tmp_path.iterdir():
        assert FAKE_KEY.encode() not in all_member_bytes(path), path.name
    final = json.loads((tmp_path / "golden-ght-en.scenario.json").read_text(encoding="utf-8"))
    assert [problem for problem in validate_scenario(final) if problem.is_error] == []
    original_ids = {inject["id"] for inject in json.loads(Path(GOLDEN).read_text())["injects"]}
    assert original_ids <= {inject["id"] for inject in final["injects"]}  # manual injects are protected
    assert "files from" in capsys.readouterr().out


def test_fresh_simulation_against_stale_cause_refs_writes_nothing(tmp_path: Path, capsys) -> None:
    assert main(["pack", GOLDEN, "-o", str(tmp_path / "out"), "--resimulate"]) == 1
    assert not (tmp_path / "out").exists()
    assert "without --resimulate" in capsys.readouterr().err


def test_unknown_playbook_and_unreadable_input_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["pack", GOLDEN, "-o", str(tmp_path), "--resimulate", "--playbook", "nope"]) == 2
    # A playbook only matters when simulating: with a stored timeline, say so rather than ignore it.
    assert main(["pack", GOLDEN, "-o", str(tmp_path), "--playbook", "nope"]) == 2
    assert main(["pack", str(tmp_path / "missing.json"), "-o", str(tmp_path)]) == 2
    # The openai provider without a key for a remote endpoint: refused before anything runs.
    assert main(["pack", GOLDEN, "-o", str(tmp_path / "llm"), "--provider", "openai"]) == 2
    assert not (tmp_path / "llm").exists()
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("path", library_scenarios(), ids=lambda path: path.stem)
def test_library_scenario_player_packs_leak_nothing(path: Path) -> None:
    from studio.exports.pipeline import build_pack

    result = build_pack(load_scenario(path), formats=("docx",))
    assert result.ok, [str(problem) for problem in result.problems if problem.is_error]
    secrets = control_only_texts(result.scenario)
    assert len(secrets) > len(result.scenario["injects"])  # synopses at least: the search is not empty
    players = [output for output in result.outputs if "-players-" in output.filename]
    assert len(players) == 1 + sum(cell["type"] == "player" for cell in result.scenario["cells"])
    for output in players:
        with zipfile.ZipFile(io.BytesIO(output.data)) as archive:
            xml = "".join(
                archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".xml")
            )
        leaked = [secret for secret in secrets if escape(secret) in xml]
        assert leaked == [], (output.filename, leaked[:3])
