"""Synthesized: if stepped last tick: keep heading; if holding dish: use a ready pot; if
holding soup: use a serving counter; if holding onion: use a pot with room; else use an
onion dispenser."""

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
            return use(state, state.pots_where("ready"))
        if state.me.held == "soup":
            return use(state, state.serving())
        if state.me.held == "onion":
            return use(state, state.pots_where("room"))
        return use(state, state.onions())
