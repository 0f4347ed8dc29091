"""Synthesized: if not holding nothing: use an empty counter (order lrud); if not facing a
counter: use an onion dispenser (order lrud); else move left."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if not (state.me.held is None):
            return use(state, state.counters(), order="lrud")
        if not (state.faces("X")):
            return use(state, state.onions(), order="lrud")
        return "left"
