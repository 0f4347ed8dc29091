"""Synthesized: if holding dish: go to a cooking pot (order lrdu); if holding onion: use a pot
with room (order lrdu); if holding soup: move down; else use a counter with an onion (order
lrdu)."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.me.held == "dish":
            return approach(state, state.pots_where("cooking"), order="lrdu")
        if state.me.held == "onion":
            return use(state, state.pots_where("room"), order="lrdu")
        if state.me.held == "soup":
            return "down"
        return use(state, state.counters("onion"), order="lrdu")
