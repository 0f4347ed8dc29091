"""OpenAIBackend against a scripted OpenAI-compatible server: requests, retries, errors, usage."""

from __future__ import annotations

import json
import socket
import time
import tracemalloc
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rote.proposers.llm.base import MAX_TOKEN_COUNT, LLMError, Message, Sampling
from rote.proposers.llm.cache import CachedBackend
from rote.proposers.llm.http import MAX_RESPONSE_BYTES, OpenAIBackend
from tests.proposers.llm.fake_server import (
    COMPLETION_TOKENS,
    PROMPT_TOKENS,
    Delay,
    FakeLLMServer,
    Gzip,
    Malformed,
    Raw,
    Reply,
    Status,
    Trickle,
    gzip_bomb,
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


@pytest.mark.parametrize("headers", [False, True])
def test_a_trickling_server_is_cut_off_at_the_deadline(
    fake_llm: FakeLLMServer, sleeps: Sleeps, headers: bool
) -> None:
    # A byte every 50 ms: each read is quick; the answer, about 330 bytes with its headers, is not.
    fake_llm.queue(Trickle(0.05, headers=headers), ["ok"])
    with make(fake_llm.base_url, sleeps, timeout=0.5, retries=0) as llm:
        start = time.monotonic()
        with pytest.raises(LLMError) as error:
            llm.complete(MESSAGES, 1, Sampling())
        assert time.monotonic() - start < 1.5
    text = assert_one_line(error)
    assert text == (
        f"cannot reach the LLM server at {fake_llm.base_url}: timed out after 0.5 s (1 attempt)"
    )


def test_a_trickle_is_retried_like_a_timeout(fake_llm: FakeLLMServer, sleeps: Sleeps) -> None:
    fake_llm.queue(Trickle(0.02), ["ok"])
    with make(fake_llm.base_url, sleeps, timeout=0.5, retries=1) as llm:
        assert llm.complete(MESSAGES, 1, Sampling()).texts == ["ok"]
    assert fake_llm.request_count == 2 and sleeps.delays == [1.0]


def test_a_slow_but_whole_answer_within_the_deadline_is_read(
    fake_llm: FakeLLMServer, sleeps: Sleeps
) -> None:
    fake_llm.queue(Trickle(0.001, then=["a", "b"]))
    with make(fake_llm.base_url, sleeps, timeout=5.0, retries=0) as llm:
        assert llm.complete(MESSAGES, 2, Sampling()).texts == ["a", "b"]


def test_a_gzip_body_is_inflated(fake_llm: FakeLLMServer, sleeps: Sleeps) -> None:
    fake_llm.queue(Gzip(gzip_bomb(1000)))
    with make(fake_llm.base_url, sleeps, retries=0) as llm:
        assert llm.complete(MESSAGES, 1, Sampling()).texts == [" " * 1000]


@pytest.mark.parametrize("status", [200, 500])
def test_a_gzip_bomb_stops_inflating_at_the_size_cap(
    fake_llm: FakeLLMServer, sleeps: Sleeps, status: int
) -> None:
    bomb = gzip_bomb(64 * 2**20)  # 64 KB that inflate to 64 MiB
    fake_llm.queue(Gzip(bomb, status))
    with make(fake_llm.base_url, sleeps, retries=0, max_bytes=2**20) as llm:
        tracemalloc.start()
        try:
            with pytest.raises(LLMError) as error:
                llm.complete(MESSAGES, 1, Sampling())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 8 * 2**20  # the cap, a MiB being inflated, and change; never the 64 MiB
    text = assert_one_line(error)
    assert text == (
        f"LLM server {fake_llm.base_url} (model m): response body over 1 MiB after 1 attempt"
    )


def test_the_default_size_cap_admits_a_large_honest_answer(
    fake_llm: FakeLLMServer, sleeps: Sleeps
) -> None:
    fake_llm.queue([" " * 2**20] * 4, Gzip(gzip_bomb(MAX_RESPONSE_BYTES)))
    with make(fake_llm.base_url, sleeps, retries=0) as llm:
        assert [len(text) for text in llm.complete(MESSAGES, 4, Sampling()).texts] == [2**20] * 4
        with pytest.raises(LLMError, match="response body over 16 MiB"):
            llm.complete(MESSAGES, 1, Sampling())


def test_json_nested_too_deeply_is_a_malformed_response(
    fake_llm: FakeLLMServer, sleeps: Sleeps
) -> None:
    fake_llm.queue(Malformed("[" * 100_000 + "]" * 100_000), ["ok"])
    with make(fake_llm.base_url, sleeps, retries=1) as llm:
        assert llm.complete(MESSAGES, 1, Sampling()).texts == ["ok"]
    fake_llm.queue(Malformed('{"choices": ' + "[" * 100_000))
    with make(fake_llm.base_url, sleeps, retries=0) as llm, pytest.raises(LLMError) as error:
        llm.complete(MESSAGES, 1, Sampling())
    assert assert_one_line(error).endswith(
        ": malformed response (JSON nested too deeply) after 1 attempt"
    )


def usage_reply(prompt: object, completion: object) -> Raw:
    return Raw(
        {
            "choices": [{"message": {"content": "a"}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion},
        }
    )


@pytest.mark.parametrize(
    ("prompt", "completion"),
    [(10**30, 5), (-1, 5), (3.0, 5), (True, 5), ("3", 5), (MAX_TOKEN_COUNT + 1, 5)],
)
def test_usage_counts_that_cannot_be_true_count_as_unknown(
    backend: OpenAIBackend, fake_llm: FakeLLMServer, prompt: object, completion: object
) -> None:
    fake_llm.queue(usage_reply(prompt, completion))
    result = backend.complete(MESSAGES, 1, Sampling())
    assert (result.texts, result.prompt_tokens, result.completion_tokens) == (["a"], 0, 5)


def test_absurd_usage_fits_the_cache(
    backend: OpenAIBackend, fake_llm: FakeLLMServer, tmp_path: Path
) -> None:
    fake_llm.queue(usage_reply(10**30, MAX_TOKEN_COUNT))
    with CachedBackend(backend, tmp_path / "llm.sqlite") as cached:
        assert cached.complete(MESSAGES, 1, Sampling()).completion_tokens == MAX_TOKEN_COUNT
    with CachedBackend(backend, tmp_path / "llm.sqlite", cache_only=True) as cached:
        assert cached.complete(MESSAGES, 1, Sampling()).completion_tokens == MAX_TOKEN_COUNT


def test_lone_surrogates_are_replaced_so_the_text_can_be_stored(
    backend: OpenAIBackend, fake_llm: FakeLLMServer, tmp_path: Path
) -> None:
    # json.dumps writes the lone surrogate as the escape \ud800, which json.loads turns back
    # into a str that UTF-8 cannot encode; a proper pair stays one character.
    fake_llm.queue(Raw({"choices": [{"message": {"content": "a\ud800b \U0001f600 \udfff"}}]}))
    with CachedBackend(backend, tmp_path / "llm.sqlite") as cached:
        texts = cached.complete(MESSAGES, 1, Sampling()).texts
    assert texts == ["a\ufffdb \U0001f600 \ufffd"]
    texts[0].encode()


def test_a_servers_error_words_lose_their_surrogates(
    fake_llm: FakeLLMServer, sleeps: Sleeps
) -> None:
    fake_llm.queue(Status(400, message="bad \ud800 request"))
    with make(fake_llm.base_url, sleeps) as llm, pytest.raises(LLMError) as error:
        llm.complete(MESSAGES, 1, Sampling())
    assert assert_one_line(error).endswith(": HTTP 400 Bad Request: bad \ufffd request")
