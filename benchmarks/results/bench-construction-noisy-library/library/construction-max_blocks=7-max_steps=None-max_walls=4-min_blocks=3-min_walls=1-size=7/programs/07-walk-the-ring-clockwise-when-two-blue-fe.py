"""Synthesized: walk the ring clockwise, when two blue -> fetch a lone purple, when idle ->
walk the ring clockwise, when idle."""

import copy
from rote.skills.construction import RingWalk, fetch, isolated, parse


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0
        self.skill_0 = RingWalk(True)

    def act(self, observation):
        state = parse(observation)
        for _ in range(2):
            if not self.leaving(state):
                break
            self.mode = (self.mode + 1) % 3
            self.steps = 0
        self.steps += 1
        if self.mode == 0:
            return self.skill_0.act(state)
        if self.mode == 1:
            return fetch(state, isolated(state, "purple"))
        return self.skill_0.act(state)

    def leaving(self, state):
        if self.mode == 0:
            return len(state.cells_of("blue")) >= 2
        if self.mode == 1:
            return fetch(state, isolated(state, "purple")) == "stay"
        if self.mode == 2:
            return copy.copy(self.skill_0).act(state) == "stay"
        return False
