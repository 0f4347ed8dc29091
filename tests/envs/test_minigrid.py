"""The MiniGrid adapter: `minigrid:<id>` specs, the observation, auto-reset, the recorder and the
BC encoder. The shared checks (gymnasium API, determinism, pickling) are in test_envs.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from minigrid.core.constants import DIR_TO_VEC
from minigrid.core.world_object import Ball, Door, Key

from rote.agents import make_agent
from rote.baselines.encoding import MiniGridEncoder, encoder_from_json, make_encoder
from rote.envs import make_env, registered_envs
from rote.envs.minigrid import MiniGridEpisodes, draw, encode
from rote.envs.scene import PALETTE, WALL, scene_errors
from rote.errors import EnvError
from rote.rollout import record
from rote.trajectory import read_trajectory

GO_TO = "minigrid:MiniGrid-GoToObject-8x8-N2-v0"
PUT_NEXT = "minigrid:BabyAI-PutNextLocal-v0"
POINTS = {0: (1, 0), 1: (0, 1), 2: (-1, 0), 3: (0, -1)}
"""The cell a scene's triangle points to, by its `dir` (scene.py: 0 right, 1 down, 2 left, 3 up)."""
EMPTY = "minigrid:MiniGrid-Empty-5x5-v0"


def test_prefixed_ids_build_specs_that_keep_their_full_id() -> None:
    spec = make_env(GO_TO)
    assert spec.id == GO_TO
    assert spec.action_names == ("left", "right", "forward", "pickup", "drop", "toggle", "done")
    assert make_env("minigrid:BabyAI-PutNextLocal-v0").id == "minigrid:BabyAI-PutNextLocal-v0"
    assert make_env(GO_TO, max_steps=20).kwargs == {"max_steps": 20}
    bigger = make_env(GO_TO, size=12, numObjs=4)
    assert bigger.kwargs == {"size": 12, "numObjs": 4}
    assert bigger.observation_schema["properties"]["width"]["const"] == 12
    assert GO_TO not in registered_envs()


@pytest.mark.parametrize(
    ("env_id", "kwargs", "message"),
    [
        ("minigrid:MiniGrid-Nope-v0", {}, "not a registered gymnasium id"),
        ("minigrid:CartPole-v1", {}, "not a MiniGrid or BabyAI level"),
        (GO_TO, {"bogus": 1}, r"'bogus' was unexpected\) \(allowed: max_steps, size, numObjs\)"),
        (GO_TO, {"self": 1}, r"'self' was unexpected"),
        (GO_TO, {"level_id": "MiniGrid-Empty-5x5-v0"}, r"'level_id' was unexpected"),
        (EMPTY, {"agent_start_pos": [1, 1]}, r"'agent_start_pos' was unexpected"),
        (EMPTY, {"numObjs": 2}, r"'numObjs' was unexpected\) \(allowed: max_steps, size\)"),
        (GO_TO, {"size": -5}, r"env_kwargs\.size: -5 is less than the minimum of 5"),
        (GO_TO, {"size": 20_000}, r"env_kwargs\.size: 20000 is greater than the maximum of 32"),
        (GO_TO, {"size": 10**9}, r"env_kwargs\.size: 1000000000 is greater than the maximum"),
        (GO_TO, {"size": 1e100}, r"env_kwargs\.size: 1e\+100 is not of type 'integer'"),
        (GO_TO, {"max_steps": "x"}, r"env_kwargs\.max_steps: 'x' is not of type 'integer'"),
        (
            "minigrid:BabyAI-PutNextS4N1-v0",
            {"room_size": 3},
            "bad env_kwargs: the level refuses them: AssertionError$",
        ),
        ("nogrid:MiniGrid-Empty-5x5-v0", {}, "not registered; known envs: .*minigrid:<id>"),
    ],
)
def test_bad_ids_and_kwargs_are_one_line_env_errors(
    env_id: str, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(EnvError, match=message) as error:
        make_env(env_id, **kwargs)
    assert "\n" not in str(error.value)


def test_a_missing_extra_names_the_pip_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in sys.modules if name.partition(".")[0] == "minigrid"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delitem(sys.modules, "rote.envs.minigrid")
    monkeypatch.setitem(sys.modules, "minigrid", None)
    with pytest.raises(EnvError, match=r"pip install minds-as-code\[minigrid\]"):
        make_env(GO_TO)


def test_encode_a_known_state() -> None:
    level = gym.make("MiniGrid-Empty-6x6-v0").unwrapped
    level.reset(seed=0)
    level.grid.set(3, 1, Key("red"))
    level.grid.set(2, 4, Door("yellow", is_locked=True))
    level.grid.set(2, 3, None)  # clear the goal
    level.grid.set(4, 4, None)
    level.agent_pos, level.agent_dir = (1, 2), 3
    level.carrying = Ball("grey")
    observation = encode(level)
    assert {key: observation[key] for key in ("width", "height", "agent", "direction")} == {
        "width": 6,
        "height": 6,
        "agent": [1, 2],
        "direction": "up",
    }
    assert observation["carrying"] == {"type": "ball", "colour": "grey"}
    assert observation["objects"] == [
        {"type": "key", "colour": "red", "pos": [3, 1]},
        {"type": "door", "colour": "yellow", "pos": [2, 4], "state": "locked"},
    ]
    assert len(observation["walls"]) == 20 and [0, 0] in observation["walls"]
    assert observation["mission"] == "get to the green goal square"
    spec = make_env("minigrid:MiniGrid-Empty-6x6-v0")
    assert spec.observation_errors(observation) == []
    text = spec.render_text(observation)
    assert "^^" in text and "Kr" in text and "Ly" in text and "carrying=grey ball" in text


def test_draw_a_known_state() -> None:
    level = gym.make("MiniGrid-Empty-6x6-v0").unwrapped
    level.reset(seed=0)
    level.grid.set(3, 1, Key("red"))
    level.grid.set(2, 4, Door("yellow", is_open=True))
    level.agent_pos, level.agent_dir = (1, 2), 3
    level.carrying = Ball("grey")
    scene = draw(encode(level))
    assert scene_errors(scene) == []
    assert len(scene["base"]) == 20 and {item["fill"] for item in scene["base"]} == {WALL}
    assert scene["items"] == [
        {"x": 3, "y": 1, "shape": "text", "fill": PALETTE["red"], "label": "key"},
        {"x": 2, "y": 4, "shape": "rect", "fill": PALETTE["yellow"], "size": 0.5, "label": "open"},
        {"x": 4, "y": 4, "shape": "rect", "fill": PALETTE["green"], "label": "goal"},
        {"x": 1, "y": 2, "shape": "triangle", "fill": "#d62828", "dir": 3},
        {"x": 1, "y": 2, "shape": "circle", "fill": PALETTE["grey"], "size": 0.3},
    ]
    assert scene["caption"] == "mission: get to the green goal square | t=0, carrying grey ball"


def test_draw_points_the_agent_the_way_minigrid_faces_it() -> None:
    """Checked against the level itself, not rote's observation: MiniGrid's agent_dir steps
    along DIR_TO_VEC, and the scene's triangle points to that same cell."""
    spec = make_env(PUT_NEXT)
    env = spec.make_gym()
    env.reset(seed=3)
    agent = make_agent(PUT_NEXT, "put-next")
    noise = np.random.default_rng(0)
    directions, carried = set(), 0
    for _ in range(120):
        level = env.unwrapped.level
        scene = draw(spec.encode(env))
        (triangle,) = [item for item in scene["items"] if item["shape"] == "triangle"]
        assert (triangle["x"], triangle["y"]) == tuple(int(c) for c in level.agent_pos)
        assert triangle["dir"] == level.agent_dir
        assert POINTS[triangle["dir"]] == tuple(DIR_TO_VEC[level.agent_dir])
        assert level.mission in scene["caption"]
        discs = [item for item in scene["items"] if item.get("size") == 0.3]
        if level.carrying is None:
            assert discs == [] and "carrying nothing" in scene["caption"]
        else:
            assert [disc["fill"] for disc in discs] == [PALETTE[level.carrying.color]]
            assert f"carrying {level.carrying.color} {level.carrying.type}" in scene["caption"]
            carried += 1
        directions.add(triangle["dir"])
        if noise.random() < 0.3:
            action = int(noise.integers(2))  # a turn, so every direction is met
        else:
            action = spec.action_names.index(agent.act(spec.encode(env)))
        env.step(action)
    assert directions == {0, 1, 2, 3} and carried


def test_an_ended_episode_is_followed_by_a_new_one_and_the_clock_runs_on() -> None:
    spec = make_env(GO_TO)
    env = spec.make_gym()
    env.reset(seed=4)
    agent = make_agent(GO_TO, "go-to-object")
    missions, ends = [], []
    for t in range(30):
        observation = spec.encode(env)
        assert observation["t"] == t
        missions.append(observation["mission"])
        action = spec.action_names.index(agent.act(observation))
        _, _, terminated, truncated, info = env.step(action)
        assert not terminated and not truncated
        if "episode_end" in info:
            ends.append(info["episode_end"])
    assert len(ends) >= 2 and set(ends) == {"success"}
    assert len(set(missions)) >= 2


def test_swap_layout_starts_a_new_episode_deterministically() -> None:
    def run(seed: int) -> list[dict[str, object]]:
        env = MiniGridEpisodes("MiniGrid-Fetch-8x8-N3-v0")
        env.reset(seed=seed)
        env.step(2)
        before = encode(env)
        env.swap_layout()
        after = encode(env)
        assert after["t"] == before["t"] == 1
        assert (after["objects"], after["agent"]) != (before["objects"], before["agent"])
        return [before, after]

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_the_recorder_writes_a_trajectory_that_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "turning.jsonl"
    trajectory = record(
        "minigrid:MiniGrid-Fetch-8x8-N3-v0",
        lambda observation: "left" if observation["t"] % 2 else "forward",
        steps=12,
        seed=3,
        out=path,
        agent_label="turner",
    )
    assert trajectory.actions == ["forward", "left"] * 6
    again = read_trajectory(path)
    assert again.header.env == "minigrid:MiniGrid-Fetch-8x8-N3-v0"
    assert again.header.agent == "turner"
    assert [step.observation for step in again.steps] == [
        step.observation for step in trajectory.steps
    ]


def test_the_bc_encoder_separates_states_and_round_trips_through_json() -> None:
    spec = make_env("minigrid:BabyAI-PutNextLocal-v0")
    trajectory = record(spec.id, make_agent(spec.id, "put-next").act, steps=20, seed=0)
    observations = [step.observation for step in trajectory.steps]
    encoder = make_encoder(spec, observations)
    assert isinstance(encoder, MiniGridEncoder)
    clone = encoder_from_json(json.loads(json.dumps(encoder.to_json())))
    vectors = [encoder.encode(observation) for observation in observations]
    assert all(vector.shape == (encoder.dim,) for vector in vectors)
    assert all(
        np.array_equal(clone.encode(o), v) for o, v in zip(observations, vectors, strict=True)
    )
    assert len({vector.tobytes() for vector in vectors}) == len(vectors)  # every step differs
