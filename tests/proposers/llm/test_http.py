"""OpenAIBackend against a scripted OpenAI-compatible server: requests, retries, errors, usage."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from rote.proposers.llm.base import LLMError, Message, Sampling
from rote.proposers.llm.http import OpenAIBackend
from tests.proposers.llm.fake_server import (
    COMPLETION_TOKENS,
    PROMPT_TOKENS,
    Delay,
    FakeLLMServer,
    Malformed,
    Raw,
    Reply,
    Status,
)

MESSAGES: list[Message] = [
    {"role": "system", "content": "You write programs."},
    {"role": "user", "content": "Explain this agent."},
]
KEY = "sk-secret-key-123"


class Sleeps:
    """A stand-in for time.sleep that records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def backend(fake_llm: FakeLLMServer, sleeps: Sleeps) -> Iterator[OpenAIBackend]:
    llm = OpenAIBackend(fake_llm.base_url, "m", api_key=KEY, timeout=5.0, sleep=sleeps)
    yield llm
    llm.close()


def make(url: str, sleeps: Sleeps, **kwargs: Any) -> OpenAIBackend:
    return OpenAIBackend(url, "m", api_key=KEY, sleep=sleeps, **kwargs)


def assert_one_line(error: pytest.ExceptionInfo[LLMError]) -> str:
    text = str(error.value)
    assert "\n" not in text and text.strip() == text and text
    assert KEY not in text
    return text


def test_n_texts_in_order_and_the_request_carries_everything(
    backend: OpenAIBackend, fake_llm: FakeLLMServer
) -> None:
    fake_llm.queue(["a", "b", "c"])
    sampling = Sampling(temperature=0.7, top_p=0.9, max_tokens=123, seed=42)
    result = backend.complete(MESSAGES, 3, sampling)
    assert result.texts == ["a", "b", "c"]
    assert fake_llm.request_count == 1
    [body] = fake_llm.bodies
    assert body["model"] == "m"
    assert body["messages"] == MESSAGES
    assert body["n"] == 3
    assert body["temperature"] == 0.7
    assert body["top_p"] == 0.9
    assert body["max_tokens"] == 123
    assert body["seed"] == 42
    assert fake_llm.paths == ["POST /v1/chat/completions"]


def test_no_seed_is_not_sent(backend: OpenAIBackend, fake_llm: FakeLLMServer) -> None:
    fake_llm.queue(["a"])
    backend.complete(MESSAGES, 1, Sampling(seed=None))
    assert "seed" not in fake_llm.bodies[0]


def test_fewer_choices_than_n_are_asked_for_again(
    backend: OpenAIBackend, fake_llm: FakeLLMServer, sleeps: Sleeps
) -> None:
    fake_llm.queue(["a"], [], ["b", "c"], ["d"])
    result = backend.complete(MESSAGES, 4, Sampling(seed=10))
    assert result.texts == ["a", "b", "c", "d"]
    assert [body["n"] for body in fake_llm.bodies] == [4, 3, 3, 1]
    # A server honouring seeds must not replay the samples already in hand.
    assert [body["seed"] for body in fake_llm.bodies] == [10, 11, 11, 13]
    assert sleeps.delays == []


def test_extra_choices_are_dropped(backend: OpenAIBackend, fake_llm: FakeLLMServer) -> None:
    fake_llm.queue(["a", "b", "c"])
    assert backend.complete(MESSAGES, 2, Sampling()).texts == ["a", "b"]


def test_a_server_that_never_answers_enough_gets_n_requests_then_empty_texts(
    backend: OpenAIBackend, fake_llm: FakeLLMServer
) -> None:
    fake_llm.queue([], [], [], ["x"])
    result = backend.complete(MESSAGES, 3, Sampling())
    assert result.texts == ["", "", ""]
    assert fake_llm.request_count == 3


def test_n_zero_makes_no_request(backend: OpenAIBackend, fake_llm: FakeLLMServer) -> None:
    assert backend.complete(MESSAGES, 0, Sampling()).texts == []
    assert fake_llm.request_count == 0


def test_null_or_missing_content_becomes_empty(
    backend: OpenAIBackend, fake_llm: FakeLLMServer
) -> None:
    fake_llm.queue(
        ["a", None],
        Raw({"choices": [{"index": 0}, {"message": {"role": "assistant"}}, {"message": 3}]}),
    )
    assert backend.complete(MESSAGES, 5, Sampling()).texts == ["a", "", "", "", ""]


def test_usage_sums_over_requests(backend: OpenAIBackend, fake_llm: FakeLLMServer) -> None:
    fake_llm.queue(["a"], Reply(["b"], usage=False), ["c", "d"])
    result = backend.complete(MESSAGES, 4, Sampling())
    assert result.texts == ["a", "b", "c", "d"]
    assert result.prompt_tokens == 2 * PROMPT_TOKENS
    assert result.completion_tokens == 3 * COMPLETION_TOKENS


def test_no_usage_counts_zero(backend: OpenAIBackend, fake_llm: FakeLLMServer) -> None:
    fake_llm.queue(Reply(["a"], usage=False))
    result = backend.complete(MESSAGES, 1, Sampling())
    assert (result.prompt_tokens, result.completion_tokens) == (0, 0)


@pytest.mark.parametrize(
    "failure", [Status(429), Status(500), Status(503), Malformed(), Raw({"id": "no choices"})]
)
def test_transient_failures_are_retried_with_exponential_backoff(
    fake_llm: FakeLLMServer, sleeps: Sleeps, failure: Any
) -> None:
    fake_llm.queue(failure, failure, failure, ["ok"])
    with make(fake_llm.base_url, sleeps, retries=3, backoff=0.5) as llm:
        assert llm.complete(MESSAGES, 1, Sampling()).texts == ["ok"]
    assert fake_llm.request_count == 4
    assert sleeps.delays == [0.5, 1.0, 2.0]


def test_backoff_is_capped(fake_llm: FakeLLMServer, sleeps: Sleeps) -> None:
    fake_llm.queue(*[Status(503)] * 6, ["ok"])
    with make(fake_llm.base_url, sleeps, retries=6, backoff=4.0) as llm:
        llm.complete(MESSAGES, 1, Sampling())
    assert sleeps.delays == [4.0, 8.0, 16.0, 30.0, 30.0, 30.0]


def test_retry_after_is_honoured_and_capped(fake_llm: FakeLLMServer, sleeps: Sleeps) -> None:
    fake_llm.queue(
        Status(429, retry_after="3"),
        Status(503, retry_after="1000"),
        Status(429, retry_after="Wed, 21 Oct 2015 07:28:00 GMT"),
        ["ok"],
    )
    with make(fake_llm.base_url, sleeps, retries=3, backoff=1.0) as llm:
        assert llm.complete(MESSAGES, 1, Sampling()).texts == ["ok"]
    assert sleeps.delays == [3.0, 30.0, 4.0]


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (Status(503), "HTTP 503"),
        (Status(429), "HTTP 429"),
        (Malformed(), "malformed response"),
    ],
)
def test_exhausted_retries_give_one_line_naming_the_server(
    fake_llm: FakeLLMServer, sleeps: Sleeps, failure: Any, reason: str
) -> None:
    fake_llm.queue(*[failure] * 4)
    with make(fake_llm.base_url, sleeps, retries=3) as llm, pytest.raises(LLMError) as error:
        llm.complete(MESSAGES, 1, Sampling())
    text = assert_one_line(error)
    assert fake_llm.base_url in text and "(model m)" in text
    assert reason in text and text.endswith("after 4 attempts")
    assert fake_llm.request_count == 4
    assert len(sleeps.delays) == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_not_retried(
    fake_llm: FakeLLMServer, sleeps: Sleeps, status: int
) -> None:
    fake_llm.queue(Status(status, message=f"bad things\nsaid with {KEY}"), ["never"])
    with make(fake_llm.base_url, sleeps) as llm, pytest.raises(LLMError) as error:
        llm.complete(MESSAGES, 1, Sampling())
    text = assert_one_line(error)
    assert f"HTTP {status}" in text and fake_llm.base_url in text
    assert "bad things said with ***" in text
    assert fake_llm.request_count == 1
    assert sleeps.delays == []


def test_a_timeout_is_retried_then_succeeds(fake_llm: FakeLLMServer, sleeps: Sleeps) -> None:
    fake_llm.queue(Delay(2.0), ["ok"])
    with make(fake_llm.base_url, sleeps, timeout=0.3, retries=2) as llm:
        assert llm.complete(MESSAGES, 1, Sampling()).texts == ["ok"]
    assert fake_llm.request_count == 2
    assert sleeps.delays == [1.0]


def test_a_timeout_is_reported(fake_llm: FakeLLMServer, sleeps: Sleeps) -> None:
    fake_llm.queue(Delay(2.0), Delay(2.0))
    with (
        make(fake_llm.base_url, sleeps, timeout=0.3, retries=1) as llm,
        pytest.raises(LLMError) as error,
    ):
        llm.complete(MESSAGES, 1, Sampling())
    text = assert_one_line(error)
    assert (
        text
        == f"cannot reach the LLM server at {fake_llm.base_url}: timed out after 0.3 s (2 attempts)"
    )
    assert fake_llm.request_count == 2


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_a_closed_port_cannot_be_reached(sleeps: Sleeps) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    with make(url, sleeps, retries=3) as llm, pytest.raises(LLMError) as error:
        llm.complete(MESSAGES, 1, Sampling())
    text = assert_one_line(error)
    assert text == f"cannot reach the LLM server at {url}: connection refused after 4 attempts"
    assert sleeps.delays == [1.0, 2.0, 4.0]


def test_zero_retries_means_one_attempt(fake_llm: FakeLLMServer, sleeps: Sleeps) -> None:
    fake_llm.queue(Status(500), ["ok"])
    with make(fake_llm.base_url, sleeps, retries=0) as llm, pytest.raises(LLMError) as error:
        llm.complete(MESSAGES, 1, Sampling())
    assert str(error.value).endswith(": HTTP 500 Internal Server Error after 1 attempt")
    assert fake_llm.request_count == 1 and sleeps.delays == []


def test_describe_names_the_server_but_never_the_key(fake_llm: FakeLLMServer) -> None:
    with make(fake_llm.base_url, Sleeps()) as llm:
        assert llm.describe() == {
            "backend": "OpenAIBackend",
            "model": "m",
            "base_url": fake_llm.base_url,
        }
        assert KEY not in repr(llm.describe())
    assert fake_llm.request_count == 0


def test_credentials_in_the_url_are_not_repeated(sleeps: Sleeps) -> None:
    url = f"http://user:{KEY}@127.0.0.1:{closed_port()}/v1"
    with make(url, sleeps, retries=0) as llm:
        assert KEY not in repr(llm.describe())
        with pytest.raises(LLMError) as error:
            llm.complete(MESSAGES, 1, Sampling())
    assert_one_line(error)


def test_the_fake_server_lists_its_model(fake_llm: FakeLLMServer) -> None:
    with urllib.request.urlopen(f"{fake_llm.base_url}/models", timeout=5) as response:
        listing = json.load(response)
    assert listing["data"][0]["id"] == "fake-model"
    assert fake_llm.paths == ["GET /v1/models"]
