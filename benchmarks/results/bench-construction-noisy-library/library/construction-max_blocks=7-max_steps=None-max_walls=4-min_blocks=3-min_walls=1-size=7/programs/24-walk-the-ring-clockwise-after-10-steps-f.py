"""Synthesized: walk the ring clockwise, after 10 steps -> fetch the nearest block, after 1
step -> walk the ring clockwise, after 10 steps."""

from rote.skills.construction import RingWalk, fetch, parse


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0
        self.skill_0 = RingWalk(True)

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
            return fetch(state, state.blocks)
        return self.skill_0.act(state)

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 10
        if self.mode == 1:
            return self.steps >= 1
        if self.mode == 2:
            return self.steps >= 10
        return False
