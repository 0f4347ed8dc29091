"""Synthesized: if facing a serving counter: move left; if stepped last tick: use a ready pot
(order rudl); if not holding onion: use an onion dispenser (order rdul); else use a pot with
room."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.faces("S"):
            return "left"
        if state.stepped:
            return use(state, state.pots_where("ready"), order="rudl")
        if not (state.me.held == "onion"):
            return use(state, state.onions(), order="rdul")
        return use(state, state.pots_where("room"))
