"""Synthesized: if holding dish: use a ready pot; if holding nothing: use an onion dispenser;
if not holding onion: use a serving counter; else use a pot with room."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "dish":
            return use(state, state.pots_where("ready"))
        if state.me.held is None:
            return use(state, state.onions())
        if not (state.me.held == "onion"):
            return use(state, state.serving())
        return use(state, state.pots_where("room"))
