"""Synthesized: if holding dish: use a ready pot; if holding nothing: stay; if holding soup:
move right; else use a pot with room."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "dish":
            return use(state, state.pots_where("ready"))
        if state.me.held is None:
            return "stay"
        if state.me.held == "soup":
            return "right"
        return use(state, state.pots_where("room"))
