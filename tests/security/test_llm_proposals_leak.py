"""Proposals players end up reading are checked for control-only text, like rewritten injects.

A contingency inject is delivered to players when the animators use it, and discussion questions are
asked to them aloud; the model is sent the inject's synopsis and animator notes to write both. An
answer repeating them (a careless or an injected model) used to be proposed as is.
"""

from __future__ import annotations

from typing import Any

import pytest
from hostile_support import night_generated
from llm_server import FakeLLMServer

from studio.exports.common import is_control_only_inject
from studio.injects.llm import Assistant, LLMClient


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return night_generated()


@pytest.fixture
def noted(generated: dict[str, Any]) -> dict[str, Any]:
    """A player inject with animator notes (what the leaky server repeats)."""
    return next(i for i in generated["injects"] if i.get("animator_notes") and not is_control_only_inject(i))


def _assistant(server: FakeLLMServer) -> Assistant:
    return Assistant(LLMClient(model="fake-model", base_url=server.base_url, timeout=5, max_retries=0))


@pytest.mark.parametrize("behaviour", ["leaky", "ok"])
def test_contingency_proposals_repeating_notes_are_refused(
    generated: dict[str, Any], noted: dict[str, Any], behaviour: str
) -> None:
    with FakeLLMServer(behaviour=behaviour) as server:
        proposal = _assistant(server).propose_contingencies(generated, noted["id"], count=2)
    if behaviour == "ok":
        assert proposal.ok and proposal.new_injects
        return
    assert not proposal.ok and not proposal.new_injects
    assert "control-only" in (proposal.error or "")


@pytest.mark.parametrize("behaviour", ["leaky", "ok"])
def test_discussion_questions_repeating_notes_are_refused(
    generated: dict[str, Any], noted: dict[str, Any], behaviour: str
) -> None:
    with FakeLLMServer(behaviour=behaviour) as server:
        proposal = _assistant(server).discussion_questions(generated, inject_id=noted["id"], count=3)
    if behaviour == "ok":
        assert proposal.ok and proposal.after and proposal.after["discussion_questions"]
        return
    assert not proposal.ok and proposal.after is None
    assert "control-only" in (proposal.error or "")


def test_module_questions_are_written_from_player_injects_only(generated: dict[str, Any]) -> None:
    reserve = [i for i in generated["injects"] if is_control_only_inject(i)]
    assert reserve
    with FakeLLMServer() as server:
        proposal = _assistant(server).discussion_questions(generated, count=3)
        sent = "\n".join(server.message_texts())
    assert proposal.ok
    assert all(inject["title"] not in sent for inject in reserve if len(inject["title"]) > 20)
