"""The LLM provider: any OpenAI-compatible endpoint, structured output, validated and cached.

:class:`LLMClient` sends chat requests through the ``openai`` client (``OPENAI_BASE_URL``,
``OPENAI_API_KEY``, the model setting), so OpenAI, Mistral, gateways, Ollama, vLLM and llama.cpp
servers all work. For each request it:

- asks for structured output with ``response_format={"type": "json_schema", ..., "strict": true}``;
  a server that refuses it (HTTP 400/422) gets ``json_object`` with the schema in the prompt, and is
  remembered as such;
- validates every answer with jsonschema and allows one repair round (the errors are sent back);
  a second invalid answer raises :class:`LLMError`;
- retries 429, 5xx, timeouts and connection errors with exponential backoff or the server's
  ``Retry-After``, a bounded number of times; other errors (unknown model) fail at once;
- holds each request to a real deadline (``timeout`` seconds from sending to the last byte, however
  slowly the bytes come) and a run (:meth:`LLMClient.start_run`) to ``run_timeout`` seconds; stops the
  whole run at once on a refused key (401/403), on repeated connection failures, on a Retry-After
  longer than :data:`MAX_RETRY_AFTER` and when the run's time is up: every later request fails with
  that reason instead of waiting for its own failure;
- refuses answers over :data:`MAX_ANSWER_BYTES`, answers holding the API key or lone surrogates, and
  answers the caller's ``accept`` check refuses (a leak of control-only text), before they are used
  or cached; cache entries go through the same checks when read;
- caches the validated answer on disk under a hash of the request (model, endpoint, messages,
  schema): running the same actions again makes no call. The key is never part of the request
  hash, the cache, a log line or an exception message;
- runs batches with at most ``concurrency`` requests in flight.

:class:`Assistant` holds the actions designers use: draft the MSEL text from the timeline, rewrite
one inject, propose contingency injects, propose discussion questions, summarise the scenario. Each
returns :class:`~studio.injects.review.Proposal` objects; nothing changes until one is applied.
Scenario text goes to the model inside ``<scenario_data>`` tags, JSON-encoded with ``<`` and ``>``
escaped so that no text can close the block; the answer can only change the fields each action is
allowed to change. Names are replaced by placeholders (:mod:`studio.redaction`) unless the traffic
stays on this machine (a loopback endpoint and no proxy in the way), unless told otherwise.
"""

from __future__ import annotations

import contextlib
import copy
import email.utils
import hashlib
import json
import logging
import math
import os
import random
import re
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import jsonschema

from studio.config import Settings, api_key
from studio.durations import format_minutes, parse_minutes
from studio.injects.flat_schema import LLM_FIELDS, inject_to_flat, load_flat_schema
from studio.injects.generation.checks import answer_problems, assisted_context
from studio.injects.privacy import is_loopback
from studio.injects.prompts import action_prompt
from studio.injects.review import Proposal, find_inject
from studio.redaction import Redactor, traffic_stays_local
from studio.safety import printable
from studio.scenario.canonical import canonical_text
from studio.scenario.document import UniqueKeys, first_unrepresentable
from studio.scenario.schema import control_only_fields

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

LANGUAGE_NAMES = {"fr": "français", "en": "English"}
TEXT_FIELDS = (
    "title",
    "message",
    "synopsis",
    "animator_notes",
    "expected_actions",
    "deliverable",
    "discussion_questions",
)
"""What a rewrite may change. Category, channel, priority, routing and timing stay the designer's."""
REWRITE_FIELDS = (*TEXT_FIELDS, "language")
CACHE_VERSION = 1
MAX_ANSWER_BYTES = 512 * 1024
"""An inject's text is a few kilobytes; a larger answer is a runaway or hostile endpoint."""
MAX_TIMEOUT = 3600.0
"""Upper bound of both the per-request and the per-run time limits, in seconds."""
DEFAULT_RUN_TIMEOUT = 900.0
MAX_RETRY_AFTER = 120.0
"""A server asking to wait longer than this is not going to answer this run: stop instead."""
CONNECTION_FAILURES_TO_STOP = 3
"""Consecutive connection failures or timeouts after which the endpoint is taken as down."""
MIN_KEY_LENGTH = 8
"""Shorter keys ("no-key", "x") are placeholders of local servers, found in any text."""

Accept = Callable[[dict[str, Any]], str | None]
"""A last check of a schema-valid answer: None to accept it, else why it is refused."""


class LLMError(Exception):
    """An LLM request failed for good: the message says why (never with the key in it)."""


class _ReadTimeout(Exception):
    """The answer's bytes did not all arrive before the request's deadline."""


class _ReadFailure(Exception):
    """The connection broke while the answer was being read."""


def check_seconds(value: object, what: str) -> float:
    """``value`` as a number of seconds in (0, :data:`MAX_TIMEOUT`], else LLMError naming ``what``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise LLMError(f"{what} must be a number of seconds, not {value!r}")
    if not 0 < value <= MAX_TIMEOUT:
        raise LLMError(f"{what} must be above 0 and at most {MAX_TIMEOUT:g} seconds, not {value:g}")
    return float(value)


def key_problem(key: str | None) -> str | None:
    """Why ``key`` cannot be sent in an HTTP header, or None; the message never quotes the key.

    Sent anyway, httpx refuses the header and its debug log quotes it; the request fails as if the
    endpoint could not be reached."""
    if key is None or all("!" <= char <= "~" for char in key):
        return None
    return (
        "OPENAI_API_KEY holds a character an HTTP header cannot carry (a space, an accent, a "
        "non-breaking space or a control character, often from a copy and paste): check the variable"
    )


def settings_problem(settings: Settings | None = None) -> str | None:
    """Why the LLM settings cannot be used (a bad timeout or concurrency, a key no header can carry),
    or None."""
    problem = key_problem(api_key())
    if problem:
        return problem
    settings = settings or Settings()
    try:
        check_seconds(settings.llm_timeout, "CRISIS_STUDIO_LLM_TIMEOUT")
        check_seconds(settings.llm_run_timeout, "CRISIS_STUDIO_LLM_RUN_TIMEOUT")
    except LLMError as exc:
        return str(exc)
    if not 1 <= settings.llm_concurrency <= 64:
        return f"CRISIS_STUDIO_LLM_CONCURRENCY must be 1 to 64, not {settings.llm_concurrency}"
    return None


def _retryable(exc: Exception) -> bool:
    return _is_connection_failure(exc) or _status(exc) in {429} or (_status(exc) or 0) >= 500


def _is_connection_failure(exc: Exception) -> bool:
    import openai

    return isinstance(exc, openai.APIConnectionError | _ReadTimeout | _ReadFailure)  # incl. APITimeoutError


def _status(exc: Exception) -> int | None:
    import openai

    return exc.status_code if isinstance(exc, openai.APIStatusError) else None


def _retry_after(exc: Exception) -> float | None:
    """Seconds the server asked to wait (``Retry-After``: seconds or an HTTP date), if it said."""
    import openai

    if not isinstance(exc, openai.APIStatusError):
        return None
    headers = exc.response.headers
    value = headers.get("retry-after-ms")
    if value is not None:
        try:
            return max(float(value) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def _refuses_format(exc: Exception) -> bool:
    import openai

    return isinstance(exc, openai.BadRequestError | openai.UnprocessableEntityError)


def _describe(exc: Exception) -> str:
    import openai

    if isinstance(exc, openai.APIStatusError) and 300 <= exc.status_code < 400:
        target = _address(exc.response.headers.get("location", "")) or "another address"
        return (
            f"the LLM endpoint redirects to {target} (HTTP {exc.status_code}), which is not followed: "
            "set that address as the endpoint if it is the right one"
        )
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code} from the LLM endpoint"
    if isinstance(exc, openai.APITimeoutError | _ReadTimeout):
        return "the LLM endpoint timed out"
    if isinstance(exc, _ReadFailure):
        return "the connection to the LLM endpoint broke during the answer"
    if isinstance(exc, openai.APIConnectionError):
        return "cannot connect to the LLM endpoint"
    return type(exc).__name__


def _close_unless_success(response: Any) -> None:
    """Close an answer that is not a success before its body is read.

    The openai client reads an error answer's whole body for its message, without a size limit
    and one read timeout at a time (a body trickling in held a request far past its deadline).
    Only the status and the headers (Retry-After, Location) are used here.
    """
    if not 200 <= response.status_code < 300:
        response.close()


def _address(url: str) -> str:
    """Scheme, host, port and path of ``url``, without what may hold a secret (user, password,
    query, fragment), or "" when it is not an address."""
    try:
        parts = urlsplit(url[:2000])
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return ""
    if not parts.scheme or not parts.hostname:
        return ""
    return printable(f"{parts.scheme}://{parts.hostname}{port}{parts.path}"[:200])


class LLMClient:
    """Structured-output chat requests with validation, repair, retries, a cache and a concurrency bound.

    ``calls`` counts HTTP requests actually sent (cache hits cost none); ``cache_hits`` counts answers
    served from the cache; ``stop_reason`` says why the run was stopped early, if it was.
    """

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        timeout: float = 60.0,
        run_timeout: float = DEFAULT_RUN_TIMEOUT,
        concurrency: int = 8,
        cache_dir: Path | None = None,
        max_retries: int = 3,
        backoff: float = 0.5,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        key_source: Callable[[], str | None] = api_key,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.timeout = check_seconds(timeout, "the LLM timeout")
        self.run_timeout = check_seconds(run_timeout, "the LLM run timeout")
        self.concurrency = max(1, concurrency)
        self.cache_dir = cache_dir
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_answer_bytes = max_answer_bytes
        self._key_source = key_source
        self._client: Any = None
        self._lock = threading.Lock()
        self.json_schema_supported = True
        self.calls = 0
        self.cache_hits = 0
        self.stop_reason: str | None = None
        self._run_deadline: float | None = None
        self._not_before = 0.0
        self._connection_failures = 0

    @classmethod
    def from_settings(cls, settings: Settings | None = None, model: str | None = None) -> LLMClient:
        settings = settings or Settings()
        return cls(
            model=model or settings.llm_model,
            base_url=settings.llm_base_url,
            timeout=settings.llm_timeout,
            run_timeout=settings.llm_run_timeout,
            concurrency=settings.llm_concurrency,
            cache_dir=settings.cache_dir / "llm",
        )

    @property
    def is_local(self) -> bool:
        return is_loopback(self.base_url)

    def start_run(self) -> None:
        """Begin a run of requests: clear an earlier stop and allow ``run_timeout`` seconds from now."""
        with self._lock:
            self.stop_reason = None
            self._connection_failures = 0
            self._run_deadline = time.monotonic() + self.run_timeout

    def _openai(self) -> Any:
        with self._lock:
            if self._client is None:
                import openai

                key = self._key_source()
                if key is None and not self.is_local:
                    raise LLMError("OPENAI_API_KEY is not set; the offline provider needs no key")
                problem = key_problem(key)
                if problem:
                    raise LLMError(problem)
                # Local servers ignore the key but the client insists on one.
                self._client = openai.OpenAI(
                    api_key=key or "no-key",
                    base_url=self.base_url,
                    timeout=self.timeout,
                    max_retries=0,  # retries are ours: bounded, logged without secrets, counted
                    # Redaction was decided for this endpoint: a redirect elsewhere (a 307 keeps
                    # the body) would send the request where nobody decided (docs/decisions.md).
                    http_client=openai.DefaultHttpxClient(
                        follow_redirects=False, event_hooks={"response": [_close_unless_success]}
                    ),
                )
            return self._client

    # --- answer checks -------------------------------------------------------------------------

    def _refusal(self, text: str) -> str | None:
        """Why raw answer text cannot be used whatever it says (too large, holds the key), or None."""
        if len(text) > self.max_answer_bytes:
            return f"the answer is larger than {self.max_answer_bytes // 1024} KiB; discarded"
        key = self._key_source()
        if key and len(key) >= MIN_KEY_LENGTH and key in text:
            return "the answer contains the API key; discarded"
        return None

    # --- cache ---------------------------------------------------------------------------------

    def _cache_key(self, messages: list[dict[str, str]], schema: dict[str, Any], name: str) -> str:
        request = {"v": CACHE_VERSION, "model": self.model, "endpoint": self.base_url or "", "name": name}
        request.update(messages=messages, schema=schema)
        return hashlib.sha256(canonical_text(request).encode("utf-8")).hexdigest()

    def _cache_path(self, key: str) -> Path | None:
        return self.cache_dir / key[:2] / f"{key}.json" if self.cache_dir else None

    def _cache_get(
        self, key: str, validator: jsonschema.protocols.Validator, accept: Accept | None
    ) -> dict[str, Any] | None:
        """The cached answer, checked as a fresh one would be; a damaged or refused entry is a miss
        (and is removed, so that the next answer replaces it)."""
        path = self._cache_path(key)
        if path is None or not path.is_file():
            return None
        try:
            if path.stat().st_size > 2 * self.max_answer_bytes:
                raise ValueError("too large")
            text = path.read_text(encoding="utf-8")
            answer = json.loads(text)["answer"]
            problem = self._refusal(text) or _parse(json.dumps(answer), validator)[1]
            if not problem and accept is not None:
                problem = accept(answer) or ""
            if problem:
                raise ValueError(problem)
        except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
            log.warning("LLM cache entry %s ignored (%s)", path.name[:12], str(exc)[:200])
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        return answer

    def _cache_put(self, key: str, answer: dict[str, Any]) -> None:
        """Store a validated answer. A cache that cannot be written (read-only, full, not a
        directory) costs the next run a call, never this answer: the failure is logged as a warning
        naming neither the key, the request nor its headers."""
        path = self._cache_path(key)
        if path is None:
            return
        text = canonical_text({"model": self.model, "answer": answer})
        if self._refusal(text):
            return  # checked before use too: never written, whatever the caller did
        temporary: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, path)
            temporary = None
        except (OSError, ValueError) as exc:
            log.warning("LLM cache not written (%s); the answer is used without caching", type(exc).__name__)
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)

    # --- requests ------------------------------------------------------------------------------

    def _stop(self, reason: str) -> LLMError:
        """Stop the run: this and every later request fail with ``reason`` (the first one wins)."""
        with self._lock:
            if self.stop_reason is None:
                self.stop_reason = reason
                log.warning("LLM requests stopped: %s", reason)
            return LLMError(self.stop_reason)

    def _wait_turn(self) -> None:
        """Wait for a Retry-After pause to pass, or raise when the run is stopped or out of time."""
        while True:
            with self._lock:
                stopped, not_before, run_deadline = self.stop_reason, self._not_before, self._run_deadline
            if stopped is not None:
                raise LLMError(stopped)
            now = time.monotonic()
            if run_deadline is not None and max(now, not_before) >= run_deadline:
                raise self._stop(f"the run's time limit ({self.run_timeout:g} s) ran out")
            if now >= not_before:
                return
            time.sleep(min(not_before - now, 0.25))

    def _after_failure(self, exc: Exception) -> float | None:
        """Account for a failed request; return the pause before a retry, or None not to retry."""
        status = _status(exc)
        if status in (401, 403):
            raise self._stop(f"HTTP {status} from the LLM endpoint: the key was refused (OPENAI_API_KEY)")
        with self._lock:
            self._connection_failures = self._connection_failures + 1 if _is_connection_failure(exc) else 0
            failures = self._connection_failures
        if failures >= CONNECTION_FAILURES_TO_STOP:
            raise self._stop(f"{_describe(exc)} ({failures} times in a row)")
        if not _retryable(exc):
            return None
        asked = _retry_after(exc)
        if asked is not None and asked > MAX_RETRY_AFTER:
            raise self._stop(f"HTTP {status} from the LLM endpoint: Retry-After asks to wait {asked:.0f} s")
        if asked is None:
            return None
        with self._lock:
            self._not_before = max(self._not_before, time.monotonic() + asked)
        return asked

    def _send(self, messages: list[dict[str, str]], response_format: dict[str, Any]) -> str:
        client = self._openai()
        for attempt in range(self.max_retries + 1):
            self._wait_turn()
            with self._lock:
                self.calls += 1
            try:
                content = self._request(client, messages, response_format)
            except Exception as exc:
                if isinstance(exc, LLMError) or _refuses_format(exc):
                    raise
                asked = self._after_failure(exc)
                if not _retryable(exc) or attempt == self.max_retries:
                    raise
                pause = self.backoff * 2**attempt * (1 + random.random() / 4) if asked is None else asked
                log.info("LLM request failed (%s); retry %d in %.2f s", _describe(exc), attempt + 1, pause)
                if asked is None:
                    time.sleep(pause)
                # A Retry-After pause is waited for in _wait_turn, which ends it at the run's deadline.
                continue
            with self._lock:
                self._connection_failures = 0
            return content
        raise AssertionError("unreachable")

    def _request(self, client: Any, messages: list[dict[str, str]], response_format: dict[str, Any]) -> str:
        """One HTTP request held to its deadline: ``timeout`` seconds (less if the run ends sooner)
        from sending to the last byte of the answer, which may not exceed ``max_answer_bytes``."""
        import openai

        now = time.monotonic()
        deadline = now + self.timeout
        if self._run_deadline is not None:
            deadline = min(deadline, self._run_deadline)
        bounded = client.with_options(timeout=openai.Timeout(max(deadline - now, 0.01)))
        create = bounded.chat.completions.with_streaming_response.create
        with create(
            model=self.model, messages=messages, response_format=response_format, temperature=0
        ) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_answer_bytes:
                raise LLMError(f"the answer is larger than {self.max_answer_bytes // 1024} KiB; discarded")
            body = bytearray()
            try:
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self.max_answer_bytes:
                        raise LLMError(
                            f"the answer is larger than {self.max_answer_bytes // 1024} KiB; discarded"
                        )
                    if time.monotonic() > deadline:
                        raise _ReadTimeout()
            except (LLMError, _ReadTimeout):
                raise
            except Exception as exc:  # the HTTP library's own errors while reading the body
                raise (_ReadTimeout() if "Timeout" in type(exc).__name__ else _ReadFailure()) from None
        unique_keys = UniqueKeys()
        try:
            completion = json.loads(bytes(body), object_pairs_hook=unique_keys.hook)
            content = completion["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError, RecursionError):
            raise LLMError("the endpoint's answer is not a chat completion") from None
        repeated = unique_keys.problem(completion)
        if repeated is not None:
            # Which of the two values is the answer is a guess: a plain parser keeps the last one.
            raise LLMError(f"the endpoint's answer is not a clear chat completion: {repeated}")
        if content is not None and not isinstance(content, str):
            raise LLMError("the endpoint's answer is not a chat completion")
        return content or ""

    def _ask(self, messages: list[dict[str, str]], schema: dict[str, Any], name: str, language: str) -> str:
        if self.json_schema_supported:
            response_format = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": schema, "strict": True},
            }
            try:
                return self._send(messages, response_format)
            except Exception as exc:
                if not _refuses_format(exc):
                    raise
                log.info(
                    "the endpoint refused json_schema output; using json_object with the schema in the prompt"
                )
                self.json_schema_supported = False
        schema_text = json.dumps(schema, ensure_ascii=False, indent=1)
        instruction = action_prompt("format", language).messages({"schema": schema_text, "errors": ""})[0]
        # Joined to the first system message: several chat templates (llama.cpp, some Ollama
        # models) accept only one system message, at the start.
        first, *rest = messages
        if first["role"] == "system":
            merged = [
                {"role": "system", "content": first["content"] + "\n\n" + instruction["content"]},
                *rest,
            ]
        else:
            merged = [instruction, *messages]
        return self._send(merged, {"type": "json_object"})

    def complete_json(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        *,
        name: str,
        language: str = "en",
        accept: Accept | None = None,
    ) -> dict[str, Any]:
        """Send ``messages`` and return the answer as a dict valid against ``schema``.

        Served from the cache when the same request was answered before and the entry passes the
        same checks. ``accept`` is a last check of a valid answer (None: fine; text: why not): a
        refused answer is neither returned nor cached. Raises LLMError when the endpoint fails after
        retries, the answer is refused, or it is still invalid after one repair round.
        """
        key = self._cache_key(messages, schema, name)
        validator = jsonschema.Draft202012Validator(schema)
        cached = self._cache_get(key, validator, accept)
        if cached is not None:
            with self._lock:
                self.cache_hits += 1
            return cached
        conversation = list(messages)
        problems = ""
        try:
            for round_ in range(2):
                content = self._ask(conversation, schema, name, language)
                refusal = self._refusal(content)
                if refusal:
                    raise LLMError(refusal)
                answer, problems = _parse(content, validator)
                if answer is not None:
                    break
                if round_ == 0:
                    repair = action_prompt("format", language).messages({"schema": "", "errors": problems})[1]
                    conversation = [*messages, {"role": "assistant", "content": content[:20000]}, repair]
        except LLMError:
            raise
        except Exception as exc:
            raise LLMError(_describe(exc)) from None
        if answer is None:
            raise LLMError(f"the answer is still invalid after one repair round: {problems}")
        refusal = accept(answer) if accept is not None else None
        if refusal:
            raise LLMError(refusal)
        # Outside the call's error handling: a cache that cannot be written never costs the answer.
        self._cache_put(key, answer)
        return answer

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``[function(item) for item in items]`` with at most ``concurrency`` calls at once, in order."""
        items = list(items)
        if len(items) <= 1 or self.concurrency == 1:
            return [function(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(items))) as pool:
            return list(pool.map(function, items))


def _parse(content: str, validator: jsonschema.protocols.Validator) -> tuple[dict[str, Any] | None, str]:
    """(answer, "") when ``content`` is a JSON object valid for ``validator``; else (None, why)."""
    unique_keys = UniqueKeys()
    try:
        answer = json.loads(_unwrapped(content), object_pairs_hook=unique_keys.hook)
    except ValueError as exc:
        return None, f"not JSON ({getattr(exc, 'msg', exc)} at character {getattr(exc, 'pos', 0)})"
    except RecursionError:
        return None, "JSON nested too deeply"
    unusable = unique_keys.problem(answer) or first_unrepresentable(answer)
    if unusable is not None:
        return None, unusable
    errors = sorted(validator.iter_errors(answer), key=lambda e: list(e.absolute_path))
    if errors:
        return None, "; ".join(
            f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:10]
        )
    if not isinstance(answer, dict):
        return None, "the answer must be a JSON object"
    return answer, ""


_THINKING = re.compile(r"\A\s*<think>.*?</think>", re.S)
_FENCED = re.compile(r"\A\s*```[a-zA-Z]*[ \t]*\n(.*)\n[ \t]*```\s*\Z", re.S)


def _unwrapped(content: str) -> str:
    """``content`` without what local models often put around a JSON answer in json_object mode: a
    leading ``<think>`` block (reasoning models) and one Markdown code block around all of it."""
    content = _THINKING.sub("", content, count=1)
    fenced = _FENCED.match(content)
    return fenced.group(1) if fenced else content


def delimit(payload: Any) -> str:
    """``payload`` as JSON inside ``<scenario_data>`` tags.

    ``<`` and ``>`` are written as JSON escapes, so no text of the scenario can close the block.
    """
    body = json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True)
    body = body.replace("<", "\\u003c").replace(">", "\\u003e")
    return f"<scenario_data>\n{body}\n</scenario_data>"


def _strip_schema_keywords(schema: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if key not in {"$schema", "title", "description"}}


def _list_schema(key: str, items: dict[str, Any], count: int) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [key],
        "properties": {key: {"type": "array", "items": items, "maxItems": count}},
    }


@dataclass
class RunReport:
    """What a generation run got from the model: how many injects, how many assisted, and why the
    others kept their offline text (reason -> count)."""

    total: int = 0
    assisted: int = 0
    fallbacks: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """e.g. "offline text kept for 62 of 62 injects: HTTP 401 from the LLM endpoint... (62)"."""
        fell_back = self.total - self.assisted
        reasons = "; ".join(f"{reason} ({count})" for reason, count in self.fallbacks.most_common(5))
        return f"offline text kept for {fell_back} of {self.total} injects: {reasons}"


class _ScenarioReading:
    """What every request about one scenario needs and only the whole scenario gives: its redactor
    and its control-only texts, built once for a batch and shared by its threads (both are only
    read once built). Building them reads every name and every secret of the scenario: per inject,
    a 150-inject polish spent about two thirds of its time on it."""

    def __init__(self, scenario: dict[str, Any], redact: bool) -> None:
        self.scenario = scenario
        self.redactor = Redactor(scenario, active=redact)
        self._control: Any = None
        self._lock = threading.Lock()

    @property
    def control(self) -> Any:
        """The scenario's control-only texts (studio.injects.lint.ControlText), built when first asked."""
        with self._lock:
            if self._control is None:
                from studio.injects.lint import ControlText

                self._control = ControlText(self.scenario)
            return self._control


def _leak_check(reading: _ScenarioReading, inject: dict[str, Any]) -> Accept | None:
    """For an inject players read, refuse answers whose title or message repeats control-only text
    (the check lint makes, which would otherwise block the whole pack)."""
    from studio.exports.common import is_control_only_inject

    if is_control_only_inject(inject):
        return None
    return lambda answer: _repeated_control_text(
        reading.control, [(name, answer.get(name)) for name in ("title", "message")]
    )


def _proposals_leak_check(scenario: dict[str, Any], key: str, fields: tuple[str, ...]) -> Accept:
    """Refuse a list answer (``key``: proposed injects, questions) of which one item repeats
    control-only text in ``fields`` (an item that is itself a text when ``fields`` is empty).

    Contingency injects reach players when used and discussion questions are asked to them, so the
    secrets are those of the scenario without its reserve injects: a backup may reuse the wording of
    another backup, never a synopsis, a note, the ground truth or a dilemma."""
    from studio.exports.common import is_control_only_inject
    from studio.injects.lint import ControlText

    public = [inject for inject in scenario.get("injects", []) if not is_control_only_inject(inject)]
    control = ControlText({**scenario, "injects": public})

    def accept(answer: dict[str, Any]) -> str | None:
        texts: list[tuple[str, Any]] = []
        for item in answer.get(key) or []:
            if isinstance(item, dict):
                texts += [(name, item.get(name)) for name in fields]
            else:
                texts.append((key, item))
        return _repeated_control_text(control, texts)

    return accept


def _repeated_control_text(control: Any, texts: Iterable[tuple[str, Any]]) -> str | None:
    for name, text in texts:
        if isinstance(text, str) and control.leaks(text):
            return f"the answer's {name} repeats control-only text; discarded"
    return None


class Assistant:
    """LLM actions on a scenario, each returning Proposals (see the module docstring)."""

    def __init__(self, client: LLMClient, *, redact: bool | None = None) -> None:
        self.client = client
        self.redact = (not traffic_stays_local(client.base_url)) if redact is None else redact
        self.last_run: RunReport | None = None

    @classmethod
    def from_settings(
        cls, scenario: dict[str, Any] | None = None, settings: Settings | None = None
    ) -> Assistant:
        model = (scenario or {}).get("generation", {}).get("llm_model")
        return cls(LLMClient.from_settings(settings, model=model))

    # --- plumbing ------------------------------------------------------------------------------

    def _language(self, scenario: dict[str, Any]) -> str:
        return scenario.get("exercise", {}).get("language", "fr")

    def _reading(self, scenario: dict[str, Any]) -> _ScenarioReading:
        return _ScenarioReading(scenario, self.redact)

    def _run(
        self,
        scenario: dict[str, Any],
        action: str,
        payload: Any,
        schema: dict[str, Any],
        accept: Accept | None = None,
        reading: _ScenarioReading | None = None,
        **values: str,
    ) -> dict[str, Any]:
        """One action request: render the prompts, redact, send, restore. Raises LLMError.

        ``accept`` judges the answer with the names restored, before it is used or cached; an answer
        holding a placeholder that stands for no name is refused first. ``reading`` is the batch's
        reading of ``scenario`` (a request on its own reads it itself).
        """
        language = self._language(scenario)
        redactor = (reading or self._reading(scenario)).redactor
        variables = {
            "language_name": LANGUAGE_NAMES[language],
            "marking": scenario["exercise"]["safety"]["marking"],
            "data": delimit(redactor.redact_value(payload)),
            **values,
        }
        messages = action_prompt(action, language).messages(variables)
        messages = [{**message, "content": redactor.redact(message["content"])} for message in messages]

        def judged(answer: dict[str, Any]) -> str | None:
            # A placeholder the request never used would stay in the text as it is.
            unknown = redactor.unknown_placeholders(answer)
            if unknown:
                return f"the answer names {unknown[0]}, which stands for no name of the scenario; discarded"
            return accept(redactor.restore(answer)) if accept is not None else None

        answer = self.client.complete_json(
            messages, schema, name=f"crisis_studio_{action}", language=language, accept=judged
        )
        return redactor.restore(answer)

    def _inject_payload(self, scenario: dict[str, Any], inject: dict[str, Any]) -> dict[str, Any]:
        personas = {p["id"]: p for p in scenario.get("personas", [])}
        cells = {c["id"]: c["name"] for c in scenario.get("cells", [])}
        systems = {s["id"]: s["name"] for s in scenario.get("systems", [])}
        sender = personas.get(inject["from"], {})
        events = {e["id"]: e for e in scenario.get("timeline", {}).get("events", [])}
        return {
            "exercise": {
                key: scenario["exercise"].get(key) for key in ("title", "type", "format", "language")
            },
            "inject": inject_to_flat(inject),
            "sender": {"name": sender.get("name"), "role": sender.get("role")},
            "recipients": [cells.get(cell, cell) for cell in inject["to"]],
            "scenario_time": inject.get("scenario_time"),
            "systems": [systems.get(node, node) for node in inject.get("system_refs", [])],
            "causes": [
                {"kind": events[cause]["kind"], "system": systems.get(events[cause].get("node", ""), "")}
                for cause in inject.get("cause_refs", [])
                if cause in events
            ],
            # The information model and the storyline: what the sender may know and say now.
            "story": assisted_context(scenario, inject),
        }

    def _revise(
        self,
        scenario: dict[str, Any],
        inject: dict[str, Any],
        action: str,
        fields: tuple[str, ...],
        reading: _ScenarioReading | None = None,
        **values: str,
    ) -> Proposal:
        before = copy.deepcopy(inject)
        reading = reading or self._reading(scenario)
        try:
            answer = self._run(
                scenario,
                action,
                self._inject_payload(scenario, inject),
                load_flat_schema(),
                accept=_leak_check(reading, inject),
                reading=reading,
                **values,
            )
        except LLMError as exc:
            return Proposal(action, inject["id"], before, None, error=str(exc), model=self.client.model)
        after = copy.deepcopy(inject)
        for name in fields:
            value = answer.get(name)
            if value is None:
                continue  # null means "not set": an LLM cannot delete a field the designer wrote
            after[name] = value
        marking = scenario["exercise"]["safety"]["marking"]
        if not after["message"].lstrip().startswith(marking):
            after["message"] = f"{marking}\n\n{after['message']}"
        refused = answer_problems(scenario, before, after)
        if refused:
            # The same rules as the offline text: an answer that breaks them is not used.
            error = "answer refused: " + "; ".join(refused)
            return Proposal(action, inject["id"], before, None, error=error, model=self.client.model)
        return Proposal(action, inject["id"], before, after, model=self.client.model)

    # --- actions -------------------------------------------------------------------------------

    def rewrite(
        self,
        scenario: dict[str, Any],
        inject_id: str,
        instruction: str,
        *,
        reading: _ScenarioReading | None = None,
    ) -> Proposal:
        """Rewrite the text of one inject as ``instruction`` asks (tone, length, realism, FR <-> EN).

        Only the fields of :data:`REWRITE_FIELDS` can change; the proposal carries the diff.
        """
        _, inject = find_inject(scenario, inject_id)
        return self._revise(
            scenario, inject, "rewrite", REWRITE_FIELDS, reading=reading, instruction=instruction
        )

    def rewrite_many(self, scenario: dict[str, Any], requests: list[tuple[str, str]]) -> list[Proposal]:
        """``rewrite`` for several (inject id, instruction) pairs, concurrently, in order."""
        reading = self._reading(scenario)
        return self.client.map(lambda request: self.rewrite(scenario, *request, reading=reading), requests)

    def polish(
        self,
        scenario: dict[str, Any],
        injects: list[dict[str, Any]],
        progress: Callable[[int, int, str], None] | None = None,
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """Draft the MSEL text with the LLM: rewrite each offline-drafted inject from its event context.

        Returns (injects, notes): an inject whose answer failed keeps its offline text and the notes
        say why. Polished injects record ``provenance.source = "llm"`` and the model.
        """
        done = 0
        lock = threading.Lock()
        self.client.start_run()
        reading = self._reading(scenario)

        def one(inject: dict[str, Any]) -> Proposal:
            nonlocal done
            proposal = self._revise(scenario, inject, "draft", TEXT_FIELDS, reading=reading)
            with lock:
                done += 1
                if progress:
                    progress(done, len(injects), inject["id"])
            return proposal

        results, notes = [], []
        report = RunReport(total=len(injects))
        for inject, proposal in zip(injects, self.client.map(one, injects), strict=True):
            if proposal.ok and proposal.after is not None:
                polished = proposal.after
                polished["provenance"] = {"source": "llm", "model": self.client.model[:300]}
                results.append(polished)
                report.assisted += 1
            else:
                results.append(inject)
                report.fallbacks[proposal.error or "unknown error"] += 1
                notes.append(f"{inject['id']}: offline text kept ({proposal.error})")
        self.last_run = report
        if report.fallbacks:
            notes.insert(0, report.summary())
        return results, notes

    def propose_contingencies(self, scenario: dict[str, Any], inject_id: str, count: int = 2) -> Proposal:
        """Propose up to ``count`` contingency injects backing up ``inject_id`` (added when applied).

        They keep the original's sender, recipients, objectives and causes and are placed 20, 40...
        exercise minutes after it (never after ENDEX).
        """
        _, inject = find_inject(scenario, inject_id)
        schema = _list_schema("injects", _strip_schema_keywords(load_flat_schema()), count)
        try:
            answer = self._run(
                scenario,
                "contingency",
                self._inject_payload(scenario, inject),
                schema,
                accept=_proposals_leak_check(scenario, "injects", ("title", "message")),
                count=str(count),
            )
        except LLMError as exc:
            return Proposal("contingency", inject_id, error=str(exc), model=self.client.model)
        from datetime import datetime

        exercise = scenario["exercise"]
        duration = (
            datetime.fromisoformat(exercise["endex"]) - datetime.fromisoformat(exercise["startex"])
        ).total_seconds() / 60
        taken = {i["id"] for i in scenario.get("injects", [])}
        marking = exercise["safety"]["marking"]
        new_injects = []
        for number, flat in enumerate(answer["injects"], start=1):
            minute = parse_minutes(inject["offset"]) + 20 * number
            candidate_id = f"{inject_id[:50]}-llm{number}"
            if minute > duration or candidate_id in taken:
                continue
            fields = {name: value for name, value in flat.items() if value is not None and name in LLM_FIELDS}
            new = {
                **fields,
                # The backup comes from the same sender by the same means: a model's channel or
                # category could contradict who sends it (an email from a phone-only persona).
                "category": inject["category"],
                "channel": inject["channel"],
                "id": candidate_id,
                "offset": format_minutes(minute),
                "from": inject["from"],
                "to": list(inject["to"]),
                "contingency": True,
                "contingency_for": inject_id,
                "priority": "optional",
                "status": "draft",
                "provenance": {"source": "llm", "model": self.client.model[:300]},
            }
            for name in ("objective_ids", "cause_refs", "system_refs", "event_id", "establishment"):
                if name in inject:
                    new[name] = copy.deepcopy(inject[name])
            if not new["message"].lstrip().startswith(marking):
                new["message"] = f"{marking}\n\n{new['message']}"
            new_injects.append(new)
        return Proposal("contingency", inject_id, new_injects=new_injects, model=self.client.model)

    def discussion_questions(
        self,
        scenario: dict[str, Any],
        *,
        inject_id: str | None = None,
        phase: str | None = None,
        count: int = 5,
    ) -> Proposal:
        """Propose discussion questions for one inject (applied to it) or for a tabletop module (text)."""
        schema = _list_schema("questions", {"type": "string", "minLength": 1, "maxLength": 1000}, count)
        if inject_id is not None:
            _, inject = find_inject(scenario, inject_id)
            payload: Any = self._inject_payload(scenario, inject)
        else:
            from studio.exports.common import is_control_only_inject

            # Questions players discuss are written from what players receive, never from reserve
            # or control injects.
            module = [
                i
                for i in scenario.get("injects", [])
                if (phase is None or i.get("phase") == phase) and not is_control_only_inject(i)
            ]
            payload = {
                "module": phase,
                "injects": [{k: i.get(k) for k in ("title", "message")} for i in module[:30]],
            }
        try:
            answer = self._run(
                scenario,
                "discussion",
                payload,
                schema,
                accept=_proposals_leak_check(scenario, "questions", ()),
                count=str(count),
            )
        except LLMError as exc:
            return Proposal("discussion", inject_id, error=str(exc), model=self.client.model)
        questions = [q.strip() for q in answer["questions"] if q.strip()]
        if inject_id is None:
            return Proposal("discussion", None, text=questions, model=self.client.model)
        after = copy.deepcopy(inject)
        after["discussion_questions"] = questions
        return Proposal("discussion", inject_id, copy.deepcopy(inject), after, model=self.client.model)

    def summarise(self, scenario: dict[str, Any], audience: str = "players") -> Proposal:
        """Summarise the scenario for a briefing. ``players`` sees no control-only field; ``control`` does."""
        exercise = dict(scenario["exercise"])
        if audience == "players":
            for name in control_only_fields("exercise"):
                exercise.pop(name, None)
        payload = {
            "exercise": exercise,
            "objectives": [o["title"] for o in scenario.get("objectives", [])],
            "cells": [c["name"] for c in scenario.get("cells", []) if c.get("type") == "player"],
            "organisations": [o["name"] for o in scenario.get("organisations", [])],
        }
        schema = {
            "type": "object",
            "additionalProperties": False,
            "required": ["summary"],
            "properties": {"summary": {"type": "string", "minLength": 1, "maxLength": 5000}},
        }
        try:
            answer = self._run(scenario, "summary", payload, schema)
        except LLMError as exc:
            return Proposal("summary", error=str(exc), model=self.client.model)
        return Proposal("summary", text=[answer["summary"]], model=self.client.model)
