"""Synthesized: if holding dish: use a ready pot (order urld); if holding soup: use a serving
counter (order urld); if holding nothing: go to a dish dispenser (order urld); else use a
pot (order urld)."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.me.held == "dish":
            return use(state, state.pots_where("ready"), order="urld")
        if state.me.held == "soup":
            return use(state, state.serving(), order="urld")
        if state.me.held is None:
            return approach(state, state.dishes(), order="urld")
        return use(state, state.all_pots(), order="urld")
