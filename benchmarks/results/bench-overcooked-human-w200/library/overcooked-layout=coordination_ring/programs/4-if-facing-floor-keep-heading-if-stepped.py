"""Synthesized: if facing floor: keep heading; if stepped last tick: keep heading; if bumped
last tick: keep heading; else stay."""

from rote.skills.overcooked import ahead, parse


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.faces(" "):
            return ahead(state)
        if state.stepped:
            return ahead(state)
        if state.bumped:
            return ahead(state)
        return "stay"
