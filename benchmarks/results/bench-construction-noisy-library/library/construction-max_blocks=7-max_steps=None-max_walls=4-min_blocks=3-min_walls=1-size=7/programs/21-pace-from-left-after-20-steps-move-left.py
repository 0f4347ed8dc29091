"""Synthesized: pace from left, after 20 steps -> move left, when idle."""

from rote.skills.construction import Heading, move, parse


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0
        self.skill_0 = Heading("left")

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
        return move(state, "left")

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 20
        if self.mode == 1:
            return move(state, "left") == "stay"
        return False
