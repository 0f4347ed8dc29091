"""Synthesized: if not a pot has room: keep heading; if holding nothing: go to an onion
dispenser; else use a pot."""

from rote.skills.overcooked import ahead, approach, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if not (state.any_pot("room")):
            return ahead(state)
        if state.me.held is None:
            return approach(state, state.onions())
        return use(state, state.all_pots())
