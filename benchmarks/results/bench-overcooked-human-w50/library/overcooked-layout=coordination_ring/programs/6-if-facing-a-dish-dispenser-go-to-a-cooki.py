"""Synthesized: if facing a dish dispenser: go to a cooking pot; if partner next to me: use a
pot with room; else keep heading."""

from rote.skills.overcooked import ahead, approach, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.faces("D"):
            return approach(state, state.pots_where("cooking"))
        if state.partner_adjacent():
            return use(state, state.pots_where("room"))
        return ahead(state)
