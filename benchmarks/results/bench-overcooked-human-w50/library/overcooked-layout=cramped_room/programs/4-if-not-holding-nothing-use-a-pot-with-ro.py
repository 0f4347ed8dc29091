"""Synthesized: if not holding nothing: use a pot with room (order lrud); if facing a counter:
use a pot with room (order lrud); if a pot is ready: interact; else move right."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if not (state.me.held is None):
            return use(state, state.pots_where("room"), order="lrud")
        if state.faces("X"):
            return use(state, state.pots_where("room"), order="lrud")
        if state.any_pot("ready"):
            return "interact"
        return "right"
