"""Synthesized: if not holding nothing: use an empty counter (order rlud); else use an onion
dispenser."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if not (state.me.held is None):
            return use(state, state.counters(), order="rlud")
        return use(state, state.onions())
