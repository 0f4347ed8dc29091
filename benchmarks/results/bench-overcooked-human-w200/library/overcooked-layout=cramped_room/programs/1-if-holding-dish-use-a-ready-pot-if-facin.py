"""Synthesized: if holding dish: use a ready pot; if facing a serving counter: go to a pot
(order ludr); if holding soup: go to a serving counter (order drul); if not holding onion:
use an onion dispenser (order rdul); else use a pot with room."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "dish":
            return use(state, state.pots_where("ready"))
        if state.faces("S"):
            return approach(state, state.all_pots(), order="ludr")
        if state.me.held == "soup":
            return approach(state, state.serving(), order="drul")
        if not (state.me.held == "onion"):
            return use(state, state.onions(), order="rdul")
        return use(state, state.pots_where("room"))
