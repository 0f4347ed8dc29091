"""l-shape: trace repeated L shapes, two vertical moves then one horizontal, bouncing off walls."""

from rote.skills.construction import bounce, move, parse

PATTERN = ("vertical", "vertical", "horizontal")


class Agent:
    def __init__(self):
        self.phase = 0
        self.directions = {"vertical": "down", "horizontal": "right"}

    def act(self, observation):
        state = parse(observation)
        axis = PATTERN[self.phase]
        self.phase = (self.phase + 1) % len(PATTERN)
        self.directions[axis] = bounce(state, self.directions[axis])
        return move(state, self.directions[axis])
