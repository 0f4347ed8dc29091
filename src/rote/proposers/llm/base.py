"""The one interface every LLM backend implements: `complete(messages, n, sampling)`.

A backend turns chat messages into n sampled completions and reports the tokens they cost. The
proposer, the cache and the accounting only ever see this interface, so an OpenAI-compatible
server, an embedded llama.cpp model and a test's scripted server are interchangeable.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple, TypedDict

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
