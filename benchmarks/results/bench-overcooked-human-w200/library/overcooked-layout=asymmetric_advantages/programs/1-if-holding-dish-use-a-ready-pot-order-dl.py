"""Synthesized: if holding dish: use a ready pot (order dlru); if holding onion: use a pot with
room (order dlru); if facing a dish dispenser: interact; if holding soup: use a serving
counter (order dlru); else use an onion dispenser (order dlru)."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "dish":
            return use(state, state.pots_where("ready"), order="dlru")
        if state.me.held == "onion":
            return use(state, state.pots_where("room"), order="dlru")
        if state.faces("D"):
            return "interact"
        if state.me.held == "soup":
            return use(state, state.serving(), order="dlru")
        return use(state, state.onions(), order="dlru")
