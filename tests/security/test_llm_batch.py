"""A batch of LLM requests builds what depends on the whole scenario once, not once per inject.

The redactor (every name of the scenario, folded, in one pattern) and the control-only texts (every
synopsis, note and ground truth) read the whole scenario; a 150-inject polish used to build both
150 times. The answers must be the same as when each request builds its own.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hostile_support import night_generated
from llm_server import FakeLLMServer

import studio.injects.lint
import studio.injects.llm
from studio.injects.llm import Assistant, LLMClient


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return night_generated()


def _counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """Count the instances of ``module.name`` built from now on (the class itself still builds them)."""
    original = getattr(module, name)
    built = [0]

    def build(*args: Any, **kwargs: Any) -> Any:
        built[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, build)
    return built


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    return {
        "redactor": _counting(monkeypatch, studio.injects.llm, "Redactor"),
        "control": _counting(monkeypatch, studio.injects.lint, "ControlText"),
    }


def _assistant(server: FakeLLMServer) -> Assistant:
    client = LLMClient(model="fake-model", base_url=server.base_url, timeout=5, max_retries=0, concurrency=4)
    return Assistant(client, redact=True)


def test_a_polish_builds_the_redactor_and_the_control_texts_once(
    generated: dict[str, Any], built: dict[str, list[int]]
) -> None:
    injects = [inject for inject in generated["injects"] if inject.get("visibility", "players") == "players"]
    injects = injects[:12]
    with FakeLLMServer() as server:
        polished, notes = _assistant(server).polish(generated, injects)
        assert server.chat_calls == len(injects)
    assert built == {"redactor": [1], "control": [1]}
    assert not notes and [inject["id"] for inject in polished] == [inject["id"] for inject in injects]
    assert all("(v2)" in inject["message"] and "[PERSON_" not in inject["message"] for inject in polished)


def test_rewrite_many_builds_the_redactor_once(
    generated: dict[str, Any], built: dict[str, list[int]]
) -> None:
    requests = [(inject["id"], "plus court") for inject in generated["injects"][:6]]
    with FakeLLMServer() as server:
        proposals = _assistant(server).rewrite_many(generated, requests)
    assert built["redactor"] == [1] and built["control"][0] <= 1
    assert all(proposal.ok for proposal in proposals)


def test_a_batch_answers_as_single_requests_do(generated: dict[str, Any]) -> None:
    injects = copy.deepcopy(generated["injects"][:5])
    with FakeLLMServer() as server:
        assistant = _assistant(server)
        batch, _ = assistant.polish(generated, injects)
        singles = [assistant.polish(generated, [inject])[0][0] for inject in injects]
    assert batch == singles
