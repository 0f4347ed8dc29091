"""Synthesized: copy the opponent's last (C first), after 4 steps -> play C, after 2 steps."""

from rote.skills.repeated_game import copy_last, parse


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
            return copy_last(state, "C")
        return "C"

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 4
        if self.mode == 1:
            return self.steps >= 2
        return False
