"""No control-only text of the scenario may appear anywhere in a player pack (every XML part)."""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest

from studio.exports.common import control_only_texts
from tests.exports.support import CONTROL_MARKER, LANGUAGES, load_golden, zip_texts


def player_pack_names(packs: dict[str, bytes]) -> list[str]:
    return [name for name in packs if "-players-" in name]


@pytest.mark.parametrize("language", LANGUAGES)
def test_control_only_texts_cover_every_marker(language: str) -> None:
    # The leak test below is only meaningful if the secrets it looks for are really collected:
    # every marker string of the golden scenario must be among them.
    scenario = load_golden(language)
    secrets = control_only_texts(scenario)
    raw = repr(scenario)
    markers = {chunk.split()[0].strip("',") for chunk in raw.split(CONTROL_MARKER)[1:]}
    found = {text.split(CONTROL_MARKER, 1)[1].split()[0] for text in secrets if CONTROL_MARKER in text}
    assert markers <= found
    assert any("GROUNDTRUTH" in text for text in secrets)
    assert any("ATTACKERNAME" in text for text in secrets)
    assert any("TIMELINE" in text for text in secrets)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_control_only_text_in_any_player_pack(docx_by_language, language: str) -> None:
    scenario = load_golden(language)
    secrets = control_only_texts(scenario)
    packs = docx_by_language[language]
    assert len(player_pack_names(packs)) == 4  # 3 cells + the combined document
    for name in player_pack_names(packs):
        for part, xml in zip_texts(packs[name]).items():
            assert CONTROL_MARKER not in xml, (name, part)
            for secret in secrets:
                assert escape(secret) not in xml, (name, part, secret)


@pytest.mark.parametrize("language", LANGUAGES)
def test_animation_pack_does_carry_the_secrets(docx_by_language, language: str) -> None:
    # Positive control: the same search finds the markers where they belong.
    xml = zip_texts(docx_by_language[language][f"golden-ght-{language}-animation.docx"])["word/document.xml"]
    # The timeline's engine details are not among them: the pack tells the simulated attack in plain
    # words (kind of event, systems by name) rather than in the engine's vocabulary.
    for marker in ("GROUNDTRUTH", "SYNOPSIS", "ANIMNOTES", "PERSONANOTE", "HIDDENMESSAGE"):
        assert CONTROL_MARKER + marker in xml, marker


def test_player_pack_of_an_edited_scenario_hides_new_secrets(scenario_copy) -> None:
    from studio.exports.docx import player_pack

    scenario_copy["exercise"]["ground_truth"] = "SECRET-NEW-GT"
    scenario_copy["personas"][0]["notes"] = "SECRET-NEW-NOTE"
    scenario_copy["injects"][0]["synopsis"] = "SECRET-NEW-SYN"
    xml = "".join(zip_texts(player_pack(scenario_copy, "crisis-a")).values())
    assert "SECRET-NEW" not in xml
    assert scenario_copy["personas"][0]["name"] in xml  # the persona itself is in the directory


def _visible_text(xml: str) -> str:
    """Text of a Word XML part with every tag removed, so a secret split across runs is whole again."""
    import html
    import re

    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", xml)))


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_control_only_text_even_across_split_runs(docx_by_language, language: str) -> None:
    scenario = load_golden(language)
    secrets = [" ".join(text.split()) for text in control_only_texts(scenario) if len(text.split()) >= 1]
    packs = docx_by_language[language]
    animation = _visible_text(zip_texts(packs[f"golden-ght-{language}-animation.docx"])["word/document.xml"])
    assert any(secret in animation for secret in secrets), "positive control: the search finds secrets"
    for name in player_pack_names(packs):
        text = " ".join(_visible_text(xml) for xml in zip_texts(packs[name]).values())
        for secret in secrets:
            assert secret not in text, (name, secret)
