"""Synthesized: if holding soup: use a serving counter; if holding dish: go to a ready pot; if
facing an onion dispenser: go to a cooking pot; else keep heading."""

from rote.skills.overcooked import ahead, approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.me.held == "soup":
            return use(state, state.serving())
        if state.me.held == "dish":
            return approach(state, state.pots_where("ready"))
        if state.faces("O"):
            return approach(state, state.pots_where("cooking"))
        return ahead(state)
