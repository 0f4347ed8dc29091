"""blue-next-to-blue-horizontal-first: blue-next-to-blue's plan, moving sideways first.

The plan is blue-next-to-blue's: pick up a blue block with no blue neighbour and drop it on a
free cell beside another blue block; a block of another colour in hand is dropped first, where
the agent stands or on the nearest free cell. The convention is another: among equally short
paths it takes the one whose moves come earliest in the order right, left, down, up (horizontal
moves first, right before left; vertical ones down before up: order "rldu"), and heads for the
goal that path reaches.
"""

from rote.agents.conventions.navigation import Convention, interact_at
from rote.skills.construction import beside, free_cells, isolated, parse

CONVENTION = Convention(order="rldu")


class Agent:
    def act(self, observation):
        state = parse(observation)
        blues = state.cells_of("blue")
        if state.held == "blue":
            return interact_at(state, beside(state, blues), CONVENTION)
        if state.held is not None:
            return interact_at(state, free_cells(state), CONVENTION)
        return interact_at(state, isolated(state, "blue"), CONVENTION)
