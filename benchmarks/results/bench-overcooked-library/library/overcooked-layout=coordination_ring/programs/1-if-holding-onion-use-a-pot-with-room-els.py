"""Synthesized: if holding onion: use a pot with room; else use an onion dispenser."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "onion":
            return use(state, state.pots_where("room"))
        return use(state, state.onions())
