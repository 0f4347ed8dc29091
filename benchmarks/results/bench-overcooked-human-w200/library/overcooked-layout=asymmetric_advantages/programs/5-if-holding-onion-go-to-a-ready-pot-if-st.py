"""Synthesized: if holding onion: go to a ready pot; if stepped last tick: keep heading; if
moved last tick: stay; if holding soup: use a serving counter; else go to a cooking pot."""

from rote.skills.overcooked import ahead, approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.me.held == "onion":
            return approach(state, state.pots_where("ready"))
        if state.stepped:
            return ahead(state)
        if state.moved:
            return "stay"
        if state.me.held == "soup":
            return use(state, state.serving())
        return approach(state, state.pots_where("cooking"))
