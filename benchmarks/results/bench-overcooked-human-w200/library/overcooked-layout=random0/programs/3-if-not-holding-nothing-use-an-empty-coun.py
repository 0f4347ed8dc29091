"""Synthesized: if not holding nothing: use an empty counter; if stepped last tick: go to an
empty counter (order lrdu); if facing a dish dispenser: interact; else use an onion
dispenser."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if not (state.me.held is None):
            return use(state, state.counters())
        if state.stepped:
            return approach(state, state.counters(), order="lrdu")
        if state.faces("D"):
            return "interact"
        return use(state, state.onions())
