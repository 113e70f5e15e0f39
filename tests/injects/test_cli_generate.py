"""``crisis-studio generate``: offline output, determinism and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from studio.cli import main
from studio.scenario.document import load_scenario


def _write(path: Path, document: Any) -> str:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_generate_writes_a_scenario_with_its_msel(
    scenario: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "in.json", scenario)
    assert main(["generate", source, "-o", str(tmp_path / "a.json"), "--seed", "4"]) == 0
    assert "injects generated" in capsys.readouterr().err
    assert main(["generate", source, "-o", str(tmp_path / "b.json"), "--seed", "4"]) == 0
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    written = load_scenario(tmp_path / "a.json")
    assert written["injects"] and main(["lint", str(tmp_path / "a.json")]) == 0


def test_generate_to_stdout(
    scenario: dict[str, Any], tmp_path: Path, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["generate", _write(tmp_path / "in.json", scenario)]) == 0
    assert json.loads(capfdbinary.readouterr().out)["injects"]


def test_generate_exit_codes(
    scenario: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", str(tmp_path / "missing.json")]) == 2
    (tmp_path / "bad.json").write_text("[1, 2", encoding="utf-8")
    assert main(["generate", str(tmp_path / "bad.json")]) == 2
    invalid = dict(scenario, cells=[])
    assert main(["generate", _write(tmp_path / "invalid.json", invalid)]) == 1
    # The openai provider needs a key for a remote endpoint: a usage error, before any work.
    assert main(["generate", _write(tmp_path / "in.json", scenario), "--provider", "openai"]) == 2
    assert main(["generate", _write(tmp_path / "in.json", scenario), "--seed", "-1"]) == 2
    assert "Traceback" not in capsys.readouterr().err
