"""Synthesized: if holding nothing: use an onion dispenser (order dlur); if holding soup: use a
serving counter (order dlur); if holding dish: use a ready pot (order dlur); else use a pot
with room (order dlur)."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held is None:
            return use(state, state.onions(), order="dlur")
        if state.me.held == "soup":
            return use(state, state.serving(), order="dlur")
        if state.me.held == "dish":
            return use(state, state.pots_where("ready"), order="dlur")
        return use(state, state.pots_where("room"), order="dlur")
