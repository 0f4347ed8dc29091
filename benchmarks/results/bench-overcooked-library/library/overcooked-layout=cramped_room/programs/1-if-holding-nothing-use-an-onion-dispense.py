"""Synthesized: if holding nothing: use an onion dispenser (order drlu); if holding soup: use a
serving counter; else use a pot."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held is None:
            return use(state, state.onions(), order="drlu")
        if state.me.held == "soup":
            return use(state, state.serving())
        return use(state, state.all_pots())
