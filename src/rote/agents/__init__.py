"""Scripted agents per env, and the registry `make_agent` draws from."""

from rote.agents import construction, minigrid, repeated_game
from rote.agents.base import Agent, NoisyAgent, agent_names, make_agent, register_agent

for _name, _factory in construction.FAMILIES.items():
    register_agent("construction", _name, _factory)
for _name, _factory in repeated_game.STRATEGIES.items():
    register_agent("repeated-game", _name, _factory)
for _env_id, _name in minigrid.LEVELS.items():
    register_agent(_env_id, _name, minigrid.AGENTS[_name])

__all__ = ["Agent", "NoisyAgent", "agent_names", "make_agent", "register_agent"]
