"""put-next-horizontal-first: put-next's plan, moving sideways before up or down.

The plan is put-next's: pick up the object the mission names first, then drop it on a free cell
beside the object it names second. The convention is another: among equally short paths it
takes the one whose moves come earliest in the order left, right, up, down (order "lrud"), and
heads for the cell that path reaches; it turns left where the move is behind it, as put-next
does.
"""

from rote.agents.conventions.navigation import Convention, arrive_at
from rote.skills.minigrid import beside, carrying, destination_cells, parse, target_cells

CONVENTION = Convention(order="lrud")


class Agent:
    def act(self, observation):
        state = parse(observation)
        if carrying(state):
            return arrive_at(state, beside(state, destination_cells(state)), "drop", CONVENTION)
        return arrive_at(state, target_cells(state), "pickup", CONVENTION)
