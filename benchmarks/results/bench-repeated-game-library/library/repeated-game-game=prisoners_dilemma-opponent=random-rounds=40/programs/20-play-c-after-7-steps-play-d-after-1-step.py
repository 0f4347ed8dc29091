"""Synthesized: play C, after 7 steps -> play D, after 1 step -> play C, after 2 steps."""

from rote.skills.repeated_game import parse


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0

    def act(self, observation):
        state = parse(observation)
        for _ in range(2):
            if not self.leaving(state):
                break
            self.mode = (self.mode + 1) % 3
            self.steps = 0
        self.steps += 1
        if self.mode == 0:
            return "C"
        if self.mode == 1:
            return "D"
        return "C"

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 7
        if self.mode == 1:
            return self.steps >= 1
        if self.mode == 2:
            return self.steps >= 2
        return False
