"""Synthesized: pace from down, when any purple -> pace from left, after 1 step -> pace from
down, when idle."""

import copy
from rote.skills.construction import Heading, parse


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0
        self.skill_0 = Heading("down")
        self.skill_1 = Heading("left")

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
        return self.skill_0.act(state)

    def leaving(self, state):
        if self.mode == 0:
            return bool(state.cells_of("purple"))
        if self.mode == 1:
            return self.steps >= 1
        if self.mode == 2:
            return copy.copy(self.skill_0).act(state) == "stay"
        return False
