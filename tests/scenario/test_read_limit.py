"""The read limit takes a 100,000-system scenario and refuses real abuse with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.scenario import document
from studio.scenario.document import ScenarioReadError, load_scenario, parse_scenario


def test_the_limit_leaves_room_for_a_100k_system_scenario() -> None:
    # about 700 bytes per system with its links, plus a timeline: ~100 MB at 100,000 systems
    assert document.MAX_FILE_BYTES >= 4 * 70_000_000


def test_an_oversized_file_is_refused_before_reading_with_the_limit_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(document, "MAX_FILE_BYTES", 1_000)
    big = tmp_path / "big.json"
    big.write_text('{"id": "' + "x" * 2_000 + '"}', encoding="utf-8")
    with pytest.raises(ScenarioReadError, match=r"2,01\d bytes is over the 1,000-byte limit"):
        load_scenario(big)
    with pytest.raises(ScenarioReadError, match="is this really a scenario"):
        parse_scenario(big.read_bytes(), "upload")
