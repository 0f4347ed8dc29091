"""Synthesized: if stepped last tick: keep heading; if holding soup: use a serving counter; if
holding nothing: use a dish dispenser; else use a ready pot."""

from rote.skills.overcooked import ahead, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.stepped:
            return ahead(state)
        if state.me.held == "soup":
            return use(state, state.serving())
        if state.me.held is None:
            return use(state, state.dishes())
        return use(state, state.pots_where("ready"))
