"""Synthesized: if holding nothing: use an onion dispenser; else use a pot."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held is None:
            return use(state, state.onions())
        return use(state, state.all_pots())
