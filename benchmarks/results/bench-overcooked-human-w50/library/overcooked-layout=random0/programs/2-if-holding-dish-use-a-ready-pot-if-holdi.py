"""Synthesized: if holding dish: use a ready pot; if holding onion: use a pot with room; if
holding soup: move down; if a pot is ready: use a counter with a dish; else use a counter
with an onion."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "dish":
            return use(state, state.pots_where("ready"))
        if state.me.held == "onion":
            return use(state, state.pots_where("room"))
        if state.me.held == "soup":
            return "down"
        if state.any_pot("ready"):
            return use(state, state.counters("dish"))
        return use(state, state.counters("onion"))
