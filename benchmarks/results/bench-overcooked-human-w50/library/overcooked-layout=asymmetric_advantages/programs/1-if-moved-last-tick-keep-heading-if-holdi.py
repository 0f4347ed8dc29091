"""Synthesized: if moved last tick: keep heading; if holding dish: use a ready pot (order
lrdu); if holding soup: use a serving counter (order lrdu); if not holding nothing: use a
pot (order lrdu); else use an onion dispenser (order lrdu)."""

from rote.skills.overcooked import ahead, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.moved:
            return ahead(state)
        if state.me.held == "dish":
            return use(state, state.pots_where("ready"), order="lrdu")
        if state.me.held == "soup":
            return use(state, state.serving(), order="lrdu")
        if not (state.me.held is None):
            return use(state, state.all_pots(), order="lrdu")
        return use(state, state.onions(), order="lrdu")
