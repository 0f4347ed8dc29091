"""Synthesized: if holding onion: keep heading; if holding soup: move down; if holding dish:
use a ready pot; if facing a pot: move down; else keep heading."""

from rote.skills.overcooked import ahead, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "onion":
            return ahead(state)
        if state.me.held == "soup":
            return "down"
        if state.me.held == "dish":
            return use(state, state.pots_where("ready"))
        if state.faces("P"):
            return "down"
        return ahead(state)
