"""Synthesized: pace from left, after 2 steps -> pace from down, after 1 step -> walk the ring
counterclockwise (order dlru), when idle."""

import copy
from rote.skills.construction import Heading, RingWalk, parse


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0
        self.skill_0 = Heading("left")
        self.skill_1 = Heading("down")
        self.skill_2 = RingWalk(False, order="dlru")

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
            return self.skill_1.act(state)
        return self.skill_2.act(state)

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 2
        if self.mode == 1:
            return self.steps >= 1
        if self.mode == 2:
            return copy.copy(self.skill_2).act(state) == "stay"
        return False
