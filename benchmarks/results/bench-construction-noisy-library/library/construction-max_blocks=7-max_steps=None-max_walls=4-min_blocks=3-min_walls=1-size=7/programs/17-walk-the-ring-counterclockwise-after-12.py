"""Synthesized: walk the ring counterclockwise, after 12 steps -> interact, after 1 step ->
stay, after 1 step -> walk the ring counterclockwise, when idle."""

import copy
from rote.skills.construction import RingWalk, parse


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0
        self.skill_0 = RingWalk(False)

    def act(self, observation):
        state = parse(observation)
        for _ in range(3):
            if not self.leaving(state):
                break
            self.mode = (self.mode + 1) % 4
            self.steps = 0
        self.steps += 1
        if self.mode == 0:
            return self.skill_0.act(state)
        if self.mode == 1:
            return "interact"
        if self.mode == 2:
            return "stay"
        return self.skill_0.act(state)

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 12
        if self.mode == 1:
            return self.steps >= 1
        if self.mode == 2:
            return self.steps >= 1
        if self.mode == 3:
            return copy.copy(self.skill_0).act(state) == "stay"
        return False
