"""A placeholder the model made up never reaches an inject.

Names go to a remote model as placeholders (``[PERSON_3]``) and come back as names. A model that
writes a placeholder the request never used (``[PERSON_99]``) left it in the inject's text, which
players would read as is: the answer is now refused for that inject, which keeps its text.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hostile_support import night_generated
from llm_server import FakeLLMServer

from studio.injects.llm import Assistant, LLMClient


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return night_generated()


@pytest.mark.parametrize("behaviour", ["stray_placeholder", "ok"])
def test_an_unknown_placeholder_is_refused(generated: dict[str, Any], behaviour: str) -> None:
    before = copy.deepcopy(generated)
    with FakeLLMServer(behaviour=behaviour) as server:
        client = LLMClient(model="fake-model", base_url=server.base_url, timeout=5, max_retries=0)
        proposal = Assistant(client, redact=True).rewrite(
            generated, generated["injects"][0]["id"], "plus court"
        )
        assert any("[PERSON_" in text or "[ORG_" in text for text in server.message_texts())  # redacted
    assert generated == before
    if behaviour == "ok":
        assert proposal.ok and proposal.after is not None and "[PERSON_" not in proposal.after["message"]
        return
    assert not proposal.ok and proposal.after is None
    assert "[PERSON_99]" in (proposal.error or "") and "stands for no name" in (proposal.error or "")
