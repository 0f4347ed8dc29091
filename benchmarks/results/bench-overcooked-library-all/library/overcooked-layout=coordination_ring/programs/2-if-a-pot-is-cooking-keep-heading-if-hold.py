"""Synthesized: if a pot is cooking: keep heading; if holding nothing: go to an onion
dispenser; else use a pot."""

from rote.skills.overcooked import ahead, approach, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.any_pot("cooking"):
            return ahead(state)
        if state.me.held is None:
            return approach(state, state.onions())
        return use(state, state.all_pots())
