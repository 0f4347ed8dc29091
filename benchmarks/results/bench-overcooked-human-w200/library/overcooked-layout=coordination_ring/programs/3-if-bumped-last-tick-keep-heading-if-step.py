"""Synthesized: if bumped last tick: keep heading; if stepped last tick: keep heading; if
holding onion: use a pot with room; if holding dish: go to a cooking pot; else use a dish
dispenser."""

from rote.skills.overcooked import ahead, approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.bumped:
            return ahead(state)
        if state.stepped:
            return ahead(state)
        if state.me.held == "onion":
            return use(state, state.pots_where("room"))
        if state.me.held == "dish":
            return approach(state, state.pots_where("cooking"))
        return use(state, state.dishes())
