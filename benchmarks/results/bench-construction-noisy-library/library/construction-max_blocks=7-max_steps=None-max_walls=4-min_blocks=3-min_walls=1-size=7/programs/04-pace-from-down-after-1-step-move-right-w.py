"""Synthesized: pace from down, after 1 step -> move right, when idle -> pace from down, after
1 step -> move left, when idle."""

from rote.skills.construction import Heading, move, parse


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0
        self.skill_0 = Heading("down")

    def act(self, observation):
        state = parse(observation)
        for _ in range(4):
            if not self.leaving(state):
                break
            self.mode = (self.mode + 1) % 4
            self.steps = 0
        self.steps += 1
        if self.mode == 0:
            return self.skill_0.act(state)
        if self.mode == 1:
            return move(state, "right")
        if self.mode == 2:
            return self.skill_0.act(state)
        return move(state, "left")

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 1
        if self.mode == 1:
            return move(state, "right") == "stay"
        if self.mode == 2:
            return self.steps >= 1
        if self.mode == 3:
            return move(state, "left") == "stay"
        return False
