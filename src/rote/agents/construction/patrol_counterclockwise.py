"""patrol-counterclockwise: walk round the ring of cells next to the outer wall, counterclockwise.

The next ring cell is remembered, so a detour round a wall on the ring does not turn back.
"""

from rote.skills.construction import parse, ring_successor, walk

CLOCKWISE = False


class Agent:
    def __init__(self):
        self.target = None

    def act(self, observation):
        state = parse(observation)
        if self.target is None or self.target == state.agent or state.is_wall(self.target):
            self.target = ring_successor(state, CLOCKWISE)
        return "stay" if self.target is None else walk(state, [self.target])
