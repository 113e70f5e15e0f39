"""Label tables and the chronogramme preview rows given to the studio."""

from __future__ import annotations

import json
from typing import Any

from studio.exports import chronogramme_headers, chronogramme_rows, scenario_labels
from studio.exports.common import LABELS_DIR, available_languages, is_control_only_inject, labels_for
from studio.scenario.schema import definition


def test_every_language_has_the_same_keys() -> None:
    tables = {
        lang: json.loads((LABELS_DIR / f"{lang}.json").read_text(encoding="utf-8"))
        for lang in available_languages()
    }
    assert set(tables) >= {"fr", "en"}
    reference = tables["en"]
    for lang, table in tables.items():
        assert set(table["text"]) == set(reference["text"]), lang
        assert set(table["tables"]) == set(reference["tables"]), lang
        for enum, values in reference["enums"].items():
            assert set(table["enums"][enum]) == set(values), (lang, enum)


def test_enum_labels_cover_the_schema() -> None:
    # A new channel or category in the schema must get a label in every language.
    for lang in available_languages():
        labels = labels_for(lang)
        enums = {
            "channel": definition("channel")["enum"],
            "inject_category": definition("inject_category")["enum"],
            "system_kind": definition("system")["properties"]["kind"]["enum"],
            "event_kind": definition("timeline_event")["properties"]["kind"]["enum"],
        }
        for enum, values in enums.items():
            for value in values:
                assert labels.enum(enum, value) != value, (lang, value)
        for field in definition("inject")["properties"]:
            assert labels.enum("field", field) != field, (lang, field)


def test_unknown_language_falls_back_to_french() -> None:
    assert labels_for("de").language == "fr"


def test_chronogramme_preview(golden: dict[str, Any]) -> None:
    rows = chronogramme_rows(golden)
    assert [row["id"] for row in rows] == [
        inject["id"] for inject in sorted(golden["injects"], key=lambda i: int(i["number"]))
    ]
    day = "J1" if golden["exercise"]["language"] == "fr" else "D1"
    assert rows[0]["offset"] == f"{day} 09:00" and rows[1]["offset"] == f"{day} 09:15"
    players_only = chronogramme_rows(golden, include_control=False)
    assert len(players_only) == sum(not is_control_only_inject(inject) for inject in golden["injects"])
    headers = chronogramme_headers(scenario_labels(golden))
    assert headers[1] == ("Horaire exercice" if golden["exercise"]["language"] == "fr" else "Exercise time")
