"""Synthesized: stay, after 10 steps -> move right, after 1 step."""

from rote.skills.construction import move, parse


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0

    def act(self, observation):
        state = parse(observation)
        for _ in range(1):
            if not self.leaving(state):
                break
            self.mode = (self.mode + 1) % 2
            self.steps = 0
        self.steps += 1
        if self.mode == 0:
            return "stay"
        return move(state, "right")

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 10
        if self.mode == 1:
            return self.steps >= 1
        return False
