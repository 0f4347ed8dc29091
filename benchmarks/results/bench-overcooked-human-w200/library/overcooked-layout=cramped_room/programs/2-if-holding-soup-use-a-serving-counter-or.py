"""Synthesized: if holding soup: use a serving counter (order drul); if holding nothing: use an
onion dispenser (order drul); else use a pot with room (order drul)."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.me.held == "soup":
            return use(state, state.serving(), order="drul")
        if state.me.held is None:
            return use(state, state.onions(), order="drul")
        return use(state, state.pots_where("room"), order="drul")
