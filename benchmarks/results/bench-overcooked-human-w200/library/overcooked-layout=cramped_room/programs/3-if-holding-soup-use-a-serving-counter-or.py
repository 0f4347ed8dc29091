"""Synthesized: if holding soup: use a serving counter (order lrdu); if not a onion on a
counter: stay; if holding nothing: use a dish dispenser (order lrdu); if facing a dish
dispenser: move right; else use a ready pot."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "soup":
            return use(state, state.serving(), order="lrdu")
        if not (bool(state.counters("onion"))):
            return "stay"
        if state.me.held is None:
            return use(state, state.dishes(), order="lrdu")
        if state.faces("D"):
            return "right"
        return use(state, state.pots_where("ready"))
