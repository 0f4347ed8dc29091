"""Synthesized: walk the ring counterclockwise, after 32 steps -> walk the ring clockwise,
after 1 step."""

from rote.skills.construction import RingWalk, parse


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0
        self.skill_0 = RingWalk(False)
        self.skill_1 = RingWalk(True)

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
        return self.skill_1.act(state)

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 32
        if self.mode == 1:
            return self.steps >= 1
        return False
