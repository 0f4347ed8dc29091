"""patrol-counterclockwise: walk round the ring of cells next to the outer wall, counterclockwise.

The next ring cell is remembered, so a detour round a wall on the ring does not turn back.
"""

from rote.skills.construction import RingWalk, parse


class Agent:
    def __init__(self):
        self.walk = RingWalk(clockwise=False)

    def act(self, observation):
        return self.walk.act(parse(observation))
