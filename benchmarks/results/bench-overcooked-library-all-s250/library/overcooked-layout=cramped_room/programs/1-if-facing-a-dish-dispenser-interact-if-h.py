"""Synthesized: if facing a dish dispenser: interact; if holding soup: use a serving counter
(order udrl); if holding dish: use a pot (order udrl); if not holding onion: use an onion
dispenser (order udrl); else use a pot (order udrl)."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.faces("D"):
            return "interact"
        if state.me.held == "soup":
            return use(state, state.serving(), order="udrl")
        if state.me.held == "dish":
            return use(state, state.all_pots(), order="udrl")
        if not (state.me.held == "onion"):
            return use(state, state.onions(), order="udrl")
        return use(state, state.all_pots(), order="udrl")
