"""Synthesized: walk the ring counterclockwise, after 18 steps -> drop on the nearest free
cell, after 1 step -> walk the ring counterclockwise, after 18 steps."""

from rote.skills.construction import RingWalk, fetch, free_cells, parse


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0
        self.skill_0 = RingWalk(False)

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
            return fetch(state, free_cells(state))
        return self.skill_0.act(state)

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 18
        if self.mode == 1:
            return self.steps >= 1
        if self.mode == 2:
            return self.steps >= 18
        return False
