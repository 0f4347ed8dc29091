"""Scripted agents: ground-truth behaviour programs whose true program we know.

A scripted agent has the same shape as a behaviour program that rote infers: an object with
`act(observation) -> action name` that may keep internal state between calls. That lets the
same code serve as data generator, as ground truth in tests, and as a program in the sandbox.
"""

from __future__ import annotations

import importlib
import random
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from rote.envs.registry import agent_factory, instantiate
from rote.errors import AgentError
from rote.observation import Observation
from rote.programs.program import first_paragraph


class Agent(Protocol):
    """Anything that maps an observation to an action name, possibly keeping state."""

    def act(self, observation: Observation) -> str: ...


class NoisyAgent:
    """With probability `noise`, a uniformly random action instead of the inner agent's.

    The inner agent still sees every observation and advances its own state, so its program
    keeps running underneath the slips: exactly the epsilon-noise model ROTE's likelihood assumes.
    """

    def __init__(
        self, inner: Agent, noise: float, action_names: Sequence[str], rng: random.Random
    ) -> None:
        if not 0.0 <= noise <= 1.0:
            raise AgentError(f"noise must be between 0 and 1, not {noise}")
        self.inner = inner
        self.noise = noise
        self.action_names = tuple(action_names)
        self.rng = rng

    def act(self, observation: Observation) -> str:
        action = self.inner.act(observation)
        if self.noise and self.rng.random() < self.noise:
            return self.rng.choice(self.action_names)
        return action


AgentFactory = Callable[..., Agent]
"""Builds a fresh agent; a stochastic one takes `rng: random.Random`, which make_agent seeds."""


def make_agent(
    env_id: str,
    name: str,
    *,
    noise: float = 0.0,
    action_names: Sequence[str] = (),
    seed: int = 0,
) -> Agent:
    """A fresh scripted agent of `env_id`'s family, wrapped in `NoisyAgent` when `noise` > 0
    (the noise draws from its own stream, apart from a stochastic agent's)."""
    factory = agent_factory(env_id, name)
    return build_agent(factory, noise=noise, action_names=action_names, seed=seed)


def build_agent(
    factory: AgentFactory,
    *,
    noise: float = 0.0,
    action_names: Sequence[str] = (),
    seed: int = 0,
) -> Agent:
    """`make_agent` for an agent registered for no env (a test set's, e.g. rote.agents.
    conventions): a fresh one from its factory, seeded and wrapped the same way."""
    agent = instantiate(factory, seed=seed)
    if noise:
        return NoisyAgent(agent, noise, action_names, random.Random(seed))
    return agent


def agent_source(env_id: str, name: str) -> str:
    """The source of a scripted agent that is a program file (`class Agent` in a module of its
    own), as the sandbox runs it: what a list proposer or a test replays. AgentError for an
    agent of another kind."""
    factory = agent_factory(env_id, name)
    module = sys.modules.get(getattr(factory, "__module__", ""))
    path = getattr(module, "__file__", None)
    if getattr(factory, "__name__", "") != "Agent" or path is None:
        raise AgentError(f'agent "{name}" of env "{env_id}" is not a program file')
    return Path(path).read_text(encoding="utf-8")


def agent_description(env_id: str, name: str) -> str:
    """An agent's one-line description: the first docstring paragraph of its program file
    (without the `name:` it starts with), or of its class; empty if it has none."""
    factory = agent_factory(env_id, name)
    module = sys.modules.get(getattr(factory, "__module__", ""))
    program_file = getattr(factory, "__name__", "") == "Agent"
    doc = (module.__doc__ if program_file and module is not None else factory.__doc__) or ""
    return first_paragraph(doc).removeprefix(f"{name}:").strip()


def program_agents(package: str, modules: Mapping[str, str]) -> dict[str, AgentFactory]:
    """Name to the `Agent` class of each program file `modules[name]` in `package`."""
    return {
        name: importlib.import_module(f"{package}.{module}").Agent
        for name, module in modules.items()
    }
