"""Synthesized: if holding dish: go to a pot (order rldu); if holding onion: use a pot with
room (order rldu); if holding soup: use a serving counter (order rldu); if facing a counter:
use a cooking pot (order rldu); else use an onion dispenser (order rldu)."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "dish":
            return approach(state, state.all_pots(), order="rldu")
        if state.me.held == "onion":
            return use(state, state.pots_where("room"), order="rldu")
        if state.me.held == "soup":
            return use(state, state.serving(), order="rldu")
        if state.faces("X"):
            return use(state, state.pots_where("cooking"), order="rldu")
        return use(state, state.onions(), order="rldu")
