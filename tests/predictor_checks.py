"""Invariant checks every Predictor must pass: subclass `PredictorChecks` and define `make`."""

from __future__ import annotations

import math

import pytest

from rote import make_agent, make_env, rollout
from rote.envs.base import EnvSpec
from rote.errors import RoteError
from rote.evaluation.protocols import Updating, predict_trajectory
from rote.predictor import Predictor
from rote.trajectory import Step

ENV = make_env("construction")


def steps(family: str = "snake", n: int = 30, seed: int = 0) -> list[Step]:
    return list(rollout(ENV, make_agent("construction", family), steps=n, seed=seed).steps)


class PredictorChecks:
    """The contract: distributions over the env's actions, determinism, frozen vs online."""

    def make(self, env: EnvSpec) -> Predictor:
        raise NotImplementedError

    def run(self, history: list[Step], observe: int, update: bool) -> list[dict[str, float]]:
        mode: Updating = "online" if update else "frozen"
        with self.make(ENV) as predictor:
            run = predict_trajectory(predictor, history, observe, mode)
        return [prediction.distribution for prediction in run.predictions]

    def test_predicts_a_distribution_over_the_env_actions(self) -> None:
        for distribution in self.run(steps(), 20, update=True):
            assert tuple(distribution) == tuple(ENV.action_names)
            assert math.isclose(sum(distribution.values()), 1.0, abs_tol=1e-9)
            assert all(p >= 0 for p in distribution.values())

    def test_is_deterministic(self) -> None:
        history = steps("colour-cycle")
        assert self.run(history, 20, update=True) == self.run(history, 20, update=True)

    def test_predicts_before_observing_anything(self) -> None:
        with self.make(ENV) as predictor:
            predictor.infer()
            assert math.isclose(sum(predictor.predict(steps()[0].observation).values()), 1.0)

    def test_rejects_an_unknown_action(self) -> None:
        with self.make(ENV) as predictor, pytest.raises(RoteError, match="not one of"):
            predictor.observe(steps()[0].observation, "jump")
