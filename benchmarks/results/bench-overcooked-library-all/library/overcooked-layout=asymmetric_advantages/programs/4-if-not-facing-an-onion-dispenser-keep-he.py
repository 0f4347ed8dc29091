"""Synthesized: if not facing an onion dispenser: keep heading; else stay."""

from rote.skills.overcooked import ahead, parse


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if not (state.faces("O")):
            return ahead(state)
        return "stay"
