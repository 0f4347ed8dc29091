"""Synthesized: if facing a dish dispenser: use a dish dispenser; if stepped last tick: keep
heading; if holding nothing: use an onion dispenser; if not facing a counter: use a counter
with a dish; else interact."""

from rote.skills.overcooked import ahead, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.faces("D"):
            return use(state, state.dishes())
        if state.stepped:
            return ahead(state)
        if state.me.held is None:
            return use(state, state.onions())
        if not (state.faces("X")):
            return use(state, state.counters("dish"))
        return "interact"
