"""Synthesized: if facing a counter: use a pot with room (order lrud); if not holding nothing:
use a pot with room (order lrud); if a pot is ready: interact; else move right."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.faces("X"):
            return use(state, state.pots_where("room"), order="lrud")
        if not (state.me.held is None):
            return use(state, state.pots_where("room"), order="lrud")
        if state.any_pot("ready"):
            return "interact"
        return "right"
