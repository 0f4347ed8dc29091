"""The contract every registered scripted agent keeps, checked for each env family in one place.

It acts with the env's action names; a program-file agent (`class Agent` in a module of its own)
imports only skills modules (and `random`), and replays in the sandbox exactly as it runs here:
the sandbox builds `Agent()`, whose `random.Random()` it seeds with 0, so an agent that takes
`rng` is compared with `Agent(rng=random.Random(0))`, and must play otherwise on another seed.
"""

from __future__ import annotations

import ast
import inspect
import random
from pathlib import Path

import pytest

from rote import make_env, rollout, skills
from rote.agents import AgentFactory, agent_source, make_agent
from rote.agents.minigrid import LEVELS
from rote.envs import LayoutSwappable, registrations
from rote.errors import AgentError
from rote.observation import Observation
from rote.plugins import load_plugin
from rote.programs import Sandbox

load_plugin(str(Path(__file__).parents[2] / "docs" / "examples" / "conveyor.py"))

STEPS = 100
"""Long enough for a stochastic agent's seed to show (noisy tit-for-tat slips one time in 10)."""


def cases() -> list[tuple[str, str]]:
    """(env id, agent name) for every agent of every family; a family registered by prefix is
    played on the agent's own level."""
    found = []
    for family in registrations():
        for name in family.agent_factories():
            level = next((lv for lv, agent in LEVELS.items() if agent == name), None)
            found.append((level if family.prefix and level else family.id, name))
    return found


def factory_of(env_id: str, name: str) -> AgentFactory:
    return next(f for f in registrations() if env_id.startswith(f.id)).agent_factories()[name]


def program_file(env_id: str, name: str) -> str:
    """The source of a program-file agent; the test is skipped for any other kind."""
    try:
        return agent_source(env_id, name)
    except AgentError:
        pytest.skip("not a program file")


def in_process(factory: AgentFactory, seed: int, observations: list[Observation]) -> list[str]:
    takes_rng = "rng" in inspect.signature(factory).parameters
    agent = factory(rng=random.Random(seed)) if takes_rng else factory()
    return [agent.act(observation) for observation in observations]


@pytest.mark.parametrize(("env_id", "name"), cases())
def test_an_agent_acts_with_the_envs_actions(env_id: str, name: str) -> None:
    spec = make_env(env_id)
    trajectory = rollout(spec, make_agent(env_id, name, seed=1), steps=40, seed=3)
    assert set(trajectory.actions) <= set(spec.action_names)


@pytest.mark.parametrize(("env_id", "name"), cases())
def test_a_program_file_imports_only_skills_modules(env_id: str, name: str) -> None:
    source = program_file(env_id, name)
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert imported - {"__future__", "random"} <= set(skills.modules())


@pytest.mark.parametrize(("env_id", "name"), cases())
def test_a_program_file_replays_in_the_sandbox_as_it_runs_here(
    sandbox: Sandbox, env_id: str, name: str
) -> None:
    factory = factory_of(env_id, name)
    source = program_file(env_id, name)
    spec = make_env(env_id)
    swaps = spec.simulated and isinstance(spec.make_gym().unwrapped, LayoutSwappable)
    agent = make_agent(env_id, name, seed=5)
    trajectory = rollout(spec, agent, steps=STEPS, seed=2, swap_at=STEPS // 2 if swaps else None)
    observations = [step.observation for step in trajectory.steps]
    (result,) = sandbox.replay([source], observations, spec.action_names)
    assert result.error is None, result.error
    assert result.outputs == in_process(factory, 0, observations)
    if "rng" in inspect.signature(factory).parameters:
        assert in_process(factory, 1, observations) != in_process(factory, 0, observations)


def test_every_family_with_agents_is_checked() -> None:
    families = {env_id.partition(":")[0] for env_id, _ in cases()}
    assert {"construction", "repeated-game", "minigrid", "conveyor"} <= families
