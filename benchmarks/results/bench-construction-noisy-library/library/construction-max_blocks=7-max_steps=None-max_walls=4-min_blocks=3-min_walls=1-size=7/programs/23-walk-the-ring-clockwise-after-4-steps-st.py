"""Synthesized: walk the ring clockwise, after 4 steps -> stay, after 1 step -> walk the ring
clockwise, when idle."""

import copy
from rote.skills.construction import RingWalk, parse


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
            return "stay"
        return self.skill_0.act(state)

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 4
        if self.mode == 1:
            return self.steps >= 1
        if self.mode == 2:
            return copy.copy(self.skill_0).act(state) == "stay"
        return False
