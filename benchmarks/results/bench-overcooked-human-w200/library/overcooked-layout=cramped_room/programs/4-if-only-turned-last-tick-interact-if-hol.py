"""Synthesized: if only turned last tick: interact; if holding soup: use a serving counter
(order lrdu); if a pot is cooking: go to a cooking pot (order dlru); if facing a counter: go
to a dish dispenser (order lrdu); else use a pot."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.moved and not state.stepped:
            return "interact"
        if state.me.held == "soup":
            return use(state, state.serving(), order="lrdu")
        if state.any_pot("cooking"):
            return approach(state, state.pots_where("cooking"), order="dlru")
        if state.faces("X"):
            return approach(state, state.dishes(), order="lrdu")
        return use(state, state.all_pots())
