"""Live particles give exactly what re-running every program over the whole history gives.

The reference is the algorithm rote had before particles were live: every observe and every
predict replays every program from scratch over the history so far (`ReplaySession`, the same
interface as a live `Session`). Both drive the same ROTE on the same seeds, through
rejuvenation, resampling, programs with state that cannot be copied, failures and a worker
killed mid-run; every prediction and every SMC record must agree.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pytest

from rote.agents import make_agent
from rote.envs import make_env
from rote.evaluation.protocols import Prediction, Updating, predict_trajectory
from rote.model import ROTE
from rote.programs import Limits, ReplayResult, Sandbox
from rote.programs.sandbox import Output, StepResult
from rote.proposers import Budget, ListProposer, Proposer, SynthProposer
from rote.rollout import rollout
from rote.trajectory import Step
from tests.programs.processes import programs, table
from tests.programs_corpus import bounce, decoys

LIMITS = Limits(call_seconds=0.5, replay_seconds=10.0)


class ReplaySession:
    """The reference: a session that keeps no program alive and replays everything."""

    def __init__(self, sandbox: Sandbox, action_names: Sequence[str]) -> None:
        self.sandbox = sandbox
        self.action_names = list(action_names)
        self.history: list[Mapping[str, Any]] = []
        self.sources: dict[str, str] = {}
        self.rebuilds = 0

    def _replay(self, seen: list[Mapping[str, Any]]) -> dict[str, ReplayResult]:
        results = self.sandbox.replay(list(self.sources.values()), seen, self.action_names)
        return dict(zip(self.sources, results, strict=True))

    def add(self, programs: Mapping[str, str]) -> dict[str, ReplayResult]:
        self.sources.update(programs)
        results = self.sandbox.replay(list(programs.values()), self.history, self.action_names)
        return dict(zip(programs, results, strict=True))

    def _at(self, seen: list[Mapping[str, Any]]) -> StepResult:
        t = len(seen) - 1
        results = self._replay(seen)
        outputs: dict[str, Output] = {key: r.outputs[t] for key, r in results.items()}
        errors = {key: r.error for key, r in results.items() if r.failed_at == t and r.error}
        return StepResult(outputs, errors)

    def step(self, observation: Mapping[str, Any]) -> StepResult:
        self.history.append(observation)
        return self._at(self.history)

    def peek(self, observation: Mapping[str, Any]) -> StepResult:
        return self._at([*self.history, observation])

    def drop(self, keys: Sequence[str]) -> None:
        for key in keys:
            self.sources.pop(key, None)

    def close(self) -> None:
        pass


class ReplayingSandbox(Sandbox):
    """Hands ROTE reference sessions; its own replays (which ReplaySession uses) are real."""

    def session(self, action_names: Sequence[str]) -> Any:
        if "model" in sys._getframe(1).f_code.co_filename:
            return ReplaySession(self, action_names)
        return super().session(action_names)


@pytest.fixture(scope="module")
def live_box() -> Iterator[Sandbox]:
    with Sandbox(workers=2, limits=LIMITS) as box:
        yield box


@pytest.fixture(scope="module")
def replay_box() -> Iterator[Sandbox]:
    with ReplayingSandbox(workers=2, limits=LIMITS) as box:
        yield box


def run(
    sandbox: Sandbox,
    env: str,
    proposer: Proposer,
    steps: Sequence[Step],
    mode: Updating,
    particles: int = 12,
    **options: Any,
) -> tuple[list[Prediction], ROTE]:
    with ROTE(env, proposer, n_particles=particles, sandbox=sandbox, **options) as model:
        run = predict_trajectory(model, steps, 10, mode)
    return [prediction._replace(seconds=0.0) for prediction in run.predictions], model


def same(a: tuple[list[Prediction], ROTE], b: tuple[list[Prediction], ROTE]) -> None:
    (predicted, model), (expected, reference) = a, b
    assert predicted == expected
    assert len(model.records) == len(reference.records)
    for mine, theirs in zip(model.records, reference.records, strict=True):
        assert mine._replace(rebuilds=0, log_weights=None, ancestors=None) == theirs._replace(
            log_weights=None, ancestors=None
        )
        np.testing.assert_array_equal(mine.log_weights, theirs.log_weights)
        assert (mine.ancestors is None) == (theirs.ancestors is None)
        if mine.ancestors is not None:
            np.testing.assert_array_equal(mine.ancestors, theirs.ancestors)


def noisy(env: str, agent: str, steps: int, seed: int) -> list[Step]:
    spec = make_env(env)
    made = make_agent(env, agent, noise=0.15, action_names=spec.action_names, seed=seed)
    return rollout(spec, made, steps=steps, seed=seed).steps


@pytest.mark.parametrize(
    ("env", "agent", "mode"),
    [
        ("construction", "snake", "online"),
        ("construction", "colour-cycle", "online"),
        ("construction", "l-shape", "frozen"),
        ("repeated-game", "tit-for-tat", "online"),
    ],
)
def test_the_synthesizer_online_and_frozen_agree_with_full_replay(
    live_box: Sandbox, replay_box: Sandbox, env: str, agent: str, mode: Updating
) -> None:
    steps = noisy(env, agent, 40, seed=5)

    def synth() -> Proposer:
        return SynthProposer(Budget(programs=400))

    live = run(live_box, env, synth(), steps, mode)
    same(live, run(replay_box, env, synth(), steps, mode))
    if mode == "online":
        records = live[1].records
        assert any(r.rejuvenated for r in records) and any(r.ancestors is not None for r in records)


GENERATOR = """
def pace(moves):
    while True:
        for move in moves:
            yield move

class Agent:
    def __init__(self):
        self.moves = pace({moves!r})

    def act(self, observation):
        if observation["t"] == {bomb}:
            raise RuntimeError("time bomb")
        return next(self.moves)
"""
"""A program whose state is a live generator (no deepcopy, no pickle), optionally failing."""


def library() -> list[str]:
    generators = [
        GENERATOR.format(moves=moves, bomb=bomb)
        for moves, bomb in [(["left", "right"], -1), (["up", "down"], 14), (["left"], 17)]
    ]
    act = "    def act(self, observation):\n"
    bomb = act + '        if observation["t"] == 14:\n            raise RuntimeError("time bomb")\n'
    assert act in bounce("left")
    return [bounce("left").replace(act, bomb), bounce("up"), *generators, *decoys()]


def test_uncopyable_state_failures_and_resampling_agree_with_full_replay(
    live_box: Sandbox, replay_box: Sandbox
) -> None:
    steps = noisy("construction", "left-right", 30, seed=2)
    kw: dict[str, Any] = {"particles": 40, "ess_threshold": 0.9}
    live = run(live_box, "construction", ListProposer(library()), steps, "online", **kw)
    same(live, run(replay_box, "construction", ListProposer(library()), steps, "online", **kw))
    records = live[1].records
    assert any(r.ancestors is not None for r in records)
    failures = [message for record in records for _, message in record.failures]
    assert "step 14: RuntimeError: time bomb" in failures


def test_a_worker_killed_mid_run_is_rebuilt_and_nothing_changes(replay_box: Sandbox) -> None:
    steps = noisy("construction", "snake", 30, seed=4)
    with Sandbox(workers=1, limits=LIMITS) as box:
        proposer = SynthProposer(Budget(programs=400))
        with ROTE("construction", proposer, n_particles=12, sandbox=box) as model:
            for step in steps[:10]:
                assert step.action is not None
                model.observe(step.observation, step.action)
            predicted = []
            for t, step in enumerate(steps[10:], start=10):
                assert step.action is not None
                if t == 20:
                    host = table()[next(iter(programs()))].parent
                    os.kill(host, signal.SIGKILL)
                predicted.append(Prediction(t, model.predict(step.observation), step.action))
                model.observe(step.observation, step.action)
            assert [r.rebuilds for r in model.records if r.rebuilds] == [1]
    expected = run(replay_box, "construction", SynthProposer(Budget(programs=400)), steps, "online")
    assert predicted == expected[0]
