"""Every registered env passes the same checks: the spec is coherent, simulated envs obey the
gymnasium API, are deterministic under a seed, pickle, and encode schema-valid observations, and
every step of a trajectory draws as a well-formed scene. The bring-your-own-env example
(docs/examples/conveyor.py) is held to the same checks.
"""

from __future__ import annotations

import json
import pickle
import random
from pathlib import Path
from typing import Any

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

from rote.envs import EnvSpec, make_env, registered_envs
from rote.envs.scene import scene_errors
from rote.errors import EnvError
from rote.observation import Observation
from rote.plugins import load_plugin
from rote.rollout import rollout
from tests.envs.test_overcooked import recorded_game

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "conveyor.py"
load_plugin(str(EXAMPLE))

pytestmark = pytest.mark.filterwarnings("error")  # a gymnasium checker warning is a failure

MINIGRID = [
    "minigrid:MiniGrid-GoToObject-8x8-N2-v0",
    "minigrid:MiniGrid-Fetch-8x8-N3-v0",
    "minigrid:BabyAI-PutNextLocal-v0",
]
"""Prefixed envs are a family, not a list: the levels rote's MiniGrid agents use stand in."""
SPECS = [make_env(env_id) for env_id in [*registered_envs(), *MINIGRID]]
SIMULATED = [spec for spec in SPECS if spec.simulated]


def _ids(specs: list[EnvSpec]) -> list[str]:
    return [spec.id for spec in specs]


def _rollout(spec: EnvSpec, seed: int, steps: int = 40) -> list[Any]:
    env = spec.make_gym()
    env.reset(seed=seed)
    env.action_space.seed(seed)
    observations = []
    for _ in range(steps):
        observations.append(spec.encode(env))
        env.step(env.action_space.sample())
    return observations


class RandomMoves:
    """An agent of any env: a seeded uniform choice of its actions."""

    def __init__(self, actions: tuple[str, ...], seed: int) -> None:
        self.actions = actions
        self.rng = random.Random(seed)

    def act(self, observation: Observation) -> str:
        return self.rng.choice(self.actions)


def trajectory_of(spec: EnvSpec) -> list[Observation]:
    """The observations of one layout: 150 random steps of a simulated env, a recorded game of
    a replay-only one."""
    if spec.simulated:
        agent = RandomMoves(spec.action_names, seed=2)
        return [step.observation for step in rollout(spec, agent, steps=150, seed=2).steps]
    if spec.id == "overcooked":
        return recorded_game(spec.kwargs["layout"])
    raise AssertionError(f"no trajectory of the replay-only env {spec.id}")


@pytest.mark.parametrize("spec", SPECS, ids=_ids(SPECS))
def test_every_step_draws_a_well_formed_scene(spec: EnvSpec) -> None:
    """Each observation draws (no built-in env falls back to text) as a JSON scene that
    scene_errors accepts; grid scenes of one layout share one base, which the report stores
    once (MiniGrid's new episodes keep these single-room levels' walls)."""
    bases = set()
    for observation in trajectory_of(spec):
        scene = spec.draw(observation)
        assert scene is not None
        assert scene_errors(scene) == []
        assert json.loads(json.dumps(scene, allow_nan=False)) == scene  # lists, not tuples
        assert scene["caption"]
        if scene["kind"] == "grid":
            bases.add(json.dumps(scene["base"]))
    assert len(bases) == (0 if spec.id == "repeated-game" else 1)


@pytest.mark.parametrize("spec", SPECS, ids=_ids(SPECS))
def test_spec_is_coherent(spec: EnvSpec) -> None:
    assert make_env(spec.id).id == spec.id
    assert make_env(spec.id, **spec.kwargs).kwargs == spec.kwargs  # headers hold them
    assert spec.rules.strip()
    assert spec.observation_schema["type"] == "object"
    assert all(
        prop.get("description") or prop.get("items")
        for prop in spec.observation_schema["properties"].values()
    )
    assert len(set(spec.action_names)) == len(spec.action_names)
    assert spec.idle_action is None or spec.idle_action in spec.action_names


@pytest.mark.parametrize("spec", SIMULATED, ids=_ids(SIMULATED))
def test_gymnasium_checker(spec: EnvSpec) -> None:
    env = spec.make_gym(render_mode=spec.make_gym().metadata["render_modes"][0])
    check_env(env.unwrapped, skip_render_check=False)


@pytest.mark.parametrize("spec", SIMULATED, ids=_ids(SIMULATED))
def test_same_seed_same_rollout(spec: EnvSpec) -> None:
    assert _rollout(spec, seed=7) == _rollout(spec, seed=7)
    assert _rollout(spec, seed=7) != _rollout(spec, seed=8)


@pytest.mark.parametrize("spec", SIMULATED, ids=_ids(SIMULATED))
def test_encoded_observations_are_valid_and_render(spec: EnvSpec) -> None:
    for observation in _rollout(spec, seed=3):
        assert spec.observation_errors(observation) == []
        assert spec.render_text(observation).strip()


@pytest.mark.parametrize("spec", SIMULATED, ids=_ids(SIMULATED))
def test_pickle_round_trip(spec: EnvSpec) -> None:
    env = spec.make_gym()
    env.reset(seed=1)
    env.step(env.action_space.sample())
    clone: gym.Env[Any, Any] = pickle.loads(pickle.dumps(env))
    assert spec.encode(clone) == spec.encode(env)
    assert pickle.loads(pickle.dumps(spec)).action_names == spec.action_names


def test_only_the_first_problem_is_computed() -> None:
    spec = make_env("repeated-game")
    observation = {
        "game": "prisoners_dilemma",
        "player": "row",
        "round": -1,
        "own_history": ["X"] * 100_000,
        "opponent_history": [],
    }
    assert spec.observation_errors(observation) == [
        ("observation.round", "-1 is less than the minimum of 0")
    ]


def test_spec_constructor_rejects_broken_specs() -> None:
    class Broken(EnvSpec):
        id = "broken"

        def render_text(self, observation: dict[str, Any]) -> str:
            return ""

    good = {"rules": "r", "observation_schema": {"type": "object"}, "kwargs": {}}
    with pytest.raises(EnvError, match="empty"):
        Broken(action_names=(), **good)  # type: ignore[arg-type]
    with pytest.raises(EnvError, match="duplicates"):
        Broken(action_names=("a", "a"), **good)  # type: ignore[arg-type]
    with pytest.raises(EnvError, match="JSON object"):
        Broken(action_names=("a",), rules="r", observation_schema={"type": "array"}, kwargs={})
    with pytest.raises(EnvError, match="observation_schema is no JSON Schema: 5 is not valid"):
        Broken(action_names=("a",), rules="r", observation_schema={"type": 5}, kwargs={})
    with pytest.raises(EnvError, match="broken: idle_action 'wait' is not one of action_names"):
        Broken(action_names=("a",), idle_action="wait", **good)  # type: ignore[arg-type]


def test_idle_actions_are_where_an_action_does_nothing() -> None:
    """Only a no-op counts: MiniGrid's `done` can end an episode, and every move of a repeated
    game is scored."""
    assert make_env("construction").idle_action == "stay"
    assert make_env("overcooked", layout="cramped_room").idle_action == "stay"
    assert make_env("minigrid:MiniGrid-GoToObject-8x8-N2-v0").idle_action is None
    assert make_env("repeated-game").idle_action is None
