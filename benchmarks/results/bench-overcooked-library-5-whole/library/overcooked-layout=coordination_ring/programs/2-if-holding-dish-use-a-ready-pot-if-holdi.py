"""Synthesized: if holding dish: use a ready pot; if holding nothing: use an onion dispenser;
if holding soup: use a serving counter; if facing an onion dispenser: use a pot with room;
else keep heading."""

from rote.skills.overcooked import ahead, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "dish":
            return use(state, state.pots_where("ready"))
        if state.me.held is None:
            return use(state, state.onions())
        if state.me.held == "soup":
            return use(state, state.serving())
        if state.faces("O"):
            return use(state, state.pots_where("room"))
        return ahead(state)
