"""Synthesized: if holding dish: use a ready pot; if holding onion: use a pot with room; if
facing a counter: use a counter with an onion; if holding soup: move down; else move left."""

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
        if state.faces("X"):
            return use(state, state.counters("onion"))
        if state.me.held == "soup":
            return "down"
        return "left"
