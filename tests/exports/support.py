"""Helpers shared by the export tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
LANGUAGES = ("fr", "en")
CONTROL_MARKER = "CTRL-"
"""Every control-only text of the golden scenarios carries this prefix, and no other text does."""


def load_golden(language: str) -> dict[str, Any]:
    return json.loads((GOLDEN_DIR / f"territorial_small_{language}.json").read_text(encoding="utf-8"))


def zip_texts(data: bytes) -> dict[str, str]:
    """Every XML part of an OOXML package as text (document, headers, footers, properties...)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        }


CONTROL_CHARS = "\x00\x01\x07\x0b\x0c\x1b\x1f\ufffe"
EMOJI = "🏥🔥💉"
RTL = "مستشفى في حالة أزمة"
MARKUP = "<w:p>&amp;</b>]]><script>alert(1)</script>{{ banner }}{% if %}"
FORMULA = '=HYPERLINK("http://example.invalid","x")'
LONG = ("A" * 99 + " ") * 1000  # 100,000 characters: the schema's maximum for a text field


def hostile_scenario() -> dict[str, Any]:
    """The French golden scenario with hostile text in many free fields, still schema-valid."""
    from studio.scenario.schema import validator

    scenario = load_golden("fr")
    scenario["exercise"]["context"] = f"{CONTROL_CHARS} {EMOJI} {RTL} {MARKUP}"
    scenario["exercise"]["title"] = f"{EMOJI}{RTL}{MARKUP}"[:300]
    scenario["exercise"]["rules_of_play"].append(LONG)
    scenario["cells"][0]["name"] = f"{RTL} {EMOJI}"
    scenario["cells"][0]["mission"] = MARKUP + CONTROL_CHARS
    scenario["personas"][0]["name"] = MARKUP[:300]
    first = scenario["injects"][0]
    first["message"] = LONG
    first["title"] = f"{EMOJI} {RTL} {CONTROL_CHARS}"
    first["expected_actions"] = [FORMULA, MARKUP, f"{RTL}\n{EMOJI}"]
    scenario["injects"][1]["message"] = f"{FORMULA}\n{CONTROL_CHARS}\n{MARKUP}"
    scenario["injects"][4]["message"] = MARKUP  # a press article: media pressure in OpenBAS
    scenario["glossary"].append({"term": MARKUP[:300], "definition": LONG})
    errors = [error.message for error in validator().iter_errors(scenario)]
    assert errors == [], errors
    return scenario
