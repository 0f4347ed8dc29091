"""Synthesized: if holding dish: move up; if holding nothing: use an onion dispenser; if not
facing a counter: move right; else interact."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "dish":
            return "up"
        if state.me.held is None:
            return use(state, state.onions())
        if not (state.faces("X")):
            return "right"
        return "interact"
