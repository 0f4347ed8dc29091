"""Scripted MiniGrid/BabyAI agents: follow the mission text along shortest paths.

Each file is a standalone program (`class Agent` with `act(observation) -> action name`) that
imports only `rote.skills.minigrid`, so the same source runs here as a scripted agent and in the
sandbox as a program. They are deterministic and read the mission afresh every step, so they
carry on through the new episodes (new layouts and missions) that rote's MiniGrid env starts
whenever one ends.
"""

from __future__ import annotations

from rote.agents.base import AgentFactory, program_agents

MODULES: dict[str, str] = {
    "go-to-object": "go_to_object",
    "fetch": "fetch",
    "put-next": "put_next",
}
"""Agent name to program module."""

LEVELS: dict[str, str] = {
    "minigrid:MiniGrid-GoToObject-8x8-N2-v0": "go-to-object",
    "minigrid:MiniGrid-GoToObject-6x6-N2-v0": "go-to-object",
    "minigrid:BabyAI-GoToLocal-v0": "go-to-object",
    "minigrid:MiniGrid-Fetch-8x8-N3-v0": "fetch",
    "minigrid:MiniGrid-Fetch-6x6-N2-v0": "fetch",
    "minigrid:MiniGrid-Fetch-5x5-N2-v0": "fetch",
    "minigrid:BabyAI-PutNextLocal-v0": "put-next",
}
"""Env id to the agent that serves it; the first level of each agent is its benchmark."""


AGENTS: dict[str, AgentFactory] = program_agents(__name__, MODULES)
"""The MiniGrid agents, by name."""
