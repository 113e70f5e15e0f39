"""`crisis-studio validate`: exit codes and messages for every kind of bad input, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from studio.resources import library_dir
from studio.scenario.document import MAX_FILE_BYTES


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studio.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def test_valid_file_exits_0(tmp_path: Path, minimal_scenario: dict[str, Any]) -> None:
    result = run_cli("validate", write(tmp_path, "ok.json", json.dumps(minimal_scenario)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid (0 errors, 0 warnings)" in result.stdout


def test_library_is_clean() -> None:
    files = sorted(str(path) for path in library_dir().glob("*.json"))
    assert len(files) >= 4
    result = run_cli("validate", "--errors-only", *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_invalid_file_exits_1_naming_path_and_rule(tmp_path: Path, minimal_scenario: dict[str, Any]) -> None:
    minimal_scenario["systems"][0]["links"][0]["target"] = "nowhere"
    result = run_cli("validate", write(tmp_path, "bad.json", json.dumps(minimal_scenario)))
    assert result.returncode == 1
    assert "/systems/0/links/0/target" in result.stdout and "[ref.link_target]" in result.stdout
    assert "INVALID" in result.stdout


def test_json_format_lists_problems(tmp_path: Path, minimal_scenario: dict[str, Any]) -> None:
    minimal_scenario["exercise"]["language"] = "de"
    result = run_cli(
        "validate", "--format", "json", write(tmp_path, "bad.json", json.dumps(minimal_scenario))
    )
    assert result.returncode == 1
    report = json.loads(result.stdout)
    problem = report["files"][0]["problems"][0]
    assert problem["path"] == "/exercise/language" and problem["rule"] == "schema.enum"
    assert problem["severity"] == "error" and "fr" in problem["hint"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        ("[1, 2, 3]", "a scenario is a JSON object"),
        ('"just text"', "a scenario is a JSON object"),
        ('{"a": NaN}', "NaN"),
        ("[" * 100000 + "]" * 100000, "nested too deeply"),
    ],
    ids=["truncated", "empty", "binary", "array", "string", "nan", "deep"],
)
def test_unparseable_input_exits_2(tmp_path: Path, content: str | bytes, expected: str) -> None:
    result = run_cli("validate", write(tmp_path, "x.json", content))
    assert result.returncode == 2
    assert expected in result.stdout + result.stderr
    assert_no_traceback(result)


def test_missing_file_exits_2() -> None:
    result = run_cli("validate", "/nonexistent/scenario.json")
    assert result.returncode == 2 and "cannot read" in result.stdout
    assert_no_traceback(result)


def test_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: takes no disk space
    result = run_cli("validate", str(path))
    assert result.returncode == 2 and "limit" in result.stdout
    assert_no_traceback(result)


def test_wrong_types_everywhere_exit_1(tmp_path: Path, minimal_scenario: dict[str, Any]) -> None:
    for key in list(minimal_scenario):
        minimal_scenario[key] = 42
    minimal_scenario["schema_version"] = "1.0"
    result = run_cli("validate", write(tmp_path, "types.json", json.dumps(minimal_scenario)))
    assert result.returncode == 1
    assert "/exercise: expected an object, found a number" in result.stdout
    assert_no_traceback(result)


def test_deeply_nested_but_parseable_document_exits_1(
    tmp_path: Path, minimal_scenario: dict[str, Any]
) -> None:
    text = json.dumps(minimal_scenario)[:-1] + ', "extra": ' + "[" * 900 + "]" * 900 + "}"
    result = run_cli("validate", write(tmp_path, "deep.json", text))
    assert result.returncode in (1, 2)
    assert "/extra" in result.stdout or "nested too deeply" in result.stdout
    assert_no_traceback(result)


def test_several_files_worst_exit_code_wins(tmp_path: Path, minimal_scenario: dict[str, Any]) -> None:
    good = write(tmp_path, "good.json", json.dumps(minimal_scenario))
    broken = write(tmp_path, "broken.json", "{")
    result = run_cli("validate", good, broken)
    assert result.returncode == 2
    assert "good.json: valid" in result.stdout and "broken.json" in result.stdout
