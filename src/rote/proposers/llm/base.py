"""The one interface every LLM backend implements: `complete(messages, n, sampling)`.

A backend turns chat messages into n sampled completions and reports the tokens they cost. The
proposer, the cache and the accounting only ever see this interface, so an OpenAI-compatible
server, an embedded llama.cpp model and a test's scripted server are interchangeable.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple, TypedDict, TypeGuard

from rote.closing import Closeable
from rote.errors import RoteError


class Message(TypedDict):
    role: str
    """"system", "user" or "assistant"."""
    content: str


@dataclass(frozen=True)
class Sampling:
    """Every parameter that shapes a sample; all of them are part of a cache key."""

    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int = 2000
    seed: int | None = None
    """Passed to servers that honour it; the cache never relies on it."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Completion(NamedTuple):
    """The texts of n samples, in order, and what they cost."""

    texts: list[str]
    prompt_tokens: int = 0
    completion_tokens: int = 0


MAX_TOKEN_COUNT = 10**9
"""The largest usage count believed: above any context window times any sensible n, and so far
below SQLite's 2**63 that the sum of a request's counts always fits the replay cache."""

_SURROGATE = re.compile("[\ud800-\udfff]")


def is_token_count(value: object) -> TypeGuard[int]:
    """An int (not a bool) in [0, MAX_TOKEN_COUNT]: a usage count that can be believed."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_TOKEN_COUNT


def replace_surrogates(text: str) -> str:
    """Lone surrogates (which JSON's \\ud800 escapes can produce) as U+FFFD: such a str cannot
    be encoded as UTF-8, so it would crash the cache write, a cache key's hash and printing."""
    return _SURROGATE.sub("\ufffd", text)


def one_line(text: str, limit: int = 200) -> str:
    """Words from outside (a server's, SQLite's) fit for an error message: one line, short."""
    text = " ".join(replace_surrogates(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class LLMError(RoteError):
    """A backend that cannot answer: unreachable, refusing, or out of retries. One line, as all
    RoteErrors: it names the server or model and what went wrong."""


class Backend(Closeable):
    """Chat completions from some model; `with backend:` closes it."""

    model: str
    """The model's name, as the server knows it (part of every cache key)."""

    @abstractmethod
    def complete(self, messages: Sequence[Message], n: int, sampling: Sampling) -> Completion:
        """n independent samples for one prompt. An empty or missing sample is returned as ""
        (the proposer treats it as a failed program), so len(texts) == n always."""

    def describe(self) -> dict[str, Any]:
        """What a result file records about this backend: never a secret."""
        return {"backend": type(self).__name__, "model": self.model}

    def close(self) -> None:
        """Release connections or model memory; a closed backend is not used again."""
