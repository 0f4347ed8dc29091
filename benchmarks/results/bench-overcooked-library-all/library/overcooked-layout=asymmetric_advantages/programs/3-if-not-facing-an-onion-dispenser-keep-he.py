"""Synthesized: if not facing an onion dispenser: keep heading; if holding nothing: interact;
else move down."""

from rote.skills.overcooked import ahead, parse


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if not (state.faces("O")):
            return ahead(state)
        if state.me.held is None:
            return "interact"
        return "down"
