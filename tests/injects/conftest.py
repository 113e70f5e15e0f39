"""Fixtures of the inject tests: the test scenario, its generated MSEL, a local LLM server and client."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from inject_fixtures import FAKE_KEY, hand_timeline, hospital_scenario
from llm_server import FakeLLMServer

from studio.injects.generator import generate_msel
from studio.injects.llm import Assistant, LLMClient

_GENERATED: dict[str, dict[str, Any]] = {}


@pytest.fixture
def scenario() -> dict[str, Any]:
    """The French test scenario with its hand-built timeline stored."""
    document = hospital_scenario()
    document["timeline"] = hand_timeline()
    return document


@pytest.fixture
def generated(scenario: dict[str, Any]) -> dict[str, Any]:
    """The scenario with its offline MSEL (generated once per session, copied for each test)."""
    if "fr" not in _GENERATED:
        _GENERATED["fr"] = generate_msel(scenario).scenario
    return copy.deepcopy(_GENERATED["fr"])


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(api_key=FAKE_KEY) as running:
        yield running


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    return FAKE_KEY


@pytest.fixture
def make_client(server: FakeLLMServer, key: str, tmp_path: Path) -> Callable[..., LLMClient]:
    """Build an LLMClient on the local server with fast timeouts and retries."""

    def build(**overrides: Any) -> LLMClient:
        options = dict(
            model="fake-model",
            base_url=server.base_url,
            timeout=2.0,
            concurrency=4,
            cache_dir=tmp_path / "cache",
            max_retries=2,
            backoff=0.01,
        )
        options.update(overrides)
        return LLMClient(**options)

    return build


@pytest.fixture
def assistant(make_client: Callable[..., LLMClient]) -> Assistant:
    return Assistant(make_client())
