"""A scripted OpenAI-compatible server on 127.0.0.1, so backend tests are deterministic and offline.

Each POST /v1/chat/completions consumes the next entry of the script:

- a list of texts (``None`` for a null content): that many choices, whatever ``n`` asked for,
  with usage of PROMPT_TOKENS and COMPLETION_TOKENS per choice; ``[]`` gives empty choices;
- ``Reply(texts, usage=False)``: the same without a usage object;
- ``Status(503, retry_after="2")``: an HTTP error with an OpenAI-style error body;
- ``Delay(seconds, then)``: wait, then answer with ``then`` (to trip a client timeout);
- ``Malformed(body)``: a 200 whose body is the given text (by default, not JSON; or JSON nested
  too deeply to parse);
- ``Raw(body)``: a 200 with any JSON body, for shapes the others do not cover (absurd usage
  counts; ``"\\ud800"`` escapes, which decode to lone surrogates);
- ``Trickle(interval, then)``: ``then``'s answer one byte every ``interval`` seconds, from the
  status line on (``headers=True``) or from the body on;
- ``Gzip(data, status)``: ``data`` (from ``gzip_bomb``) sent as a gzip-encoded JSON body.

When the script runs out the server answers with ``default_text`` (n choices of it) or, when
that is None, with a 500. Every request is counted and every JSON body recorded.
"""

from __future__ import annotations

import json
import threading
import zlib
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

PROMPT_TOKENS = 11
COMPLETION_TOKENS = 7
"""Per choice."""


@dataclass(frozen=True)
class Reply:
    texts: list[str | None]
    usage: bool = True


@dataclass(frozen=True)
class Status:
    code: int
    retry_after: str | None = None
    message: str = "scripted error"


@dataclass(frozen=True)
class Delay:
    seconds: float
    then: Response = field(default_factory=lambda: ["late"])


@dataclass(frozen=True)
class Malformed:
    body: str = "<html>this is not JSON</html>"


@dataclass(frozen=True)
class Raw:
    body: Any


@dataclass(frozen=True)
class Trickle:
    interval: float
    then: Response = field(default_factory=lambda: ["slow"])
    headers: bool = False


@dataclass(frozen=True)
class Gzip:
    data: bytes
    status: int = 200


Response = list[str | None] | list[str] | Reply | Status | Delay | Malformed | Raw | Trickle | Gzip


def gzip_bomb(size: int) -> bytes:
    """A gzip stream of a JSON completion whose one answer is `size` spaces: it inflates about a
    thousandfold, and is built a MiB at a time so that making it costs no more memory than that."""
    packer = zlib.compressobj(wbits=zlib.MAX_WBITS | 16)
    parts = [packer.compress(b'{"choices": [{"message": {"content": "')]
    for start in range(0, size, 2**20):
        parts.append(packer.compress(b" " * min(2**20, size - start)))
    parts.append(packer.compress(b'"}}]}') + packer.flush())
    return b"".join(parts)


class FakeLLMServer:
    """The server, its script and its record of requests. Use as a context manager."""

    def __init__(
        self,
        script: list[Response] | None = None,
        *,
        default_text: str | None = None,
        model: str = "fake-model",
    ) -> None:
        self.default_text = default_text
        self.model = model
        self.bodies: list[Any] = []
        """The decoded JSON body of every chat request, in arrival order."""
        self.paths: list[str] = []
        """"METHOD /path" of every request of any kind."""
        self._script: deque[Response] = deque(script or [])
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        # A short poll interval so that shutdown, once per test, takes milliseconds, not 0.5 s.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._started = False

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.paths)

    def queue(self, *responses: Response) -> None:
        """Append responses to the script."""
        with self._lock:
            self._script.extend(responses)

    @property
    def remaining(self) -> int:
        """Script entries not yet consumed."""
        with self._lock:
            return len(self._script)

    def start(self) -> FakeLLMServer:
        if not self._started:
            self._started = True
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # wakes handlers sleeping in a Delay
        if self._started:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _next(self, path: str, body: Any) -> Response | None:
        with self._lock:
            self.paths.append(path)
            if path.startswith("POST"):
                self.bodies.append(body)
            return self._script.popleft() if self._script else None


def _handler(server: FakeLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def do_GET(self) -> None:
            server._next(f"GET {self.path}", None)
            if self.path.rstrip("/") == "/v1/models":
                data = [{"id": server.model, "object": "model", "owned_by": "fake"}]
                self._send(200, {"object": "list", "data": data})
            else:
                self._send(404, _error("not found"))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            response = server._next(f"POST {self.path}", body)
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, _error("not found"))
                return
            n = body.get("n", 1) if isinstance(body, dict) else 1
            model = body.get("model", server.model) if isinstance(body, dict) else server.model
            if response is None:
                if server.default_text is None:
                    self._send(500, _error("the fake server's script is exhausted"))
                else:
                    self._send(200, _completion([server.default_text] * n, model, usage=True))
                return
            self._answer(response, model)

        def _answer(self, response: Response, model: str) -> None:
            if isinstance(response, Delay):
                if server._stop.wait(response.seconds):
                    return
                self._answer(response.then, model)
            elif isinstance(response, list):
                self._send(200, _completion(list(response), model, usage=True))
            elif isinstance(response, Reply):
                self._send(200, _completion(response.texts, model, usage=response.usage))
            elif isinstance(response, Status):
                headers = (
                    {} if response.retry_after is None else {"Retry-After": response.retry_after}
                )
                self._send(response.code, _error(response.message), headers)
            elif isinstance(response, Malformed):
                self._send_bytes(200, response.body.encode(), "text/html", {})
            elif isinstance(response, Trickle):
                self._trickle(response, model)
            elif isinstance(response, Gzip):
                encoding = {"Content-Encoding": "gzip"}
                self._send_bytes(response.status, response.data, "application/json", encoding)
            else:
                self._send(200, response.body)

        def _trickle(self, response: Trickle, model: str) -> None:
            assert isinstance(response.then, list), "a trickle sends a plain completion"
            body = json.dumps(_completion(list(response.then), model, usage=True)).encode()
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            data = head + body
            at_once = 0 if response.headers else len(head)
            try:
                self.wfile.write(data[:at_once])
                self.wfile.flush()
                for i in range(at_once, len(data)):
                    if server._stop.wait(response.interval):
                        return
                    self.wfile.write(data[i : i + 1])
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should
            self.close_connection = True

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self._send_bytes(status, data, "application/json", headers or {})

        def _send_bytes(
            self, status: int, data: bytes, content_type: str, headers: dict[str, str]
        ) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout or size test): nothing to answer

    return Handler


def _completion(texts: list[str | None], model: str, *, usage: bool) -> dict[str, Any]:
    choices = [
        {
            "index": i,
            "message": {"role": "assistant", "content": text},
            "finish_reason": "stop",
        }
        for i, text in enumerate(texts)
    ]
    body: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": choices,
    }
    if usage:
        body["usage"] = {
            "prompt_tokens": PROMPT_TOKENS,
            "completion_tokens": COMPLETION_TOKENS * len(texts),
            "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS * len(texts),
        }
    return body


def _error(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "fake_error", "code": None}}
