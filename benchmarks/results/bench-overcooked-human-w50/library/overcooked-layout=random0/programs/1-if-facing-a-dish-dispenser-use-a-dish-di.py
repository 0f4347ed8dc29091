"""Synthesized: if facing a dish dispenser: use a dish dispenser; if not holding nothing: use
an empty counter (order lrdu); else use an onion dispenser."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.faces("D"):
            return use(state, state.dishes())
        if not (state.me.held is None):
            return use(state, state.counters(), order="lrdu")
        return use(state, state.onions())
