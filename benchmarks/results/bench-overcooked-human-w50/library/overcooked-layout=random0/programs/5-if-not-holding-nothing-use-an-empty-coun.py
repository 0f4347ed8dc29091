"""Synthesized: if not holding nothing: use an empty counter (order dulr); if facing a dish
dispenser: interact; if not a onion on a counter: go to a counter with an onion (order
dulr); else use an onion dispenser (order dulr)."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if not (state.me.held is None):
            return use(state, state.counters(), order="dulr")
        if state.faces("D"):
            return "interact"
        if not (bool(state.counters("onion"))):
            return approach(state, state.counters("onion"), order="dulr")
        return use(state, state.onions(), order="dulr")
