"""The ROTE paper's ten scripted Construction families, each a behaviour program in its own file.

Each file is a standalone program (`class Agent` with `act(observation) -> action name`) that
imports only `rote.skills.construction`, so the same source runs here as a scripted agent and in
the sandbox as a particle: the list proposer's library is these files. docs/agents.md describes
each family.
"""

from __future__ import annotations

from rote.agents.base import AgentFactory, program_agents

MODULES: dict[str, str] = {
    "colour-cycle": "colour_cycle",
    "patrol-clockwise": "patrol_clockwise",
    "patrol-counterclockwise": "patrol_counterclockwise",
    "left-right": "left_right",
    "up-down": "up_down",
    "blue-next-to-blue": "blue_next_to_blue",
    "l-shape": "l_shape",
    "green-to-corner": "green_to_corner",
    "pink-to-corner": "pink_to_corner",
    "snake": "snake",
}
"""Family name to program module, in the paper's order."""


AGENTS: dict[str, AgentFactory] = program_agents(__name__, MODULES)
"""The ten Construction behaviour families, by name, in the paper's order."""
