"""Synthesized: if facing floor: keep heading; else stay."""

from rote.skills.overcooked import ahead, parse


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.faces(" "):
            return ahead(state)
        return "stay"
