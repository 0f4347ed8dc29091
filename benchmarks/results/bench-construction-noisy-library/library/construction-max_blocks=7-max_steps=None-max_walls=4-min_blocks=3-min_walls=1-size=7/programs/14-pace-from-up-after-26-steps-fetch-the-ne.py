"""Synthesized: pace from up, after 26 steps -> fetch the nearest block, after 1 step."""

from rote.skills.construction import Heading, fetch, parse


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0
        self.skill_0 = Heading("up")

    def act(self, observation):
        state = parse(observation)
        for _ in range(1):
            if not self.leaving(state):
                break
            self.mode = (self.mode + 1) % 2
            self.steps = 0
        self.steps += 1
        if self.mode == 0:
            return self.skill_0.act(state)
        return fetch(state, state.blocks)

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 26
        if self.mode == 1:
            return self.steps >= 1
        return False
