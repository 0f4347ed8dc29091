"""The scripted MiniGrid agents solve their levels, span several episodes in a recording, and
run in the sandbox as they run in-process."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from rote.agents import agent_names, make_agent
from rote.agents import minigrid as agents
from rote.envs import make_env
from rote.rollout import generate, rollout

BENCHMARK = {
    "minigrid:MiniGrid-GoToObject-8x8-N2-v0": "go-to-object",
    "minigrid:MiniGrid-Fetch-8x8-N3-v0": "fetch",
    "minigrid:BabyAI-PutNextLocal-v0": "put-next",
}
SEEDS = 20


def test_every_level_has_its_agent_registered() -> None:
    for env_id, name in agents.LEVELS.items():
        assert name in agent_names(env_id)
    assert agent_names("minigrid:MiniGrid-Empty-5x5-v0") == list(agents.MODULES)
    assert set(BENCHMARK.items()) <= set(agents.LEVELS.items())


@pytest.mark.parametrize("env_id", list(BENCHMARK))
def test_the_agent_solves_its_level(env_id: str) -> None:
    """Success rate of the first episode over SEEDS layouts."""
    spec = make_env(env_id)
    outcomes = []
    for seed in range(SEEDS):
        env = spec.make_gym()
        env.reset(seed=seed)
        agent = make_agent(env_id, BENCHMARK[env_id])
        info: dict[str, str] = {}
        while "episode_end" not in info:
            action = spec.action_names.index(agent.act(spec.encode(env)))
            info = env.step(action)[4]
        outcomes.append(info["episode_end"])
    assert outcomes.count("success") / SEEDS >= 0.95, outcomes


@pytest.mark.parametrize("env_id", list(BENCHMARK))
def test_a_60_step_recording_spans_several_episodes(env_id: str) -> None:
    spec = make_env(env_id)
    trajectory = rollout(spec, make_agent(env_id, BENCHMARK[env_id]), steps=60, seed=0)
    layouts = [repr(step.observation["objects"]) for step in trajectory.steps]
    new_episodes = sum(a != b for a, b in itertools.pairwise(layouts))
    assert new_episodes >= 2, layouts


def test_generate_records_minigrid_episodes(tmp_path: Path) -> None:
    env_id = "minigrid:MiniGrid-Fetch-8x8-N3-v0"
    report = generate(env_id, ["fetch"], episodes=2, steps=15, seed=0, out_dir=tmp_path)
    assert len(report.written) == 2
