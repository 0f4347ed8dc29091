"""Synthesized: pace from left, after 3 steps -> pace from left, after 3 steps -> walk to
green, when idle."""

from rote.skills.construction import Heading, parse, walk


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0
        self.skill_0 = Heading("left")

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
            return self.skill_0.act(state)
        return walk(state, state.cells_of("green"))

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 3
        if self.mode == 1:
            return self.steps >= 3
        if self.mode == 2:
            return walk(state, state.cells_of("green")) == "stay"
        return False
