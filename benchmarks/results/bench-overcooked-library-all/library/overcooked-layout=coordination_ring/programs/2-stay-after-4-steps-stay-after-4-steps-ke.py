"""Synthesized: stay, after 4 steps -> stay, after 4 steps -> keep heading, when idle."""

from rote.skills.overcooked import ahead, parse


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0

    def act(self, observation):
        state = parse(observation)
        for _ in range(3):
            if not self.leaving(state):
                break
            self.mode = (self.mode + 1) % 3
            self.steps = 0
        self.steps += 1
        if self.mode == 0:
            return "stay"
        if self.mode == 1:
            return "stay"
        return ahead(state)

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 4
        if self.mode == 1:
            return self.steps >= 4
        if self.mode == 2:
            return ahead(state) == "stay"
        return False
