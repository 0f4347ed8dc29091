"""Synthesized: if holding dish: use a ready pot; if facing a dish dispenser: interact; if
facing a serving counter: go to a pot (order ludr); if not holding onion: use an onion
dispenser (order rdul); else use a pot with room."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "dish":
            return use(state, state.pots_where("ready"))
        if state.faces("D"):
            return "interact"
        if state.faces("S"):
            return approach(state, state.all_pots(), order="ludr")
        if not (state.me.held == "onion"):
            return use(state, state.onions(), order="rdul")
        return use(state, state.pots_where("room"))
