"""Synthesized: walk to green, when idle -> walk to blue, when idle -> walk to purple, when
idle."""

from rote.skills.construction import parse, walk


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
            return walk(state, state.cells_of("green"))
        if self.mode == 1:
            return walk(state, state.cells_of("blue"))
        return walk(state, state.cells_of("purple"))

    def leaving(self, state):
        if self.mode == 0:
            return walk(state, state.cells_of("green")) == "stay"
        if self.mode == 1:
            return walk(state, state.cells_of("blue")) == "stay"
        if self.mode == 2:
            return walk(state, state.cells_of("purple")) == "stay"
        return False
