"""Synthesized: if only turned last tick: interact; if holding onion: go to a counter with an
onion; if moved last tick: keep heading; if a pot is ready: use a dish dispenser; else use
an onion dispenser."""

from rote.skills.overcooked import ahead, approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.moved and not state.stepped:
            return "interact"
        if state.me.held == "onion":
            return approach(state, state.counters("onion"))
        if state.moved:
            return ahead(state)
        if state.any_pot("ready"):
            return use(state, state.dishes())
        return use(state, state.onions())
