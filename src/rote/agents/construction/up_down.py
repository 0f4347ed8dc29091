"""up-down: go up until a wall is next, then down until a wall is next, and so on."""

from rote.skills.construction import bounce, move, parse

START = "up"


class Agent:
    def __init__(self):
        self.direction = START

    def act(self, observation):
        state = parse(observation)
        self.direction = bounce(state, self.direction)
        return move(state, self.direction)
