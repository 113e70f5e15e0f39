"""Redaction before a request leaves the machine: half names, case folding, accents, proxies."""

from __future__ import annotations

from typing import Any

import pytest

from studio.redaction import Redactor, fold, name_parts, traffic_stays_local


def _scenario() -> dict[str, Any]:
    return {
        "organisations": [
            {
                "name": "Centre hospitalier de Val-de-Brume",
                "short_name": "CHVB",
                "sites": [{"name": "Hôpital Sainte-Gudule", "city": "Großbach"}],
            }
        ],
        "personas": [{"name": "İlker Öztürk"}, {"name": "Sophie Lenoir"}],
        "systems": [{"name": "DxCare"}],
        "exercise": {"organiser": "ARS Bretagne"},
    }


@pytest.mark.parametrize(
    "text, hidden",
    [
        ("Le CH de Val-de-Brume est touché.", "Val-de-Brume"),  # half the hospital's name
        ("Appel de VAL-DE-BRUME à 3 h.", "VAL-DE-BRUME"),
        ("La ville de GROSSBACH est isolée.", "GROSSBACH"),  # ß folds to ss
        ("Réunion avec ILKER ÖZTÜRK.", "ILKER ÖZTÜRK"),  # İ folds to i + dot: a KeyError before
        ("réunion avec ilker ozturk", "ilker ozturk"),  # accents dropped
        ("Mme Lenoir rappelle.", "Lenoir"),  # a surname alone
        ("dxcare est arrêté", "dxcare"),
        ("Sainte-Gudule ferme ses urgences", "Gudule"),
    ],
)
def test_names_are_hidden_however_they_are_written(text: str, hidden: str) -> None:
    redactor = Redactor(_scenario())
    redacted = redactor.redact(text)
    assert fold(hidden) not in fold(redacted), redacted
    assert "[" in redacted
    restored = redactor.restore(redacted)
    assert fold(restored).replace(" ", "") != "" and "[" not in restored


def test_text_without_names_is_unchanged_and_odd_characters_do_not_raise() -> None:
    redactor = Redactor(_scenario())
    for text in ("", "İ", "ß" * 50, "ﬁ ligature", "\u0301 lone accent", "Le plan blanc est déclenché."):
        assert redactor.redact(text) == text


def test_generic_words_are_not_names() -> None:
    assert name_parts("Centre hospitalier de Val-de-Brume") == ["Val-de-Brume", "Brume"]
    assert "Centre" not in name_parts("Centre hospitalier régional")


def test_an_inactive_redactor_changes_nothing() -> None:
    assert Redactor(_scenario(), active=False).redact("Val-de-Brume") == "Val-de-Brume"


def test_a_proxy_makes_loopback_traffic_remote(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "http_proxy",
        "all_proxy",
        "no_proxy",
    ):
        monkeypatch.delenv(variable, raising=False)
    assert traffic_stays_local("http://127.0.0.1:8000/v1")
    assert not traffic_stays_local("https://api.example/v1") and not traffic_stays_local(None)
    monkeypatch.setenv("ALL_PROXY", "http://proxy.example:3128")
    assert not traffic_stays_local("http://localhost:8000/v1")
    monkeypatch.setenv("NO_PROXY", "localhost")
    assert traffic_stays_local("http://localhost:8000/v1")


def test_whole_words_only_and_a_shorter_name_when_the_longer_runs_into_a_word() -> None:
    redactor = Redactor(_scenario())
    text = "Val-de-Brumeville, Val-de-Brume, Brume-sur-Mer et Bruments; Val-de-Brume"
    redacted = redactor.redact(text)
    # "Val-de-Brumeville" is no name but holds "Val" and "de" as words: nothing of it is hidden;
    # "Brume-sur-Mer" holds the word "Brume", hidden; "Bruments" is another word.
    assert redacted.startswith("Val-de-Brumeville, [")
    assert "Bruments" in redacted and "Val-de-Brume;" not in redacted
    assert redactor.restore(redacted) == text
    assert redactor.redact(text) == redacted  # the second time from the redactor's memory
