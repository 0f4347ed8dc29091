"""left-right: go left until a wall is next, then right until a wall is next, and so on."""

from rote.skills.construction import bounce, move, parse

START = "left"


class Agent:
    def __init__(self):
        self.direction = START

    def act(self, observation):
        state = parse(observation)
        self.direction = bounce(state, self.direction)
        return move(state, self.direction)
