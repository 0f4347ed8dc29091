"""up-down: go up until a wall is next, then down until a wall is next, and so on."""

from rote.skills.construction import Heading, parse


class Agent:
    def __init__(self):
        self.heading = Heading("up")

    def act(self, observation):
        return self.heading.act(parse(observation))
