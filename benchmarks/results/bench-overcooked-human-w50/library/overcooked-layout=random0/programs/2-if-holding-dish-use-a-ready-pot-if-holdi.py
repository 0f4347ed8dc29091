"""Synthesized: if holding dish: use a ready pot; if holding soup: move down; if not a pot has
room: use a counter with a dish; if holding nothing: use a counter with an onion; else use a
pot with room."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.me.held == "dish":
            return use(state, state.pots_where("ready"))
        if state.me.held == "soup":
            return "down"
        if not (state.any_pot("room")):
            return use(state, state.counters("dish"))
        if state.me.held is None:
            return use(state, state.counters("onion"))
        return use(state, state.pots_where("room"))
