"""Synthesized: if bumped last tick: keep heading; if not holding onion: go to a ready pot
(order rldu); else use a pot with room."""

from rote.skills.overcooked import ahead, approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.bumped:
            return ahead(state)
        if not (state.me.held == "onion"):
            return approach(state, state.pots_where("ready"), order="rldu")
        return use(state, state.pots_where("room"))
