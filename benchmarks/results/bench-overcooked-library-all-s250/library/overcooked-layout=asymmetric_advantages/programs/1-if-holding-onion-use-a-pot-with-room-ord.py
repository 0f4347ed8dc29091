"""Synthesized: if holding onion: use a pot with room (order ludr); if holding dish: go to a
cooking pot (order ludr); if holding soup: use a serving counter (order ludr); else use an
onion dispenser (order ludr)."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "onion":
            return use(state, state.pots_where("room"), order="ludr")
        if state.me.held == "dish":
            return approach(state, state.pots_where("cooking"), order="ludr")
        if state.me.held == "soup":
            return use(state, state.serving(), order="ludr")
        return use(state, state.onions(), order="ludr")
