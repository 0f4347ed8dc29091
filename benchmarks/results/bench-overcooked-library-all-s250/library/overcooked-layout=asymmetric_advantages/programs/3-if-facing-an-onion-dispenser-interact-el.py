"""Synthesized: if facing an onion dispenser: interact; else keep heading."""

from rote.skills.overcooked import ahead, parse


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.faces("O"):
            return "interact"
        return ahead(state)
