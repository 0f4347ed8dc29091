"""Synthesized: if bumped last tick: keep heading; if stepped last tick: keep heading; if
holding onion: go to a counter with a soup; else use an onion dispenser."""

from rote.skills.overcooked import ahead, approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.bumped:
            return ahead(state)
        if state.stepped:
            return ahead(state)
        if state.me.held == "onion":
            return approach(state, state.counters("soup"))
        return use(state, state.onions())
