"""Synthesized: if only turned last tick: go to a ready pot; if stepped last tick: keep
heading; if holding soup: use a serving counter; else go to a cooking pot."""

from rote.skills.overcooked import ahead, approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.moved and not state.stepped:
            return approach(state, state.pots_where("ready"))
        if state.stepped:
            return ahead(state)
        if state.me.held == "soup":
            return use(state, state.serving())
        return approach(state, state.pots_where("cooking"))
