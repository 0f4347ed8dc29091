"""Synthesized: if moved last tick: use a counter with a dish (order lrdu); if holding dish: go
to a cooking pot (order lrdu); if holding onion: use a pot with room (order lrdu); if
holding soup: use a serving counter (order lrdu); else use a counter with an onion (order
lrdu)."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.moved:
            return use(state, state.counters("dish"), order="lrdu")
        if state.me.held == "dish":
            return approach(state, state.pots_where("cooking"), order="lrdu")
        if state.me.held == "onion":
            return use(state, state.pots_where("room"), order="lrdu")
        if state.me.held == "soup":
            return use(state, state.serving(), order="lrdu")
        return use(state, state.counters("onion"), order="lrdu")
