"""fetch-straight: fetch's plan, keeping straight on whenever that is as short.

The plan is fetch's: walk to face the nearest object the mission names, then pick it up. The
convention is another: when the way it faces starts a shortest path to the nearest such object,
it goes forward; otherwise it takes the first move of the path whose moves come earliest in the
order up, down, left, right, turning left where that move is behind it, as fetch does. So it
walks with as few turns as the order lets it.
"""

from rote.agents.conventions.navigation import Convention, arrive_at
from rote.skills.minigrid import parse, target_cells

CONVENTION = Convention(prefer="straight")


class Agent:
    def act(self, observation):
        state = parse(observation)
        return arrive_at(state, target_cells(state), "pickup", CONVENTION)
