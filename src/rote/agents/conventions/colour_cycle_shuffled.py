"""colour-cycle-shuffled: colour-cycle's plan, breaking ties by a random but fixed move order.

The plan is colour-cycle's: visit blocks green, blue, purple, green, ... without picking them
up, skipping absent colours. The convention is a fixed permutation of the four moves drawn once
by `random.Random("colour-cycle-shuffled")`: down, left, right, up (order "dlru"). Among
equally short paths to the nearest block of the colour it takes the one whose moves come
earliest in that order, and heads for the block that path reaches.
"""

import random

from rote.agents.conventions.navigation import Convention, walk_toward
from rote.skills.construction import parse

CYCLE = ("green", "blue", "purple")
NAME = "colour-cycle-shuffled"
CONVENTION = Convention(order="".join(random.Random(NAME).sample("udlr", 4)))


class Agent:
    def __init__(self):
        self.target = 0

    def act(self, observation):
        state = parse(observation)
        for _ in CYCLE:
            colour = CYCLE[self.target]
            goals = state.cells_of(colour)
            if goals and state.blocks.get(state.agent) != colour:
                return walk_toward(state, goals, CONVENTION)
            self.target = (self.target + 1) % len(CYCLE)
        return "stay"
