"""Synthesized: if holding nothing: use an onion dispenser; if facing a counter: keep heading;
else use a pot."""

from rote.skills.overcooked import ahead, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held is None:
            return use(state, state.onions())
        if state.faces("X"):
            return ahead(state)
        return use(state, state.all_pots())
