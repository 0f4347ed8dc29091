"""Synthesized: pace from down, after 2 steps -> pace from right, after 1 step."""

from rote.skills.construction import Heading, parse


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0
        self.skill_0 = Heading("down")
        self.skill_1 = Heading("right")

    def act(self, observation):
        state = parse(observation)
        for _ in range(2):
            if not self.leaving(state):
                break
            self.mode = (self.mode + 1) % 2
            self.steps = 0
        self.steps += 1
        if self.mode == 0:
            return self.skill_0.act(state)
        return self.skill_1.act(state)

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 2
        if self.mode == 1:
            return self.steps >= 1
        return False
