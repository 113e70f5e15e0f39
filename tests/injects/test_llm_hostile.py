"""A misbehaving OpenAI-compatible endpoint, over real HTTP with the real openai client.

Each case builds the misbehaviour into the local server (tests/llm_server.py) and checks that the
failing inject keeps its offline text, that the reason is said, that nothing refused reaches the
cache, and that a dead endpoint stops the run early instead of being asked once per inject.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from inject_fixtures import FAKE_KEY
from llm_server import FakeLLMServer

from studio.cli import main
from studio.exports.common import is_control_only_inject
from studio.injects.llm import MAX_RETRY_AFTER, Assistant, LLMClient, LLMError

Factory = Callable[..., LLMClient]


def _cache_texts(tmp_path: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in (tmp_path / "cache").rglob("*.json")]


def _rewrite_first(generated: dict[str, Any], client: LLMClient) -> Any:
    return Assistant(client).rewrite(generated, generated["injects"][0]["id"], "plus court")


def test_a_trickling_answer_is_cut_at_the_request_deadline(
    generated: dict[str, Any], make_client: Factory, server: FakeLLMServer
) -> None:
    server.behaviour, server.trickle_interval = "trickle", 0.05  # every read succeeds, slowly
    client = make_client(timeout=0.6, max_retries=0)
    client._openai()  # importing openai takes seconds on a busy machine: not part of the request
    started = time.monotonic()
    proposal = _rewrite_first(generated, client)
    elapsed = time.monotonic() - started
    assert proposal.error == "the LLM endpoint timed out"
    assert elapsed < 3  # a per-read timeout would wait for the whole body (over a minute)


def test_a_hanging_endpoint_stops_the_run_after_a_few_timeouts(
    generated: dict[str, Any], make_client: Factory, server: FakeLLMServer
) -> None:
    server.behaviour = "hang"
    assistant = Assistant(make_client(timeout=0.3, max_retries=0, concurrency=2))
    injects, notes = assistant.polish(generated, generated["injects"][:20])
    assert injects == generated["injects"][:20]
    assert server.chat_calls <= 4  # three timeouts in a row stop the run (plus one in flight)
    assert assistant.last_run is not None and assistant.last_run.assisted == 0
    assert notes[0].startswith("offline text kept for 20 of 20 injects: ")
    assert "timed out (3 times in a row)" in notes[0]


def test_the_run_deadline_bounds_the_whole_generation(
    generated: dict[str, Any], make_client: Factory, server: FakeLLMServer
) -> None:
    server.latency = 0.3
    assistant = Assistant(make_client(timeout=5, run_timeout=0.5, concurrency=1))
    assistant.client._openai()
    started = time.monotonic()
    _, notes = assistant.polish(generated, generated["injects"][:12])
    assert time.monotonic() - started < 3
    assert assistant.last_run is not None and 0 < assistant.last_run.assisted < 12
    assert "the run's time limit (0.5 s) ran out" in notes[0]


@pytest.mark.parametrize("behaviour, status", [("unauthorized", 401), ("forbidden", 403)])
def test_a_refused_key_stops_at_once(
    generated: dict[str, Any], make_client: Factory, server: FakeLLMServer, behaviour: str, status: int
) -> None:
    server.behaviour = behaviour
    assistant = Assistant(make_client(concurrency=4))
    total = len(generated["injects"])
    _, notes = assistant.polish(generated, generated["injects"])
    assert server.chat_calls <= 4  # at most the requests already in flight, not one per inject
    assert notes[0] == (
        f"offline text kept for {total} of {total} injects: HTTP {status} from the LLM endpoint: "
        f"the key was refused (OPENAI_API_KEY) ({total})"
    )


def test_retry_after_is_honoured(
    generated: dict[str, Any], make_client: Factory, server: FakeLLMServer
) -> None:
    server.fail_first, server.fail_status, server.retry_after = 1, 429, "1"
    started = time.monotonic()
    proposal = _rewrite_first(generated, make_client(backoff=0.0))
    assert proposal.ok, proposal.error
    assert time.monotonic() - started >= 1.0 and server.chat_calls == 2


def test_a_retry_after_beyond_reason_stops_the_run(
    generated: dict[str, Any], make_client: Factory, server: FakeLLMServer
) -> None:
    server.fail_first, server.fail_status, server.retry_after = 100, 429, str(int(MAX_RETRY_AFTER * 30))
    assistant = Assistant(make_client(concurrency=1))
    _, notes = assistant.polish(generated, generated["injects"][:5])
    assert server.chat_calls == 1
    assert "Retry-After asks to wait 3600 s" in notes[0]


def test_an_http_date_retry_after_is_understood(
    generated: dict[str, Any], make_client: Factory, server: FakeLLMServer
) -> None:
    server.fail_first, server.fail_status = 1, 429
    server.retry_after = "Wed, 21 Oct 2015 07:28:00 GMT"  # a date in the past: retry at once
    proposal = _rewrite_first(generated, make_client())
    assert proposal.ok and server.chat_calls == 2


@pytest.mark.parametrize(
    "behaviour, reason",
    [
        ("surrogates", "lone surrogate"),
        ("huge", "larger than 512 KiB"),
        ("echo_key", "contains the API key"),
    ],
)
def test_unusable_answers_are_refused_and_never_cached(
    generated: dict[str, Any],
    make_client: Factory,
    server: FakeLLMServer,
    tmp_path: Path,
    behaviour: str,
    reason: str,
) -> None:
    server.behaviour = behaviour
    before = copy.deepcopy(generated)
    proposal = _rewrite_first(generated, make_client())
    assert not proposal.ok and reason in (proposal.error or "")
    assert generated == before
    assert _cache_texts(tmp_path) == []
    assert FAKE_KEY not in (proposal.error or "")


def test_a_leaky_answer_keeps_the_offline_text_of_that_inject_only(
    generated: dict[str, Any], make_client: Factory, server: FakeLLMServer, tmp_path: Path
) -> None:
    server.behaviour = "leaky"
    injects = generated["injects"]
    assistant = Assistant(make_client())
    polished, notes = assistant.polish(generated, injects)
    noted = [i for i in injects if i.get("animator_notes") and not is_control_only_inject(i)]
    refused = {note.split(":")[0] for note in notes[1:]}
    assert noted and refused == {i["id"] for i in noted}
    assert all("repeats control-only text" in note for note in notes[1:])
    assert assistant.last_run is not None and assistant.last_run.assisted == len(injects) - len(noted)
    # Refused answers are not cached: a rerun asks again for those injects only.
    server.reset()
    Assistant(make_client()).polish(generated, injects)
    assert server.chat_calls == len(noted)
    assert polished == [i if i["id"] in refused else polished[n] for n, i in enumerate(injects)]


def test_cache_entries_are_checked_when_read(
    generated: dict[str, Any], make_client: Factory, server: FakeLLMServer, tmp_path: Path
) -> None:
    assert _rewrite_first(generated, make_client()).ok
    (entry,) = (tmp_path / "cache").rglob("*.json")
    stored = json.loads(entry.read_text(encoding="utf-8"))
    for damage in (
        {**stored, "answer": {**stored["answer"], "category": "not-a-category"}},  # breaks the schema
        {**stored, "answer": {**stored["answer"], "message": f"key {FAKE_KEY}"}},  # holds the key
        {"model": "x"},  # no answer
    ):
        entry.write_text(json.dumps(damage), encoding="utf-8")
        server.reset()
        proposal = _rewrite_first(generated, make_client())
        assert proposal.ok and server.chat_calls == 1  # a miss: asked again, and the entry replaced
        assert FAKE_KEY not in entry.read_text(encoding="utf-8")
        assert proposal.after is not None and proposal.after["category"] != "not-a-category"


def test_contingencies_keep_the_channel_and_category_of_their_sender(
    generated: dict[str, Any], make_client: Factory, server: FakeLLMServer
) -> None:
    server.behaviour = "hostile"  # answers with channel fax and category exercise_control
    original = next(i for i in generated["injects"] if i["priority"] == "core")
    proposal = Assistant(make_client()).propose_contingencies(generated, original["id"], count=2)
    assert proposal.ok and proposal.new_injects
    for new in proposal.new_injects:
        assert (new["channel"], new["category"]) == (original["channel"], original["category"])


@pytest.mark.parametrize("value", ["abc", "-1", "0", "inf", "nan", "100000"])
def test_invalid_timeouts_are_refused_by_name(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(LLMError, match="timeout"):
        LLMClient(model="m", timeout=float(value) if value != "abc" else value)  # type: ignore[arg-type]
    monkeypatch.setenv("CRISIS_STUDIO_LLM_TIMEOUT", value)
    assert main(["generate", "scenario_library/ch-rancongiciel-nuit.json", "--provider", "openai"]) == 2


def _cli_generate(
    generated: dict[str, Any],
    server: FakeLLMServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *extra: str,
) -> tuple[int, Path]:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("CRISIS_STUDIO_LLM_TIMEOUT", "2")
    source, output = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(generated), encoding="utf-8")
    return main(["generate", str(source), "--provider", "openai", "-o", str(output), *extra]), output


def test_cli_exits_non_zero_when_nothing_assisted_came_through(
    generated: dict[str, Any],
    server: FakeLLMServer,
    key: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.behaviour = "unauthorized"
    code, output = _cli_generate(generated, server, tmp_path, monkeypatch)
    err = capsys.readouterr().err
    assert code == 1 and not output.exists()
    kept = re.search(r"note: offline text kept for (\d+) of (\d+) injects: HTTP 401", err)
    assert kept and kept.group(1) == kept.group(2) and "--accept-offline" in err
    assert server.chat_calls <= 8
    code, output = _cli_generate(generated, server, tmp_path, monkeypatch, "--accept-offline")
    assert code == 0 and output.exists()
    assert FAKE_KEY not in output.read_text(encoding="utf-8")


def test_cli_pack_refuses_an_all_offline_pack_unless_accepted(
    generated: dict[str, Any],
    server: FakeLLMServer,
    key: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.behaviour = "hang"
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("CRISIS_STUDIO_LLM_TIMEOUT", "0.3")
    source = tmp_path / "in.json"
    source.write_text(json.dumps(generated), encoding="utf-8")
    started = time.monotonic()
    code = main(["pack", str(source), "-o", str(tmp_path / "pack"), "--provider", "openai", "--regenerate"])
    assert code == 1 and not (tmp_path / "pack").exists()
    assert time.monotonic() - started < 20  # not 61 injects times retries times the timeout
    assert "times in a row" in capsys.readouterr().err


def test_redaction_is_on_when_a_proxy_carries_loopback_traffic(monkeypatch: pytest.MonkeyPatch) -> None:
    loopback = "http://127.0.0.1:9/v1"
    assert Assistant(LLMClient(model="m", base_url=loopback)).redact is False
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    assert Assistant(LLMClient(model="m", base_url=loopback)).redact is True
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert Assistant(LLMClient(model="m", base_url=loopback)).redact is False
