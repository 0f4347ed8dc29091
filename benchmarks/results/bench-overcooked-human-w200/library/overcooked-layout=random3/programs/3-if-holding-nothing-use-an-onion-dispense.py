"""Synthesized: if holding nothing: use an onion dispenser; if facing an onion dispenser: go to
an onion dispenser; else keep heading."""

from rote.skills.overcooked import ahead, approach, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held is None:
            return use(state, state.onions())
        if state.faces("O"):
            return approach(state, state.onions())
        return ahead(state)
