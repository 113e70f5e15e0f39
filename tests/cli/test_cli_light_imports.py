"""The light commands (validate, lint, import-msel of a CSV, --help) load only what they use.

Each command runs in a fresh interpreter, the way a user starts it; the modules it loaded are then
listed. numpy, scipy, networkx and numba belong to the simulation, openpyxl and python-docx to the
exports, openai and httpx to the LLM path: a validation does none of these, and loading scipy alone
took ~80 ms of a ~250 ms start-up (python -X importtime; figures in docs/performance.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hostile_support import night_generated

from studio.scenario.canonical import canonical_bytes

ENGINE = {"numpy", "scipy", "networkx", "numba"}
EXPORTS = {"openpyxl", "docx"}
LLM = {"openai", "httpx"}
LIBRARY_SCENARIO = str(Path(__file__).parents[2] / "scenario_library" / "ch-rancongiciel-nuit.json")

_PROBE = """
import io, json, sys
from contextlib import redirect_stdout
from studio.cli import main
with redirect_stdout(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exit:
        code = exit.code
print(json.dumps({"code": code, "modules": sorted({name.split(".")[0] for name in sys.modules})}))
"""


def _loaded(*argv: str) -> tuple[int, set[str]]:
    """(exit code, top-level packages loaded) of ``crisis-studio *argv`` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, check=True, timeout=120
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return answer["code"], set(answer["modules"])


@pytest.fixture(scope="module")
def generated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("light") / "night.json"
    path.write_bytes(canonical_bytes(night_generated()))
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["validate", LIBRARY_SCENARIO],
        ["validate", "--format", "json", LIBRARY_SCENARIO],
    ],
)
def test_validate_and_help_load_no_engine_export_or_llm_module(argv: list[str]) -> None:
    code, modules = _loaded(*argv)
    assert code == 0
    assert not modules & (ENGINE | EXPORTS | LLM), sorted(modules & (ENGINE | EXPORTS | LLM))


def test_validate_of_a_scenario_with_a_dependency_cycle_loads_no_engine_module(tmp_path: Path) -> None:
    # The cycle warning needs the strongly connected groups of the depends links.
    document: dict[str, Any] = json.loads(Path(LIBRARY_SCENARIO).read_bytes())
    first, second = document["systems"][0], document["systems"][1]
    first.setdefault("links", []).append({"kind": "depends", "target": second["id"]})
    second.setdefault("links", []).append({"kind": "depends", "target": first["id"]})
    path = tmp_path / "cycle.json"
    path.write_bytes(canonical_bytes(document))
    code, modules = _loaded("validate", str(path))
    assert code == 0 and not modules & ENGINE, sorted(modules & ENGINE)


def test_lint_loads_no_engine_export_or_llm_module(generated_file: Path) -> None:
    code, modules = _loaded("lint", str(generated_file))
    assert code in (0, 1)
    assert not modules & (ENGINE | EXPORTS | LLM), sorted(modules & (ENGINE | EXPORTS | LLM))


def test_import_of_a_csv_loads_no_simulation_or_llm_module(generated_file: Path, tmp_path: Path) -> None:
    scenario = json.loads(generated_file.read_bytes())
    sheet = tmp_path / "msel.csv"
    sheet.write_text(
        f"offset,from,to,message\nT+01:00,{scenario['personas'][0]['id']},{scenario['cells'][0]['id']},Bonjour\n",
        encoding="utf-8",
    )
    code, modules = _loaded("import-msel", str(generated_file), str(sheet), "-o", str(tmp_path / "out.json"))
    assert code == 0
    # numpy comes with openpyxl (its optional numeric types), which the importer needs for .xlsx.
    assert not modules & (ENGINE - {"numpy"} | LLM), sorted(modules & (ENGINE - {"numpy"} | LLM))
