"""patrol-clockwise-horizontal-first: patrol-clockwise's plan, moving sideways first.

The plan is patrol-clockwise's: walk to the nearest cell of the ring next to the outer wall,
then round the ring clockwise, remembering the next ring cell so a detour round a wall on the
ring does not turn back. The convention is another: among equally short paths (to the ring, and
round a wall on it) it takes the one whose moves come earliest in the order left, right, up,
down (order "lrud"), and heads for the ring cell that path reaches.
"""

from rote.agents.conventions.navigation import Convention, walk_target, walk_toward
from rote.skills.construction import parse, ring

CLOCKWISE = True
CONVENTION = Convention(order="lrud")


class Agent:
    def __init__(self):
        self.target = None

    def act(self, observation):
        state = parse(observation)
        if self.target is None or self.target == state.agent or state.is_wall(self.target):
            self.target = self.successor(state)
        return "stay" if self.target is None else walk_toward(state, [self.target], CONVENTION)

    def successor(self, state):
        """The next ring cell when on the ring, else the ring cell the walk heads for."""
        cells = ring(state, CLOCKWISE)
        if state.agent not in cells:
            return walk_target(state, cells, CONVENTION)
        following = cells[(cells.index(state.agent) + 1) % len(cells)]
        return None if following == state.agent else following
