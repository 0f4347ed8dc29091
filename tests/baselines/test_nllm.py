"""Naive LLM prompting against the scripted OpenAI-compatible server: prompts, parsing, costs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rote.baselines.nllm import TEMPERATURE, NLLMPredictor
from rote.envs.base import EnvSpec
from rote.predictor import Predictor
from rote.proposers.llm.http import OpenAIBackend
from tests.predictor_checks import ENV, PredictorChecks, steps
from tests.proposers.llm.fake_server import COMPLETION_TOKENS, PROMPT_TOKENS, FakeLLMServer

OBSERVATION = steps(n=1)[0].observation


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    """Answers "right" with some chatter unless a test scripts otherwise."""
    with FakeLLMServer(default_text="Looking at the grid, I think it goes right.") as fake:
        yield fake


def predictor(server: FakeLLMServer, n: int = 1) -> NLLMPredictor:
    backend = OpenAIBackend(server.base_url, "fake-model", timeout=5.0, retries=0)
    return NLLMPredictor(ENV, backend, n=n)


class TestNLLM(PredictorChecks):
    @pytest.fixture(autouse=True)
    def _serve(self, server: FakeLLMServer) -> None:
        self.server = server

    def make(self, env: EnvSpec) -> Predictor:
        return predictor(self.server)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("right", "right"),
        ("Based on the history, the agent will most likely move LEFT next.", "left"),
        ("It upended the pattern earlier, so my answer is: Interact.", "interact"),
        ("Action: `stay`", "stay"),
        ("The agent heads to the rightmost column: down, then right.", "down"),
    ],
)
def test_parses_the_first_action_named_as_a_word(answer: str, expected: str) -> None:
    assert NLLMPredictor(ENV, OpenAIBackend("http://127.0.0.1:9/v1", "m")).parse(answer) == expected


def test_predicts_the_parsed_action(server: FakeLLMServer) -> None:
    server.queue(["I believe the agent will go up."])
    with predictor(server) as nllm:
        distribution = nllm.predict(OBSERVATION)
        assert distribution["up"] == 1.0
        assert nllm.usage()["parse_failures"] == 0


def test_garbage_falls_back_to_uniform_and_counts_a_failure(server: FakeLLMServer) -> None:
    server.queue(["I cannot tell what this agent wants."], [""])
    with predictor(server) as nllm:
        for _ in range(2):
            assert set(nllm.predict(OBSERVATION).values()) == {1 / len(ENV.action_names)}
        assert nllm.usage()["parse_failures"] == 2


def test_samples_give_a_histogram_and_costs_are_counted(server: FakeLLMServer) -> None:
    server.queue(["right", "Left!", "right it is", "no idea"], ["stay"] * 4)
    with predictor(server, n=4) as nllm:
        distribution = nllm.predict(OBSERVATION)
        assert distribution["right"] == pytest.approx(2 / 3)
        assert distribution["left"] == pytest.approx(1 / 3)
        assert nllm.predict(OBSERVATION)["stay"] == 1.0
        assert nllm.usage() == {
            "calls": 2,
            "prompt_tokens": 2 * PROMPT_TOKENS,
            "completion_tokens": 8 * COMPLETION_TOKENS,
            "parse_failures": 1,
        }
    assert [body["n"] for body in server.bodies] == [4, 4]


def test_prompt_has_rules_history_and_the_paper_temperature(server: FakeLLMServer) -> None:
    history = steps("snake", n=3)
    with predictor(server) as nllm:
        for step in history[:2]:
            assert step.action is not None
            nllm.observe(step.observation, step.action, update=False)
        nllm.predict(history[2].observation)
    body = server.bodies[-1]
    assert body["temperature"] == TEMPERATURE == 0.75
    prompt = body["messages"][-1]["content"]
    assert ENV.rules in prompt
    assert f"Step 1:\n{ENV.render_text(history[1].observation)}" in prompt
    assert f"Agent's action: {history[1].action}" in prompt
    assert prompt.index("Step 1:") < prompt.index(
        f"Step 2:\n{ENV.render_text(history[2].observation)}"
    )
    assert "Which action will the agent take next?" in prompt
