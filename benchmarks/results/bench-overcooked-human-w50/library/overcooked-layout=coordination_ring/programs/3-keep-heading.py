"""Synthesized: keep heading."""

from rote.skills.overcooked import ahead, parse


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        return ahead(state)
