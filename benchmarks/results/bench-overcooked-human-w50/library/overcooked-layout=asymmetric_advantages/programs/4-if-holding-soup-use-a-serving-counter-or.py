"""Synthesized: if holding soup: use a serving counter (order dlru); if a pot is ready: use a
ready pot (order dlru); if holding dish: go to a cooking pot (order dlru); else use a dish
dispenser (order dlru)."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "soup":
            return use(state, state.serving(), order="dlru")
        if state.any_pot("ready"):
            return use(state, state.pots_where("ready"), order="dlru")
        if state.me.held == "dish":
            return approach(state, state.pots_where("cooking"), order="dlru")
        return use(state, state.dishes(), order="dlru")
