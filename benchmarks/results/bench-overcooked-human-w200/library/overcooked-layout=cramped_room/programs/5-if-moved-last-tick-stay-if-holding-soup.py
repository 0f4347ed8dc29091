"""Synthesized: if moved last tick: stay; if holding soup: use a serving counter; else use a
pot."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.moved:
            return "stay"
        if state.me.held == "soup":
            return use(state, state.serving())
        return use(state, state.all_pots())
