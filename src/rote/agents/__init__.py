"""Scripted agents: behaviour programs whose true program we know, one package per env family.

Each family's agents are named in its registration (`rote.envs.register`); `make_agent` builds
one by env id and name.
"""

from rote.agents.base import (
    Agent,
    AgentFactory,
    NoisyAgent,
    agent_description,
    agent_source,
    build_agent,
    make_agent,
)
from rote.envs.registry import agent_names

__all__ = [
    "Agent",
    "AgentFactory",
    "NoisyAgent",
    "agent_description",
    "agent_names",
    "agent_source",
    "build_agent",
    "make_agent",
]
