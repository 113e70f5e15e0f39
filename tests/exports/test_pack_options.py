"""``pack`` takes export's options and, with the same options, writes the same files as ``export``;
it validates its input once and its output only where the pipeline changed it."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from studio.cli import main
from studio.exports.docx.toc_pages import libreoffice_available
from studio.exports.pipeline import build_pack, share_unchanged_parts
from studio.scenario.document import load_scenario
from studio.scenario.validate import ScenarioValidator, check_document, validate_scenario
from tests.exports.support import GOLDEN_DIR

GOLDEN = str(GOLDEN_DIR / "territorial_small_en.json")


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_pack_and_export_write_the_same_files_with_the_same_options(tmp_path: Path) -> None:
    options = ["--csv-separator", ";"]
    assert main(["pack", GOLDEN, "-o", str(tmp_path / "pack"), "--quiet", *options]) == 0
    assert (
        main(["export", GOLDEN, "--to", "all", "-o", str(tmp_path / "export"), "--no-toc-pages", *options])
        == 0
    )
    packed, exported = _files(tmp_path / "pack"), _files(tmp_path / "export")
    assert set(packed) - set(exported) == {"golden-ght-en.scenario.json"}
    assert {name: packed[name] for name in exported} == exported
    [csv] = [data for name, data in exported.items() if name.endswith(".csv")]
    assert b";" in csv.splitlines()[0]  # the separator asked for, not the English default


@pytest.mark.render
@pytest.mark.skipif(not libreoffice_available(), reason="LibreOffice with python3-uno is not installed")
def test_pack_numbers_the_tables_of_contents_as_export_does(tmp_path: Path) -> None:
    assert main(["pack", GOLDEN, "-o", str(tmp_path / "pack"), "--quiet", "--toc-pages"]) == 0
    assert main(["export", GOLDEN, "--to", "docx", "-o", str(tmp_path / "export")]) == 0
    packed, exported = _files(tmp_path / "pack"), _files(tmp_path / "export")
    assert {name: packed[name] for name in exported} == exported


def test_the_output_is_validated_only_where_the_pipeline_changed_it() -> None:
    scenario = load_scenario(GOLDEN)
    scenario["injects"] = []  # the MSEL is generated: new injects and generation settings
    checker = ScenarioValidator()
    scenario, problems = check_document(scenario, checker)
    assert not [problem for problem in problems if problem.is_error]
    inputs = checker.last_schema_checks
    result = build_pack(scenario, formats=(), checker=checker)
    assert result.ok
    assert result.problems == build_pack(copy.deepcopy(scenario), formats=()).problems
    assert checker.last_schema_checks < inputs / 2  # the injects and the generation settings
    assert result.scenario["systems"] is scenario["systems"]


def test_a_broken_output_is_reported_as_a_full_validation_reports_it() -> None:
    scenario = load_scenario(GOLDEN)
    checker = ScenarioValidator()
    scenario, _ = check_document(scenario, checker)
    output = copy.deepcopy(scenario)
    output["injects"][0]["from"] = "nobody"
    output["timeline"]["events"][0]["node"] = "nowhere"
    shared = share_unchanged_parts(output, scenario)
    assert shared == output
    assert checker.validate(shared, changed=["/timeline", "/injects"]) == validate_scenario(output)
    assert (
        shared["injects"][1] is scenario["injects"][1] and shared["injects"][0] is not scenario["injects"][0]
    )
