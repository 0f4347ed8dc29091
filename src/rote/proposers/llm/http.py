"""A backend for any OpenAI-compatible chat server: OpenAI itself, vLLM, llama.cpp's server, Ollama.

The official `openai` client does the HTTP; retries are our own (the client's are switched off)
so that every failure ends in one LLMError line that names the server, the model and what went
wrong, and so tests can inject `sleep` instead of waiting for backoff.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import openai

from rote.proposers.llm.base import Backend, Completion, LLMError, Message, Sampling

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
    ) -> None:
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
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0
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

    def _one_line(self, text: str, limit: int = 200) -> str:
        """A server's words fit for an LLMError: one line, short, and never echoing the key."""
        if self._api_key:
            text = text.replace(self._api_key, "***")
        text = " ".join(text.split())
        return text if len(text) <= limit else text[: limit - 3] + "..."


def _choice_texts(body: dict[str, Any]) -> list[str]:
    """Each choice's message content; a missing or null one (or one not text) is ""."""
    texts = []
    for choice in body["choices"]:
        message = choice.get("message") if isinstance(choice, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        texts.append(content if isinstance(content, str) else "")
    return texts


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


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
