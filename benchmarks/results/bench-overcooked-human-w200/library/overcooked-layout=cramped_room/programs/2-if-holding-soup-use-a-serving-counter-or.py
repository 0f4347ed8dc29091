"""Synthesized: if holding soup: use a serving counter (order ludr); if holding nothing: use an
onion dispenser (order ludr); if a onion on a counter: use a pot (order ludr); else use a
pot with room (order ludr)."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.me.held == "soup":
            return use(state, state.serving(), order="ludr")
        if state.me.held is None:
            return use(state, state.onions(), order="ludr")
        if bool(state.counters("onion")):
            return use(state, state.all_pots(), order="ludr")
        return use(state, state.pots_where("room"), order="ludr")
