"""Synthesized: if not holding nothing: use an empty counter (order lrud); if not facing a dish
dispenser: use an onion dispenser (order lrud); else interact."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if not (state.me.held is None):
            return use(state, state.counters(), order="lrud")
        if not (state.faces("D")):
            return use(state, state.onions(), order="lrud")
        return "interact"
