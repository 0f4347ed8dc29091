"""Synthesized: if holding onion: use a pot with room (order rldu); if holding soup: use a
serving counter (order rldu); if not facing a counter: use an onion dispenser (order rldu);
else stay."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "onion":
            return use(state, state.pots_where("room"), order="rldu")
        if state.me.held == "soup":
            return use(state, state.serving(), order="rldu")
        if not (state.faces("X")):
            return use(state, state.onions(), order="rldu")
        return "stay"
