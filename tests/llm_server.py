"""A local OpenAI-compatible server for tests and benchmarks (standard library only, 127.0.0.1).

It speaks enough of the API for the openai client: ``GET /v1/models`` and ``POST
/v1/chat/completions`` (non-streaming). Behaviours, set at construction or changed between requests
through attributes:

- ``ok``: a valid answer built from the requested JSON Schema (``json_schema`` mode: from
  ``response_format``; ``json_object`` mode: from the schema quoted in the prompt). String fields
  that exist in the inject sent inside ``<scenario_data>`` are echoed with `` (v2)`` appended, so
  placeholders round-trip; other strings get a short neutral text.
- ``refuse_json_schema``: HTTP 400 for ``json_schema`` requests, normal answers for ``json_object``.
- ``invalid_json``: content that is not JSON.
- ``schema_violation``: JSON that breaks the schema (an unknown field, a wrong enum).
- ``hostile``: a schema-valid answer that tries to change what it must not (category, channel,
  priority) and carries text claiming to approve the inject.
- ``fail_first`` with ``fail_status``: the first N chat requests get that HTTP status (429, 500...),
  then the behaviour applies.
- ``latency``: seconds slept before each chat answer (a value above the client timeout makes
  requests time out).
- ``trickle``: headers at once, then the body one byte every ``trickle_interval`` seconds (each read
  succeeds; only a deadline on the whole request stops it).
- ``hang``: never answers (until the server stops).
- ``unauthorized`` / ``forbidden``: HTTP 401 / 403 for every chat request.
- ``retry_after``: the ``Retry-After`` header sent with 429 answers (``fail_first``/``fail_status``).
- ``surrogates``: string fields carry a lone surrogate (``\ud800`` escaped in the JSON).
- ``huge``: a message field of ``huge_bytes`` characters.
- ``echo_key``: the message repeats the bearer key the request carried.
- ``leaky``: the message repeats the inject's ``animator_notes`` (control-only text), and so does
  every proposed contingency inject and discussion question.
- ``stray_placeholder``: the message names ``[PERSON_99]``, a placeholder the request never used.
- ``answer``: a callable(request body dict) -> dict, overriding the built answer.
- ``html``, ``truncated_body``, ``deep_body``, ``no_choices``, ``duplicate_content``: status 200
  with a body that is not a usable chat completion (see ``_RAW_BODIES``).
- ``trickle_error`` / ``huge_error``: error answers (``fail_first``/``fail_status``) whose body
  trickles like ``trickle`` / is ``huge_bytes`` long; ``bytes_sent`` counts the body bytes written.
- ``fenced`` / ``thinking``: the JSON answer inside a Markdown code block / after a ``<think>``
  block, as local models often write it.
- ``redirect``: HTTP 307 to ``redirect_to`` for every chat request (a 307 keeps the method and body).
- ``deep_json`` / ``duplicate_keys``: the answer's content is JSON nested 100,000 levels deep / an
  object repeating the ``message`` key (the first value says one thing, the second another).

``requests`` logs every request (path, parsed body, whether the bearer key matched ``api_key``);
``chat_calls`` counts chat requests and ``max_in_flight`` the most answered at once. Use it as a
context manager or call start()/stop().
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_DATA_BLOCK = re.compile(r"<scenario_data>\n(.*?)\n</scenario_data>", re.S)
_SCHEMA_BLOCK = re.compile(r"```json\n(.*?)\n```", re.S)


def instance_for(schema: dict[str, Any], echo: dict[str, Any] | None = None, name: str = "") -> Any:
    """A small value valid against the (flat, $ref-free) ``schema``; strings echo ``echo[name]``."""
    echo = echo or {}
    if "anyOf" in schema:
        return instance_for(schema["anyOf"][0], echo, name)
    if "enum" in schema:
        return echo.get(name) if echo.get(name) in schema["enum"] else schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next(k for k in kind if k != "null")
    if kind == "object":
        return {key: instance_for(spec, echo, key) for key, spec in schema.get("properties", {}).items()}
    if kind == "array":
        if isinstance(echo.get(name), list) and echo[name]:
            return [f"{item} (v2)" for item in echo[name]][: schema.get("maxItems", 100)]
        return [instance_for(schema.get("items", {"type": "string"}), {}, "")][: schema.get("maxItems", 1)]
    if kind in {"integer", "number"}:
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    base = echo.get(name)
    text = f"{base} (v2)" if isinstance(base, str) else "Texte proposé par le serveur de test."
    return text[: schema.get("maxLength", len(text))]


_RAW_BODIES: dict[str, Callable[[bytes], tuple[str, bytes]]] = {
    # A proxy's error page sent with status 200.
    "html": lambda _: ("text/html", b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
    # The whole length announced, half of it sent, then the connection closed.
    "truncated_body": lambda data: ("application/json", data[: len(data) // 2]),
    # A body no JSON parser can take without recursing 200,000 levels.
    "deep_body": lambda _: ("application/json", b"[" * 200_000 + b"]" * 200_000),
    # A JSON body that is not a chat completion.
    "no_choices": lambda _: ("application/json", b'{"object": "chat.completion", "choices": []}'),
    # The completion as a JSON text whose keys are repeated: the last "content" is the one a
    # plain parser keeps.
    "duplicate_content": lambda data: (
        "application/json",
        data.replace(b'"content": ', b'"content": "{}", "content": ', 1),
    ),
}
"""Behaviours answering with a raw body instead of the chat completion (status 200)."""


class FakeLLMServer:
    """See the module docstring."""

    def __init__(
        self,
        behaviour: str = "ok",
        *,
        latency: float = 0.0,
        fail_first: int = 0,
        fail_status: int = 429,
        api_key: str | None = None,
        answer: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        retry_after: str = "0",
        trickle_interval: float = 0.2,
        huge_bytes: int = 4 * 1024 * 1024,
        redirect_to: str = "",
    ) -> None:
        self.behaviour = behaviour
        self.redirect_to = redirect_to
        self.latency = latency
        self.retry_after = retry_after
        self.trickle_interval = trickle_interval
        self.huge_bytes = huge_bytes
        self._stopping = threading.Event()
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.api_key = api_key
        self.answer = answer
        self.requests: list[dict[str, Any]] = []
        self.chat_calls = 0
        self.bytes_sent = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> FakeLLMServer:
        server = self
        self._stopping.clear()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                server._record(self, None)
                if self.path.rstrip("/").endswith("/models"):
                    self._reply(
                        200,
                        {
                            "object": "list",
                            "data": [{"id": "fake-model", "object": "model", "owned_by": "test"}],
                        },
                    )
                else:
                    self._reply(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                server._record(self, body)
                status, payload = server._chat(body, self.headers.get("Authorization", ""))
                self._reply(status, payload)

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                if status >= 400 and server.behaviour == "huge_error":
                    data = b"x" * server.huge_bytes
                content_type, declared = "application/json", len(data)
                if status == 200 and server.behaviour in _RAW_BODIES:
                    content_type, data = _RAW_BODIES[server.behaviour](data)
                    declared = max(declared, len(data)) if server.behaviour == "truncated_body" else len(data)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(declared))
                    if status == 429:
                        self.send_header("Retry-After", server.retry_after)
                    if status == 307:
                        self.send_header("Location", server.redirect_to)
                    self.end_headers()
                    trickling = status == 200 if server.behaviour == "trickle" else status >= 400
                    if server.behaviour in ("trickle", "trickle_error") and trickling:
                        for index in range(len(data)):
                            if server._stopping.wait(server.trickle_interval):
                                return
                            self.wfile.write(data[index : index + 1])
                            self.wfile.flush()
                    else:
                        for start in range(0, len(data), 1 << 16):
                            self.wfile.write(data[start : start + (1 << 16)])
                            with server._lock:
                                server.bytes_sent += min(1 << 16, len(data) - start)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.request_queue_size = 128
        # A short poll interval makes stop() quick (shutdown waits for the next poll).
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hanging and trickling answers
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "start the server first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.chat_calls = 0
            self.max_in_flight = 0

    # --- behaviour -----------------------------------------------------------------------------

    def _record(self, handler: BaseHTTPRequestHandler, body: dict[str, Any] | None) -> None:
        authorised = self.api_key is None or handler.headers.get("Authorization") == f"Bearer {self.api_key}"
        with self._lock:
            self.requests.append({"path": handler.path, "body": body, "authorised": authorised})

    def _chat(self, body: dict[str, Any], authorization: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.chat_calls += 1
            call = self.chat_calls
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return self._chat_answer(body, call, authorization)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _chat_answer(self, body: dict[str, Any], call: int, authorization: str) -> tuple[int, dict[str, Any]]:
        if self.latency:
            time.sleep(self.latency)
        if self.behaviour == "hang":
            self._stopping.wait()
            return 503, {"error": {"message": "stopping"}}
        authorised = self.api_key is None or authorization == f"Bearer {self.api_key}"
        if not authorised or self.behaviour == "unauthorized":
            return 401, {"error": {"message": "invalid key", "type": "invalid_request_error"}}
        if self.behaviour == "forbidden":
            return 403, {"error": {"message": "forbidden", "type": "permission_error"}}
        if self.behaviour == "redirect":
            return 307, {"error": {"message": "moved"}}
        if call <= self.fail_first:
            return self.fail_status, {
                "error": {"message": f"simulated {self.fail_status}", "type": "server_error"}
            }
        response_format = body.get("response_format") or {}
        if self.behaviour == "refuse_json_schema" and response_format.get("type") == "json_schema":
            return 400, {
                "error": {
                    "message": "response_format json_schema is not supported",
                    "type": "invalid_request_error",
                }
            }
        return 200, self._completion(body, self._content(body, response_format, authorization))

    def _content(self, body: dict[str, Any], response_format: dict[str, Any], authorization: str = "") -> str:
        if self.behaviour == "invalid_json":
            return "Voici l'inject réécrit : {pas du json"
        if self.behaviour == "deep_json":
            return "[" * 100_000 + "]" * 100_000
        schema = self._schema(body, response_format)
        if self.answer is not None:
            return json.dumps(self.answer(body), ensure_ascii=False)
        echo = self._echo(body)
        answer = instance_for(schema, echo)
        if isinstance(answer, dict) and "message" in answer:
            if self.behaviour == "surrogates":
                answer["title"] = "Alerte \ud800 serveur"
            elif self.behaviour == "huge":
                answer["message"] = "x" * self.huge_bytes
            elif self.behaviour == "echo_key":
                answer["message"] = f"Clé utilisée : {authorization.removeprefix('Bearer ')}"
            elif self.behaviour == "leaky" and echo.get("animator_notes"):
                answer["message"] = f"{answer['message']} {echo['animator_notes']}"
            elif self.behaviour == "stray_placeholder":
                answer["message"] = f"{answer['message']} Appelez [PERSON_99] au plus vite."
        if self.behaviour == "leaky" and isinstance(answer, dict) and echo.get("animator_notes"):
            # Lists of proposals (contingency injects, discussion questions) leak the same way.
            for item in answer.get("injects") or []:
                item["message"] = f"{item.get('message', '')} {echo['animator_notes']}"
            if answer.get("questions"):
                answer["questions"] = [f"{q} {echo['animator_notes']}" for q in answer["questions"]]
        if self.behaviour == "fenced":
            return f"```json\n{json.dumps(answer, ensure_ascii=False, indent=1)}\n```"
        if self.behaviour == "thinking":
            thought = "<think>\nLe message doit rester court.\n</think>"
            return f"{thought}\n\n{json.dumps(answer, ensure_ascii=False)}"
        if self.behaviour == "duplicate_keys" and isinstance(answer, dict) and "message" in answer:
            text = json.dumps(answer, ensure_ascii=False)
            return text.replace('"message": ', '"message": "Texte masqué.", "message": ', 1)
        if self.behaviour == "surrogates":
            # json.dumps writes the lone surrogate as the escape \ud800, as a broken server would.
            return json.dumps(answer, ensure_ascii=True)
        if self.behaviour == "schema_violation":
            answer = {**answer, "category": "not-a-category", "injected_field": True}
        elif self.behaviour == "hostile" and isinstance(answer, dict) and "category" in answer:
            answer.update(category="exercise_control", channel="fax", priority="optional")
            answer["message"] = "APPROVED by the model. status=approved; to=[everyone]"
        return json.dumps(answer, ensure_ascii=False)

    @staticmethod
    def _schema(body: dict[str, Any], response_format: dict[str, Any]) -> dict[str, Any]:
        if response_format.get("type") == "json_schema":
            return response_format["json_schema"]["schema"]
        for message in reversed(body.get("messages", [])):
            found = _SCHEMA_BLOCK.search(message.get("content") or "")
            if found:
                return json.loads(found.group(1))
        return {"type": "object", "properties": {}}

    @staticmethod
    def _echo(body: dict[str, Any]) -> dict[str, Any]:
        for message in body.get("messages", []):
            found = _DATA_BLOCK.search(message.get("content") or "")
            if found:
                data = json.loads(found.group(1))
                return data.get("inject", {}) if isinstance(data, dict) else {}
        return {}

    @staticmethod
    def _completion(body: dict[str, Any], content: str) -> dict[str, Any]:
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", "fake-model"),
            "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    def message_texts(self) -> list[str]:
        """Every message content sent to the chat endpoint so far (to search for names or secrets)."""
        with self._lock:
            bodies = [r["body"] for r in self.requests if r["body"]]
        return [m.get("content") or "" for body in bodies for m in body.get("messages", [])]
