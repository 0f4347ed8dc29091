"""A backend for any OpenAI-compatible chat server: OpenAI itself, vLLM, llama.cpp's server, Ollama.

The official `openai` client does the HTTP; retries are our own (the client's are switched off)
so that every failure ends in one LLMError line that names the server, the model and what went
wrong, and so tests can inject `sleep` instead of waiting for backoff. What a server sends is
bounded: each attempt has a total deadline, a body has a size cap (after decompression), and
the JSON's nesting, usage counts and text are checked before anything is kept.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, wait
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx2
import openai

from rote.proposers.llm.base import (
    Backend,
    Completion,
    LLMError,
    Message,
    Sampling,
    is_token_count,
    one_line,
    replace_surrogates,
)

MAX_RESPONSE_BYTES = 16 * 2**20
"""The largest response body read, decompressed (16 MiB). An honest one holds n answers of at
most max_tokens tokens each: 100 answers of 8,000 tokens are about 4 MB."""

MAX_DELAY = 30.0
"""No wait between attempts, from backoff or from a server's Retry-After, is longer (seconds)."""

RETRYABLE_4XX = frozenset({408, 429})
"""Client errors that mean "try again later" (408 is the server's own timeout); any other 4xx
is our request's fault and retrying cannot help."""


class _RetryableError(Exception):
    """One failed attempt worth repeating; `reason` completes the final LLMError's sentence."""

    def __init__(self, reason: str, *, unreachable: bool = False, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.unreachable = unreachable
        self.retry_after = retry_after


class _BoundedClient(openai.DefaultHttpxClient):
    """openai's default HTTP client (its limits, redirects and proxy settings), made to read
    every response whole within a total deadline and a size cap.

    httpx's timeouts bound each socket operation, not the request, so a server that trickles a
    byte a second, in its headers or its body, would never be cut off. So each exchange runs in
    a worker thread that the caller waits for `deadline` seconds at most; an abandoned worker
    stops itself at its next chunk past the deadline, or at the per-read timeout (openai's
    `timeout`, the same number) when nothing more arrives. The body is read here rather than
    by openai so that error bodies are bounded too, and it is counted as httpx inflates it,
    1 MiB at a time: a gzip bomb stops at the cap.
    """

    def __init__(self, deadline: float, max_bytes: int) -> None:
        super().__init__()
        self.deadline = deadline
        self.max_bytes = max_bytes

    def send(
        self, request: httpx2.Request, *, stream: bool = False, **kwargs: Any
    ) -> httpx2.Response:
        """The response, read whole (even when `stream` asks otherwise); a deadline passed is an
        httpx timeout, as openai expects, and a body over the cap a _RetryableError."""
        deadline = time.monotonic() + self.deadline
        result: Future[httpx2.Response] = Future()

        def exchange() -> None:
            try:
                result.set_result(self._read_whole(request, deadline, kwargs))
            except BaseException as error:  # handed to the waiting thread, which re-raises it
                result.set_exception(error)

        threading.Thread(target=exchange, name="rote-llm-request", daemon=True).start()
        if not wait([result], timeout=self.deadline).done:
            raise httpx2.TimeoutException(
                f"no whole response within {self.deadline:g} s", request=request
            )
        return result.result()

    def _read_whole(
        self, request: httpx2.Request, deadline: float, kwargs: dict[str, Any]
    ) -> httpx2.Response:
        response = super().send(request, stream=True, **kwargs)
        body = bytearray()
        try:
            for chunk in response.iter_bytes():
                if len(body) + len(chunk) > self.max_bytes:
                    raise _RetryableError(f"response body over {self.max_bytes / 2**20:g} MiB")
                if time.monotonic() > deadline:
                    raise httpx2.TimeoutException("past the deadline", request=request)
                body += chunk
        finally:
            response.close()
        # The body is decoded now, so its encoding and length headers no longer describe it.
        stale = {b"content-encoding", b"content-length", b"transfer-encoding"}
        headers = [
            (name, value) for name, value in response.headers.raw if name.lower() not in stale
        ]
        return httpx2.Response(
            response.status_code,
            headers=headers,
            content=bytes(body),
            request=request,
            extensions=response.extensions,
        )


class OpenAIBackend(Backend):
    """Chat completions from an OpenAI-compatible server at `base_url` (ending in "/v1")."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        max_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        """`timeout` is each attempt's total deadline, from connecting to the body's last byte."""
        if retries < 0:
            raise ValueError(f"retries must be >= 0, not {retries}")
        self.model = model
        self.base_url = base_url
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._api_key = api_key
        # Local servers ignore the key but the client insists on one.
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",
            timeout=timeout,
            max_retries=0,
            http_client=_BoundedClient(timeout, max_bytes),
        )

    def complete(self, messages: Sequence[Message], n: int, sampling: Sampling) -> Completion:
        """n samples, asking again for the rest when a server (llama.cpp's) returns fewer choices
        than asked; after n requests any still missing are "" rather than an endless loop."""
        texts: list[str] = []
        prompt_tokens = completion_tokens = 0
        for _ in range(max(n, 0)):
            if len(texts) >= n:
                break
            # A follow-up request with the same seed would replay the same sample on a server that
            # honours seeds, so each one gets the seed shifted by the samples already in hand.
            seed = None if sampling.seed is None else sampling.seed + len(texts)
            body = self._request(messages, n - len(texts), sampling, seed)
            texts.extend(_choice_texts(body)[: n - len(texts)])
            usage = body.get("usage")
            if isinstance(usage, dict):
                prompt_tokens += _count(usage.get("prompt_tokens"))
                completion_tokens += _count(usage.get("completion_tokens"))
        texts.extend([""] * (n - len(texts)))
        return Completion(texts, prompt_tokens, completion_tokens)

    def describe(self) -> dict[str, Any]:
        """The server and model; never the key, nor credentials written into the URL."""
        return {"backend": type(self).__name__, "model": self.model, "base_url": self._url()}

    def close(self) -> None:
        self._client.close()

    def _request(
        self, messages: Sequence[Message], n: int, sampling: Sampling, seed: int | None
    ) -> dict[str, Any]:
        """One request's decoded JSON body, after as many attempts as `retries` allows."""
        options: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m["role"], "content": m["content"]} for m in messages],
            "n": n,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "max_tokens": sampling.max_tokens,
        }
        if seed is not None:
            options["seed"] = seed
        attempts = self.retries + 1
        for attempt in range(attempts):
            try:
                return self._attempt(options)
            except _RetryableError as failure:
                if attempt + 1 == attempts:
                    raise LLMError(self._exhausted(failure, attempts)) from failure
                delay = self.backoff * 2**attempt
                if failure.retry_after is not None:
                    delay = failure.retry_after
                self._sleep(max(0.0, min(delay, MAX_DELAY)))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _attempt(self, options: dict[str, Any]) -> dict[str, Any]:
        """One HTTP request: the body, a _RetryableError, or an LLMError for a refusal."""
        try:
            raw = self._client.chat.completions.with_raw_response.create(**options)
        except openai.APITimeoutError as error:
            raise _RetryableError(
                f"timed out after {self.timeout:g} s", unreachable=True
            ) from error
        except openai.APIConnectionError as error:
            raise _RetryableError(_connection_reason(error), unreachable=True) from error
        except openai.APIStatusError as error:
            status = error.status_code
            if status >= 500 or status in RETRYABLE_4XX:
                retry_after = _retry_after(error.response.headers.get("retry-after"))
                raise _RetryableError(_http(status), retry_after=retry_after) from error
            detail = self._one_line(_error_detail(error))
            raise LLMError(
                f"{self._where()}: {_http(status)}" + (f": {detail}" if detail else "")
            ) from error
        try:
            body = json.loads(raw.text)
        except ValueError as error:
            raise _RetryableError("malformed response (not JSON)") from error
        except RecursionError:
            # json parses nested arrays and objects recursively; a body nested deeper than
            # Python's recursion limit is no completion, whatever it holds.
            raise _RetryableError("malformed response (JSON nested too deeply)") from None
        if not isinstance(body, dict) or not isinstance(body.get("choices"), list):
            raise _RetryableError("malformed response (no choices)")
        return body

    def _exhausted(self, failure: _RetryableError, attempts: int) -> str:
        """The final LLMError's line, worded by the last failure."""
        if failure.unreachable:
            where = f"cannot reach the LLM server at {self._url()}"
        else:
            where = self._where()
        tries = f"{attempts} attempt" + ("" if attempts == 1 else "s")
        if failure.reason.startswith("timed out"):
            return f"{where}: {failure.reason} ({tries})"
        return f"{where}: {failure.reason} after {tries}"

    def _where(self) -> str:
        return f"LLM server {self._url()} (model {self.model})"

    def _url(self) -> str:
        """base_url without any user:password@ part."""
        parts = urlsplit(self.base_url)
        if parts.username is None and parts.password is None:
            return self.base_url
        host = parts.hostname or ""
        netloc = host + (f":{parts.port}" if parts.port is not None else "")
        return urlunsplit(parts._replace(netloc=netloc))

    def _one_line(self, text: str) -> str:
        """A server's words fit for an LLMError, never echoing the key."""
        if self._api_key:
            text = text.replace(self._api_key, "***")
        return one_line(text)


def _choice_texts(body: dict[str, Any]) -> list[str]:
    """Each choice's message content, lone surrogates replaced; a missing or null one (or one
    not text) is ""."""
    texts = []
    for choice in body["choices"]:
        message = choice.get("message") if isinstance(choice, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        texts.append(replace_surrogates(content) if isinstance(content, str) else "")
    return texts


def _count(value: object) -> int:
    """A usage count, or 0 (unknown, as when usage is missing) for anything not a believable
    count: a negative, fractional or absurd number says nothing about the cost, and the answers
    it came with are still good."""
    return value if is_token_count(value) else 0


def _http(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds when it is a number; the HTTP-date form is ignored."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) else None


def _connection_reason(error: openai.APIConnectionError) -> str:
    """ "connection refused" or the transport's own one-line explanation."""
    cause: BaseException | None = error.__cause__ or error.__context__
    text = str(cause) if cause is not None and str(cause) else str(error.message)
    if "refused" in text.lower():
        return "connection refused"
    return " ".join(text.split()) or "connection error"


def _error_detail(error: openai.APIStatusError) -> str:
    """The server's explanation of a refusal: OpenAI's {"error": {"message"}} or the raw text."""
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    try:
        return error.response.text
    except Exception:
        return ""
