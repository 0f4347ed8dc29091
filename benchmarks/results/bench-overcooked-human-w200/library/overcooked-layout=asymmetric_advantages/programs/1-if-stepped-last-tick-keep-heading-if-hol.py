"""Synthesized: if stepped last tick: keep heading; if holding dish: use a ready pot (order
dlru); if holding onion: use a pot with room (order dlru); if holding soup: use a serving
counter (order dlru); else use an onion dispenser (order dlru)."""

from rote.skills.overcooked import ahead, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.stepped:
            return ahead(state)
        if state.me.held == "dish":
            return use(state, state.pots_where("ready"), order="dlru")
        if state.me.held == "onion":
            return use(state, state.pots_where("room"), order="dlru")
        if state.me.held == "soup":
            return use(state, state.serving(), order="dlru")
        return use(state, state.onions(), order="dlru")
