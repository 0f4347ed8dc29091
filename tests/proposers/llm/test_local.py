"""Real completions from SmolLM2-135M: through llama-cpp-python's OpenAI-compatible server (the
path every HTTP backend takes) and embedded in-process. No mocks: these need the `local` extra."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from rote import make_env, rollout, write_trajectory
from rote.agents import make_agent
from rote.cli import main
from rote.envs import registration
from rote.proposers.llm import prompts
from rote.proposers.llm.base import LLMError, Message, Sampling
from rote.proposers.llm.http import OpenAIBackend
from rote.proposers.llm.local import LlamaCppBackend, smollm2_path
from tests.proposers.llm.llama_server import llama_server

MESSAGES: list[Message] = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Name three colours."},
]


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with llama_server(smollm2_path()) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def backend() -> Iterator[LlamaCppBackend]:
    backend = LlamaCppBackend(n_ctx=512)
    yield backend
    backend.close()


def test_smollm2_is_installed() -> None:
    assert smollm2_path().is_file()
    assert smollm2_path().suffix == ".gguf"


def test_openai_client_talks_to_llama_server(server_url: str) -> None:
    client = openai.OpenAI(base_url=server_url, api_key="unused")
    try:
        model = client.models.list().data[0].id
        response = client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": "Name three colours."}],
            max_tokens=24,
            temperature=0.0,
            seed=1,
        )
    finally:
        client.close()
    assert response.choices[0].message.content
    assert response.usage is not None
    assert response.usage.prompt_tokens > 0
    assert response.usage.completion_tokens > 0


def test_openai_backend_samples_from_llama_server(server_url: str) -> None:
    with OpenAIBackend(server_url, "smollm2") as backend:
        completion = backend.complete(MESSAGES, 2, Sampling(max_tokens=32, seed=1))
    assert len(completion.texts) == 2
    assert any(completion.texts)
    assert completion.prompt_tokens > 0
    assert completion.completion_tokens > 0


def test_openai_backend_reports_an_overlong_prompt_in_one_line(server_url: str) -> None:
    long_prompt: list[Message] = [{"role": "user", "content": "word " * 20_000}]  # > n_ctx 8192
    with (
        OpenAIBackend(server_url, "smollm2", retries=0) as backend,
        pytest.raises(LLMError, match="context") as raised,
    ):
        backend.complete(long_prompt, 1, Sampling(max_tokens=16, seed=0))
    assert "\n" not in str(raised.value)


def test_embedded_backend_samples_n_texts_and_counts_tokens(backend: LlamaCppBackend) -> None:
    completion = backend.complete(MESSAGES, 3, Sampling(max_tokens=24, seed=7))
    assert len(completion.texts) == 3
    assert all(isinstance(text, str) for text in completion.texts)
    assert any(completion.texts)
    assert completion.prompt_tokens > 0
    assert completion.completion_tokens > 0


def test_embedded_backend_repeats_exactly_under_the_same_seed(backend: LlamaCppBackend) -> None:
    sampling = Sampling(temperature=1.0, max_tokens=32, seed=3)
    first = backend.complete(MESSAGES, 2, sampling)
    backend.complete(MESSAGES, 1, Sampling(max_tokens=16, seed=99))  # disturb the state between
    again = backend.complete(MESSAGES, 2, sampling)
    assert again == first


def test_overlong_prompt_is_a_one_line_llm_error(backend: LlamaCppBackend) -> None:
    long_prompt: list[Message] = [{"role": "user", "content": "word " * 2000}]
    with pytest.raises(LLMError, match="context") as raised:
        backend.complete(long_prompt, 1, Sampling(max_tokens=16, seed=0))
    assert "\n" not in str(raised.value)


def test_describe_names_the_model_file_and_context(backend: LlamaCppBackend) -> None:
    assert backend.describe() == {
        "backend": "LlamaCppBackend",
        "model": "SmolLM2-135M-Instruct.Q4_1",
        "model_path": "SmolLM2-135M-Instruct.Q4_1.gguf",
        "n_ctx": 512,
    }


def test_missing_model_file_is_an_llm_error(tmp_path: Path) -> None:
    with pytest.raises(LLMError, match="no GGUF model file"):
        LlamaCppBackend(tmp_path / "absent.gguf")


def _trajectory(tmp_path: Path) -> Path:
    path = tmp_path / "left-right.jsonl"
    spec = make_env("construction")
    write_trajectory(path, rollout(spec, make_agent("construction", "left-right"), steps=8, seed=0))
    return path


SMALL = ["--observe=4", "--particles=2", "--llm-max-tokens=64", "--llm-repairs=1", "--json"]


def test_rote_predict_llm_runs_end_to_end_against_the_real_server(
    server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trajectory, cache = _trajectory(tmp_path), tmp_path / "llm.sqlite"
    args = [
        "predict",
        f"--trajectory={trajectory}",
        "--proposer=llm",
        f"--llm-base-url={server_url}",
        "--llm-model=smollm2",
        f"--cache={cache}",
        *SMALL,
    ]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert len(first["predictions"]) == 4
    assert first["usage"]["completion_tokens"] > 0 and first["usage"]["cache_hits"] == 0
    assert main([*args, "--cache-only"]) == 0  # and it replays without the server's help
    assert json.loads(capsys.readouterr().out)["predictions"] == first["predictions"]


def test_the_documented_server_takes_the_documented_window(server_url: str) -> None:
    """docs/llm.md's predict observes 8 steps and asks for up to 200 tokens: rote's prompt for
    them, with one repair round (the answer and its error sent back), overflowed the server's
    default context (2,048 tokens) with HTTP 400 until the documented command set --n_ctx."""
    spec = make_env("construction")
    history = rollout(spec, make_agent("construction", "snake"), steps=8, seed=0).steps
    helpers = prompts.describe_helpers(registration(spec).skills)
    base = prompts.messages_for(spec, history, helpers, "plain")
    answer = "class Agent:\n    def act(self, observation):\n        return 'jump'\n" * 10
    repaired = prompts.repair(base, answer, "step 0: returned 'jump', not an action")
    with OpenAIBackend(server_url, "smollm2", retries=0) as backend:
        completion = backend.complete(repaired, 1, Sampling(max_tokens=200, seed=0))
    assert completion.prompt_tokens + 200 > 2048


def test_rote_predict_hybrid_runs_end_to_end_on_the_embedded_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trajectory = _trajectory(tmp_path)
    args = ["predict", f"--trajectory={trajectory}", "--proposer=hybrid", "--budget=300", *SMALL]
    assert main([*args, f"--cache={tmp_path / 'llm.sqlite'}"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["llm"]["base_url"] is None  # the embedded model answered
    assert report["usage"]["completion_tokens"] > 0
    assert {p["origin"] for p in report["programs"]} & {"synth"}
