"""Synthesized: if only turned last tick: interact; if moved last tick: stay; if holding soup:
use a serving counter (order rdlu); if facing a counter: go to a dish dispenser (order
rdlu); else use a pot."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.moved and not state.stepped:
            return "interact"
        if state.moved:
            return "stay"
        if state.me.held == "soup":
            return use(state, state.serving(), order="rdlu")
        if state.faces("X"):
            return approach(state, state.dishes(), order="rdlu")
        return use(state, state.all_pots())
