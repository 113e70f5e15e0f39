"""Text from a scenario or a spreadsheet printed on a terminal is shown, never obeyed.

An id, a key or a cell can hold escape sequences (``ESC [2J`` clears the screen, ``ESC ]0;...BEL``
retitles the window, OSC 8 forges links) or bidi overrides (U+202E turns ``exe.txt`` into ``txt.exe``
on screen). Problems and import issues quote such text in their messages and hints: every control
or bidi character is written as a visible ``\\u....`` escape instead.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from studio.cli import main
from studio.exports.msel.importer import ImportIssue
from studio.safety import printable
from studio.scenario.problems import Problem

MINIMAL: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[1] / "scenario" / "minimal.json").read_text(encoding="utf-8")
)
HOSTILE = ["\x1b[2J", "\x1b]0;pwned\x07", "\u202e", "\u2066", "\x9b", "\x00", "\x7f"]


CONTROLS = sorted({char for char in "".join(HOSTILE) if not char.isprintable()})


def _unsafe(text: str) -> list[str]:
    return [char for char in CONTROLS if char in text]


def test_printable_escapes_controls_and_bidi_and_keeps_lines() -> None:
    assert printable("a\x1b[2Jb") == "a\\u001b[2Jb"
    assert printable("exe\u202etxt") == "exe\\u202etxt"
    assert printable("ligne 1\nligne 2\tfin — été") == "ligne 1\nligne 2\tfin — été"


def test_problems_and_issues_never_carry_raw_controls() -> None:
    problem = Problem("/systems/0/id", "x.rule", "bad \x1b[2J", "known: a\u202eb")
    assert _unsafe(str(problem)) == [] and _unsafe(json.dumps(problem.to_dict(), ensure_ascii=False)) == []
    assert _unsafe(str(ImportIssue(2, 1, "Titre\x1b[31m", "value \u202e"))) == []


@pytest.mark.parametrize("hostile", HOSTILE)
def test_cli_validate_prints_no_raw_control(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hostile: str
) -> None:
    document = copy.deepcopy(MINIMAL)
    document["systems"][0]["id"] = f"vpn{hostile}"  # named in the hint "known systems: ..."
    document["exercise"][f"note{hostile}"] = "x"  # an unknown key, named in the message
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    for output in (["--format", "text"], ["--format", "json"]):
        assert main(["validate", str(path), *output]) == 1
        captured = capsys.readouterr()
        assert "vpn" in captured.out
        assert _unsafe(captured.out + captured.err) == [], output
    json.loads(captured.out)  # the escapes of the JSON output are JSON escapes: the data reads back
