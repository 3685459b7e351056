"""A real OpenAI-compatible (and minimal Ollama-native) HTTP server on 127.0.0.1 for tests.

Endpoints: ``POST /v1/chat/completions`` (JSON, or SSE when ``stream`` is true),
``GET /v1/models``, ``POST /api/chat`` (Ollama NDJSON) and ``GET /api/tags``.
Replies are scripted per test: queue ``Reply`` objects (or plain strings), or set a
``responder`` that picks a reply from the request. Every request body is recorded.

    with FakeLLMServer() as server:
        server.enqueue("Đoàn kiểm tra đã kiểm tra 04 đảng ủy cơ sở [1].")
        model = ChatOpenAI(base_url=server.openai_url, api_key="x", model="fake", max_retries=0)
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer: its text, or an HTTP error status, with optional slowness."""

    text: str = ""
    status: int = 200
    delay_s: float = 0.0  # before the first byte
    chunk_delay_s: float = 0.0  # between streamed chunks
    chunks: list[str] | None = None  # how to split the text when streaming (default: by word)
    error_message: str = "internal error at http://127.0.0.1/secret-path"  # must never reach a user


Responder = Callable[[dict[str, Any]], "Reply | str"]


@dataclass
class RecordedRequest:
    """What a client sent: path, parsed JSON body and headers (lower-case names)."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))


class FakeLLMServer:
    """Thread-backed HTTP server on an ephemeral 127.0.0.1 port; use as a context manager."""

    def __init__(self, *, model: str = "fake-model", default: Reply | str = "") -> None:
        self.model = model
        self.default: Reply | str = default
        self.responder: Responder | None = None
        self.requests: list[RecordedRequest] = []
        self._queue: deque[Reply | str] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting -------------------------------------------------------------------------
    def enqueue(self, *replies: Reply | str) -> None:
        """Replies served in order, one per chat request, before ``responder``/``default``."""
        with self._lock:
            self._queue.extend(replies)

    def next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            item = self._queue.popleft() if self._queue else None
        if item is None:
            item = self.responder(body) if self.responder else self.default
        return Reply(text=item) if isinstance(item, str) else item

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path in ("/v1/chat/completions", "/api/chat")]

    @property
    def last_request(self) -> RecordedRequest:
        return self.chat_requests[-1]

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def openai_url(self) -> str:
        """Base URL for ChatOpenAI (ends in /v1)."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def ollama_url(self) -> str:
        """Base URL for ChatOllama."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeLLMServer:
        server = self

        class Handler(_Handler):
            fake = server

        self._stopping.clear()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-llm", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in an artificial delay
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def sleep(self, seconds: float) -> bool:
        """Sleep unless the server is stopping; True when interrupted."""
        return seconds > 0 and self._stopping.wait(seconds)

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def fake_llm_server(**kwargs: Any) -> Iterator[FakeLLMServer]:
    """Generator for a pytest fixture: ``yield from fake_llm_server()``."""
    with FakeLLMServer(**kwargs) as server:
        yield server


class _Handler(BaseHTTPRequestHandler):
    fake: FakeLLMServer
    protocol_version = "HTTP/1.0"  # one request per connection: no keep-alive bookkeeping

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
        pass

    # -- routing ---------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802
        self._record({})
        if self.path == "/v1/models":
            model = {"id": self.fake.model, "object": "model", "owned_by": "fake"}
            self._json(200, {"object": "list", "data": [model]})
        elif self.path == "/api/tags":
            self._json(200, {"models": [{"name": self.fake.model, "model": self.fake.model}]})
        else:
            self._json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._json(400, {"error": {"message": "invalid JSON"}})
            return
        self._record(body)
        if self.path == "/v1/chat/completions":
            self._openai_chat(body)
        elif self.path == "/api/chat":
            self._ollama_chat(body)
        else:
            self._json(404, {"error": {"message": "not found"}})

    def _record(self, body: dict[str, Any]) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.fake.requests.append(RecordedRequest(self.path, body, headers))

    # -- OpenAI ----------------------------------------------------------------------------
    def _openai_chat(self, body: dict[str, Any]) -> None:
        reply = self.fake.next_reply(body)
        if self.fake.sleep(reply.delay_s):
            return
        if reply.status != 200:
            error = {"message": reply.error_message, "type": "server_error", "code": None}
            self._json(reply.status, {"error": error})
            return
        created = int(time.time())
        base = {"id": "chatcmpl-fake", "created": created, "model": body.get("model", self.fake.model)}
        if not body.get("stream"):
            choice = {"index": 0, "message": {"role": "assistant", "content": reply.text}, "finish_reason": "stop"}
            usage = {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}
            self._json(200, {**base, "object": "chat.completion", "choices": [choice], "usage": usage})
            return
        self._start_stream("text/event-stream")
        chunk = {**base, "object": "chat.completion.chunk"}
        first = {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
        if not self._send_sse({**chunk, "choices": [first]}):
            return
        for piece in _pieces(reply):
            if self.fake.sleep(reply.chunk_delay_s):
                return
            delta = {"index": 0, "delta": {"content": piece}, "finish_reason": None}
            if not self._send_sse({**chunk, "choices": [delta]}):
                return
        last = {"index": 0, "delta": {}, "finish_reason": "stop"}
        self._send_sse({**chunk, "choices": [last]})
        if (body.get("stream_options") or {}).get("include_usage"):
            usage = {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}
            self._send_sse({**chunk, "choices": [], "usage": usage})
        self._write(b"data: [DONE]\n\n")

    def _send_sse(self, payload: dict[str, Any]) -> bool:
        return self._write(f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode())

    # -- Ollama ----------------------------------------------------------------------------
    def _ollama_chat(self, body: dict[str, Any]) -> None:
        reply = self.fake.next_reply(body)
        if self.fake.sleep(reply.delay_s):
            return
        if reply.status != 200:
            self._json(reply.status, {"error": reply.error_message})
            return
        model = body.get("model", self.fake.model)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        done = {
            "model": model,
            "created_at": stamp,
            "done": True,
            "done_reason": "stop",
            "total_duration": 1,
            "load_duration": 1,
            "prompt_eval_count": 10,
            "prompt_eval_duration": 1,
            "eval_count": 10,
            "eval_duration": 1,
        }
        if body.get("stream") is False:
            self._json(200, {**done, "message": {"role": "assistant", "content": reply.text}})
            return
        self._start_stream("application/x-ndjson")
        for piece in _pieces(reply):
            if self.fake.sleep(reply.chunk_delay_s):
                return
            message = {"role": "assistant", "content": piece}
            line = {"model": model, "created_at": stamp, "message": message, "done": False}
            if not self._write((json.dumps(line, ensure_ascii=False) + "\n").encode()):
                return
        self._write((json.dumps({**done, "message": {"role": "assistant", "content": ""}}) + "\n").encode())

    # -- plumbing --------------------------------------------------------------------------
    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (timeout test)

    def _start_stream(self, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()

    def _write(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            self.wfile.flush()
            return True
        except OSError:
            return False


def _pieces(reply: Reply) -> list[str]:
    if reply.chunks is not None:
        return reply.chunks
    words = reply.text.split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)] if reply.text else []


FakeOpenAIServer = FakeLLMServer  # the name the tests of other modules may look for
