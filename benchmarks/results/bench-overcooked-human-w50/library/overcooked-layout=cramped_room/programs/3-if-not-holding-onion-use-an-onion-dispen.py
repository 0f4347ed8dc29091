"""Synthesized: if not holding onion: use an onion dispenser (order rdlu); else use a pot with
room."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if not (state.me.held == "onion"):
            return use(state, state.onions(), order="rdlu")
        return use(state, state.pots_where("room"))
