"""snake: sweep the grid row by row; run sideways to a wall, step one row, run back.

At the last row the vertical direction flips, so the sweep then runs back up.
"""

from rote.skills.construction import OPPOSITE, blocked, bounce, move, parse


class Agent:
    def __init__(self):
        self.horizontal = "right"
        self.vertical = "down"

    def act(self, observation):
        state = parse(observation)
        if not blocked(state, self.horizontal):
            return self.horizontal
        self.horizontal = OPPOSITE[self.horizontal]
        self.vertical = bounce(state, self.vertical)
        if not blocked(state, self.vertical):
            return self.vertical
        return move(state, self.horizontal)
