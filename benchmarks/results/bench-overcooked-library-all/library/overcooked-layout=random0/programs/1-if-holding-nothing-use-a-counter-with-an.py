"""Synthesized: if holding nothing: use a counter with an onion; else use a pot with room."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held is None:
            return use(state, state.counters("onion"))
        return use(state, state.pots_where("room"))
