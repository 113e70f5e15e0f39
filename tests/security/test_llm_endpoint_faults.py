"""An OpenAI-compatible endpoint that answers status 200 with something else than a usable answer.

A proxy's HTML page, a body cut short, JSON nested beyond any parser, a completion without choices,
repeated keys: each inject keeps its text, the reason is a sentence (never a bare exception name),
and no exception escapes to the batch.
"""

from __future__ import annotations

import copy
import re
import time
from pathlib import Path
from typing import Any

import pytest
from hostile_support import night_generated
from llm_server import FakeLLMServer

from studio.injects.llm import Assistant, LLMClient


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return night_generated()


def _client(server: FakeLLMServer, **options: Any) -> LLMClient:
    settings: dict[str, Any] = dict(model="fake-model", base_url=server.base_url, timeout=10, backoff=0.01)
    return LLMClient(**{**settings, "max_retries": 1, **options})


@pytest.mark.parametrize(
    "behaviour, reason",
    [
        ("html", "not a chat completion"),
        ("no_choices", "not a chat completion"),
        ("deep_body", "not a chat completion"),
        ("truncated_body", "connection to the LLM endpoint broke"),
        ("deep_json", "nested too deeply"),
        ("duplicate_keys", "the key 'message' appears twice"),
        ("duplicate_content", "the key 'content' appears twice"),
    ],
)
def test_an_unusable_answer_keeps_the_inject_and_says_why(
    generated: dict[str, Any], behaviour: str, reason: str
) -> None:
    before = copy.deepcopy(generated)
    with FakeLLMServer(behaviour=behaviour) as server:
        assistant = Assistant(_client(server))
        polished, notes = assistant.polish(generated, generated["injects"][:2])
    assert generated == before and polished == before["injects"][:2]
    assert assistant.last_run is not None and assistant.last_run.assisted == 0
    assert reason in notes[0], notes
    assert not re.search(r"\((?:[A-Z][a-z]+)+(?:Error|Exception)\b", notes[0]), notes  # no bare class name


def test_a_damaged_cache_entry_is_a_miss_not_a_crash(generated: dict[str, Any], tmp_path: Path) -> None:
    inject_id = generated["injects"][0]["id"]
    with FakeLLMServer() as server:
        first = Assistant(_client(server, cache_dir=tmp_path)).rewrite(generated, inject_id, "plus court")
        entries = list(tmp_path.rglob("*.json"))
        assert first.ok and entries
        for entry in entries:
            entry.write_text('{"answer": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
        server.reset()
        again = Assistant(_client(server, cache_dir=tmp_path)).rewrite(generated, inject_id, "plus court")
        assert again.ok and again.after == first.after and server.chat_calls == 1


def test_a_redirect_is_not_followed(generated: dict[str, Any]) -> None:
    # Redaction is decided for the configured endpoint: a local endpoint redirecting elsewhere
    # would send the scenario's names, unredacted, to an address nobody chose.
    with FakeLLMServer() as elsewhere, FakeLLMServer(behaviour="redirect") as endpoint:
        moved = f"{elsewhere.base_url}/chat/completions"
        endpoint.redirect_to = f"{moved}?token=s3cret"
        proposal = Assistant(_client(endpoint)).rewrite(
            generated, generated["injects"][0]["id"], "plus court"
        )
        assert elsewhere.requests == [] and endpoint.chat_calls == 1
    assert not proposal.ok and "redirect" in (proposal.error or "")
    assert moved in (proposal.error or "")
    assert "s3cret" not in (proposal.error or "")  # a query may carry a token: never repeated


def test_a_trickling_error_body_is_cut_at_the_request_deadline(generated: dict[str, Any]) -> None:
    # The openai client reads an error answer's whole body for its message, one read timeout at a
    # time: a body sent one byte every 50 ms held the request far past its deadline.
    with FakeLLMServer(behaviour="trickle_error", fail_first=100, fail_status=500) as server:
        server.trickle_interval = 0.05
        client = _client(server, timeout=0.6, max_retries=0)
        client._openai()  # importing openai is not part of the request
        started = time.monotonic()
        proposal = Assistant(client).rewrite(generated, generated["injects"][0]["id"], "plus court")
        elapsed = time.monotonic() - started
    assert proposal.error == "HTTP 500 from the LLM endpoint"
    assert elapsed < 3


def test_a_huge_error_body_is_not_read(generated: dict[str, Any]) -> None:
    with FakeLLMServer(behaviour="huge_error", fail_first=100, fail_status=500) as server:
        server.huge_bytes = 256 * 1024 * 1024
        proposal = Assistant(_client(server, max_retries=0)).rewrite(
            generated, generated["injects"][0]["id"], "plus court"
        )
        time.sleep(0.2)  # the server's last write fails once the client has closed
        sent = server.bytes_sent
    assert proposal.error == "HTTP 500 from the LLM endpoint"
    assert sent < 64 * 1024 * 1024  # socket buffers, not the body


@pytest.mark.parametrize("behaviour", ["fenced", "thinking"])
def test_an_answer_wrapped_as_local_models_write_it_is_used(
    generated: dict[str, Any], behaviour: str
) -> None:
    # Local models in json_object mode often fence their JSON or think aloud first.
    with FakeLLMServer(behaviour=behaviour) as server:
        proposal = Assistant(_client(server)).rewrite(generated, generated["injects"][0]["id"], "plus court")
        assert server.chat_calls == 1  # no repair round
    assert proposal.ok and proposal.after is not None and "(v2)" in proposal.after["message"]
