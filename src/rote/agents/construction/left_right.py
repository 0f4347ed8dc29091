"""left-right: go left until a wall is next, then right until a wall is next, and so on."""

from rote.skills.construction import Heading, parse


class Agent:
    def __init__(self):
        self.heading = Heading("left")

    def act(self, observation):
        return self.heading.act(parse(observation))
