"""Synthesized: if only turned last tick: interact; if holding onion: move right; if moved last
tick: keep heading; if not facing a counter: use an onion dispenser; else move left."""

from rote.skills.overcooked import ahead, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.moved and not state.stepped:
            return "interact"
        if state.me.held == "onion":
            return "right"
        if state.moved:
            return ahead(state)
        if not (state.faces("X")):
            return use(state, state.onions())
        return "left"
