"""Synthesized: if holding soup: use a serving counter (order dulr); if moved last tick: keep
heading; if not holding nothing: use a pot (order dulr); if a pot is ready: use a dish
dispenser (order dulr); else use an onion dispenser."""

from rote.skills.overcooked import ahead, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.me.held == "soup":
            return use(state, state.serving(), order="dulr")
        if state.moved:
            return ahead(state)
        if not (state.me.held is None):
            return use(state, state.all_pots(), order="dulr")
        if state.any_pot("ready"):
            return use(state, state.dishes(), order="dulr")
        return use(state, state.onions())
