"""Scripted agents per env, and the registry `make_agent` draws from."""

from rote.agents import construction
from rote.agents.base import Agent, NoisyAgent, agent_names, make_agent, register_agent

for _name, _factory in construction.FAMILIES.items():
    register_agent("construction", _name, _factory)

__all__ = ["Agent", "NoisyAgent", "agent_names", "make_agent", "register_agent"]
