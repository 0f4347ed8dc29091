"""Synthesized: if facing floor: keep heading; if holding nothing: stay; else use a pot with
room."""

from rote.skills.overcooked import ahead, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.faces(" "):
            return ahead(state)
        if state.me.held is None:
            return "stay"
        return use(state, state.pots_where("room"))
