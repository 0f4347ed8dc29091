"""Synthesized: if holding onion: use a pot with room (order dlru); else go to a counter with
an onion (order dlru)."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "onion":
            return use(state, state.pots_where("room"), order="dlru")
        return approach(state, state.counters("onion"), order="dlru")
