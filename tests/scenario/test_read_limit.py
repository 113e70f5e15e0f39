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


def test_the_value_limit_leaves_room_for_a_100k_system_scenario() -> None:
    # A 100,000-system scenario (synthetic, 65 MB) holds about 3.1 million values.
    assert document.MAX_JSON_VALUES >= 5 * 3_100_000


def test_a_file_of_millions_of_tiny_values_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    # 512 MB of "{}," would be 170 million dicts: about 11 GB once parsed. The values are counted
    # (their separators) before parsing; the trailing garbage shows the parser never ran.
    monkeypatch.setattr(document, "MAX_JSON_VALUES", 1_000)
    text = '{"systems": [' + "{}," * 2_000 + "{}]} garbage"
    with pytest.raises(ScenarioReadError, match=r"upload: about 2,00\d values, over the 1,000-value limit"):
        parse_scenario(text, "upload")
    with pytest.raises(ScenarioReadError, match="about 2,00"):
        parse_scenario(text.encode("utf-8"), "upload")


def test_a_file_under_the_value_limit_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document, "MAX_JSON_VALUES", 1_000)
    assert len(parse_scenario('{"systems": [' + "{}," * 500 + "{}]}")["systems"]) == 501
