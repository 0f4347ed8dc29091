"""Synthesized: if stepped last tick: keep heading; if holding dish: use a ready pot; if
holding nothing: use an onion dispenser; if holding soup: use a serving counter; else use a
pot."""

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
        if state.me.held is None:
            return use(state, state.onions())
        if state.me.held == "soup":
            return use(state, state.serving())
        return use(state, state.all_pots())
