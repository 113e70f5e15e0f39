"""The API key never leaves in an export, whichever way the export is asked for.

The CLI's ``export`` and ``pack`` refused a scenario holding the key, but the library's
``export_outputs`` and ``docx_outputs`` (what the studio's Exports page and the team observers'
player packs call) wrote it into every file. The refusal now lives in the exporters themselves.
"""

from __future__ import annotations

import copy
import io
import zipfile
from typing import Any

import pytest
from hostile_support import night_generated

from studio.exports import export_outputs
from studio.exports.docx import docx_outputs
from studio.scenario.store import SecretInDocument

KEY = "sk-proj-DO-NOT-LEAK-6a1f"


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return night_generated()


@pytest.fixture
def holding_key(generated: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    scenario = copy.deepcopy(generated)
    scenario["exercise"]["context"] += f"\nClé de test : {KEY}"  # pasted by mistake
    return scenario


@pytest.mark.parametrize("formats", [("docx",), ("xlsx",), ("csv",), ("openbas",)])
def test_export_outputs_refuses_a_scenario_holding_the_key(
    holding_key: dict[str, Any], formats: tuple[str, ...]
) -> None:
    with pytest.raises(SecretInDocument, match="API key"):
        export_outputs(holding_key, formats)


def test_player_packs_alone_refuse_it_too(holding_key: dict[str, Any]) -> None:
    with pytest.raises(SecretInDocument):
        docx_outputs(holding_key)


def test_the_message_never_holds_the_key(holding_key: dict[str, Any]) -> None:
    with pytest.raises(SecretInDocument) as caught:
        export_outputs(holding_key, ("csv",))
    assert KEY not in str(caught.value)


def test_without_the_key_the_same_scenario_exports(
    holding_key: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-another-key-12345")
    files = export_outputs(holding_key, ("csv", "openbas"))
    archive = next(file for file in files if file.filename.endswith(".zip"))
    with zipfile.ZipFile(io.BytesIO(archive.data)) as opened:
        # Any other text is data: the context (and this string in it) is the OpenBAS description.
        assert any(KEY in opened.read(name).decode("utf-8") for name in opened.namelist())
