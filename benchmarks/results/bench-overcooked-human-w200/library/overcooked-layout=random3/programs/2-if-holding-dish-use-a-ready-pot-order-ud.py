"""Synthesized: if holding dish: use a ready pot (order udrl); if holding soup: use a serving
counter (order udrl); if holding nothing: use an onion dispenser (order udrl); else use a
pot with room (order udrl)."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "dish":
            return use(state, state.pots_where("ready"), order="udrl")
        if state.me.held == "soup":
            return use(state, state.serving(), order="udrl")
        if state.me.held is None:
            return use(state, state.onions(), order="udrl")
        return use(state, state.pots_where("room"), order="udrl")
