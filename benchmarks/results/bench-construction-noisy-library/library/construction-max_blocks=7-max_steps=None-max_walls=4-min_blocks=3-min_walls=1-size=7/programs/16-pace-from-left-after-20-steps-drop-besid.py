"""Synthesized: pace from left, after 20 steps -> drop beside green, after 1 step -> pace from
left, after 3 steps."""

from rote.skills.construction import Heading, beside, fetch, parse


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
            return fetch(state, beside(state, state.cells_of("green")))
        return self.skill_0.act(state)

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 20
        if self.mode == 1:
            return self.steps >= 1
        if self.mode == 2:
            return self.steps >= 3
        return False
