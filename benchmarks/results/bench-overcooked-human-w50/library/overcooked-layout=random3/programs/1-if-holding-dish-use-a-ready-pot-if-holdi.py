"""Synthesized: if holding dish: use a ready pot; if holding onion: use a pot with room; if
holding soup: use a serving counter; if facing floor: keep heading; else use an onion
dispenser."""

from rote.skills.overcooked import ahead, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "dish":
            return use(state, state.pots_where("ready"))
        if state.me.held == "onion":
            return use(state, state.pots_where("room"))
        if state.me.held == "soup":
            return use(state, state.serving())
        if state.faces(" "):
            return ahead(state)
        return use(state, state.onions())
