"""Placeholders for a scenario's names: whole words, longest first, and back again."""

from __future__ import annotations

from typing import Any

from studio.injects.privacy import Redactor


def test_names_become_placeholders_and_come_back(scenario: dict[str, Any]) -> None:
    redactor = Redactor(scenario)
    text = (
        "Le CH Val-de-Brume perd le Dossier patient Orbis ; "
        "Sophie Lenoir appelle le Centre hospitalier des Tilleuls."
    )
    hidden = redactor.redact(text)
    for name in ("Val-de-Brume", "Orbis", "Sophie Lenoir", "Tilleuls"):
        assert name not in hidden
    assert "[ORG_" in hidden and "[SYSTEM_" in hidden and "[PERSON_" in hidden
    assert redactor.restore(hidden) == text


def test_matching_ignores_case_and_keeps_to_whole_words(scenario: dict[str, Any]) -> None:
    redactor = Redactor(scenario)
    assert "[PERSON_" in redactor.redact("appel de sophie lenoir")
    # "SAMU 99" is a name; "SAMUEL" is another word.
    assert redactor.redact("SAMUEL a appelé") == "SAMUEL a appelé"


def test_longest_names_win(scenario: dict[str, Any]) -> None:
    redactor = Redactor(scenario)
    hidden = redactor.redact("Centre hospitalier de Val-de-Brume")
    assert hidden.count("[") == 1


def test_values_are_redacted_before_encoding(scenario: dict[str, Any]) -> None:
    redactor = Redactor(scenario)
    value = {"message": "Bonjour\nSophie Lenoir", "list": ["Karim Ould"], "count": 3}
    hidden = redactor.redact_value(value)
    assert "Sophie" not in str(hidden) and "Karim" not in str(hidden) and hidden["count"] == 3
    assert redactor.restore(hidden) == value


def test_an_inactive_redactor_changes_nothing(scenario: dict[str, Any]) -> None:
    redactor = Redactor(scenario, active=False)
    assert redactor.redact("Sophie Lenoir") == "Sophie Lenoir"
    assert redactor.restore("[PERSON_1]") == "[PERSON_1]"


def test_unknown_placeholders_are_left_as_they_are(scenario: dict[str, Any]) -> None:
    assert Redactor(scenario).restore("voir [ORG_999]") == "voir [ORG_999]"
