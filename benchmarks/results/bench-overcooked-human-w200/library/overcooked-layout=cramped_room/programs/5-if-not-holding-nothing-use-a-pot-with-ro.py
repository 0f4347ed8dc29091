"""Synthesized: if not holding nothing: use a pot with room (order lrud); if facing a counter:
go to a pot with room (order lrud); if a pot is ready: interact; else move right."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if not (state.me.held is None):
            return use(state, state.pots_where("room"), order="lrud")
        if state.faces("X"):
            return approach(state, state.pots_where("room"), order="lrud")
        if state.any_pot("ready"):
            return "interact"
        return "right"
