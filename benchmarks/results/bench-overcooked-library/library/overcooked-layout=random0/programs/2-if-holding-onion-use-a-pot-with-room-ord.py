"""Synthesized: if holding onion: use a pot with room (order lrdu); else use a counter with an
onion."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "onion":
            return use(state, state.pots_where("room"), order="lrdu")
        return use(state, state.counters("onion"))
