"""Bayesian inverse planning: the invariants, goal inference, the planner, and its cost."""

from __future__ import annotations

import math

import pytest

from rote.baselines.bip import BIPPredictor, Stage, action_values
from rote.envs.base import EnvSpec
from rote.errors import RoteError
from rote.predictor import Predictor
from rote.skills.construction import ACTIONS, ConstructionState
from tests.predictor_checks import ENV, PredictorChecks, steps


class TestBIP(PredictorChecks):
    def make(self, env: EnvSpec) -> Predictor:
        return BIPPredictor(env)


def test_posterior_concentrates_on_the_goal_and_predicts_better_than_uniform() -> None:
    history = steps("green-to-corner", n=30, seed=0)
    predictor = BIPPredictor(ENV)
    for step in history[:12]:
        assert step.action is not None
        predictor.observe(step.observation, step.action)
    posterior = predictor.posterior()
    assert max(posterior, key=posterior.__getitem__) == "carry green to top-left"
    assert posterior["carry green to top-left"] > 0.5
    log_likelihood = 0.0
    for step in history[12:]:
        assert step.action is not None
        log_likelihood += math.log(predictor.predict(step.observation)[step.action])
        predictor.observe(step.observation, step.action)
    assert log_likelihood / len(history[12:]) > math.log(1 / len(ACTIONS)) + 1.0


def test_frozen_keeps_the_posterior() -> None:
    history = steps("green-to-corner", n=8)
    predictor = BIPPredictor(ENV)
    before = predictor.posterior()
    for step in history:
        assert step.action is not None
        predictor.observe(step.observation, step.action, update=False)
    assert predictor.posterior() == before


def values(state: ConstructionState, stages: list[Stage]) -> dict[str, float]:
    return dict(zip(ACTIONS, action_values(state, stages, ACTIONS), strict=True))


def test_action_values_follow_shortest_paths_round_walls() -> None:
    # A wall at (2, 1) between the agent at (1, 1) and the target at (3, 1): the way is down.
    state = ConstructionState(size=7, agent=(1, 1), walls=frozenset({(2, 1)}))
    q = values(state, [Stage([(3, 1)], interact=False)])
    assert q["down"] == -4 and q["right"] == q["stay"] == q["interact"] == -5
    assert q["up"] == q["left"] == -5  # bumping into the border wall wastes a step


def test_action_values_chain_pick_up_and_drop() -> None:
    state = ConstructionState(size=7, agent=(2, 2), blocks={(2, 2): "green"})
    stages = [Stage([(2, 2)], interact=True), Stage([(4, 2)], interact=True)]
    q = values(state, stages)
    assert q["interact"] == max(q.values()) == -4  # pick up, two steps right, drop
    done = values(state, [])
    assert done["stay"] == 0 and all(v == -1 for a, v in done.items() if a != "stay")


def test_other_envs_need_a_planner() -> None:
    class Other(EnvSpec):
        id = "other"

        def __init__(self) -> None:
            super().__init__(
                action_names=("a", "b"),
                rules="none",
                observation_schema={"type": "object"},
                kwargs={},
            )

        def render_text(self, observation: dict[str, object]) -> str:
            return ""

    with pytest.raises(RoteError, match="bip needs a planner for env 'other'"):
        BIPPredictor(Other())
