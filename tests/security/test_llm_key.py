"""An API key as people paste it: with a line end from a file, a space, an accent.

A key read from a file written on Windows ends with a carriage return: httpx refused the header and
its debug log quoted it (``Illegal header value b'Bearer sk-...\\r'``), the error said "cannot connect",
and the scenario check looked for the key with its line end, so the same key pasted into a scenario
was not found. The key is now taken without surrounding blanks everywhere, and a key an HTTP header
cannot carry is refused before any request, by a message that does not quote it.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from hostile_support import night_generated
from llm_server import FakeLLMServer

from studio.cli.common import llm_problem
from studio.config import api_key
from studio.injects.llm import Assistant, LLMClient
from studio.scenario.store import SecretInDocument, refuse_secrets

KEY = "sk-test-DO-NOT-LEAK-7373"


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return night_generated()


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """Everything any library logs, at every level, while the test runs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.mark.parametrize("pasted", [KEY + "\r", KEY + "\n", f"  {KEY}\r\n", f"\t{KEY}"])
def test_a_key_with_blanks_around_it_works_and_is_never_logged(
    generated: dict[str, Any], monkeypatch: pytest.MonkeyPatch, logs: io.StringIO, pasted: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", pasted)
    assert api_key() == KEY
    with FakeLLMServer(api_key=KEY) as server:
        client = LLMClient(model="fake-model", base_url=server.base_url, timeout=5, max_retries=0)
        proposal = Assistant(client).rewrite(generated, generated["injects"][0]["id"], "plus court")
        assert server.requests and all(request["authorised"] for request in server.requests)
    assert proposal.ok, proposal.error
    assert KEY not in logs.getvalue()


def test_the_scenario_check_finds_the_key_however_the_variable_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY + "\r\n")
    with pytest.raises(SecretInDocument):
        refuse_secrets(f'{{"context": "clé {KEY}"}}'.encode())


@pytest.mark.parametrize(
    "pasted", ["sk-tést-DO-NOT-LEAK-7373", "sk-test DO-NOT-LEAK-7373", "sk-test\u00a0DO-NOT-LEAK-7373"]
)
def test_a_key_no_header_can_carry_is_refused_before_any_request(
    generated: dict[str, Any], monkeypatch: pytest.MonkeyPatch, logs: io.StringIO, pasted: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", pasted)
    with FakeLLMServer(api_key=KEY) as server:
        client = LLMClient(model="fake-model", base_url=server.base_url, timeout=5, max_retries=0)
        proposal = Assistant(client).rewrite(generated, generated["injects"][0]["id"], "plus court")
        assert server.chat_calls == 0
    assert not proposal.ok and "OPENAI_API_KEY" in (proposal.error or "")
    assert "accent" in (proposal.error or "")
    problem = llm_problem("openai")
    assert problem is not None and "OPENAI_API_KEY" in problem
    for said in (proposal.error or "", problem, logs.getvalue()):
        assert pasted not in said and "DO-NOT-LEAK" not in said
