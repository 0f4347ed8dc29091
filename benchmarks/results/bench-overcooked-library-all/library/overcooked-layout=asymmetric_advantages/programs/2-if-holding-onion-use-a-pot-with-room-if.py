"""Synthesized: if holding onion: use a pot with room; if holding soup: use a serving counter;
if not facing a counter: use an onion dispenser; else stay."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "onion":
            return use(state, state.pots_where("room"))
        if state.me.held == "soup":
            return use(state, state.serving())
        if not (state.faces("X")):
            return use(state, state.onions())
        return "stay"
