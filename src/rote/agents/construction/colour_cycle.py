"""colour-cycle: visit blocks green, blue, purple, green, ... without picking them up.

Absent colours are skipped; standing on a block of the target colour moves on to the next.
"""

from rote.skills.construction import parse, walk

CYCLE = ("green", "blue", "purple")


class Agent:
    def __init__(self):
        self.target = 0

    def act(self, observation):
        state = parse(observation)
        for _ in CYCLE:
            colour = CYCLE[self.target]
            goals = state.cells_of(colour)
            if goals and state.blocks.get(state.agent) != colour:
                return walk(state, goals)
            self.target = (self.target + 1) % len(CYCLE)
        return "stay"
