"""Synthesized: if holding dish: use a pot; if holding soup: use a serving counter; if facing
the partner: use a counter with a dish; if not holding nothing: use a pot with room; else
use an onion dispenser."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "dish":
            return use(state, state.all_pots())
        if state.me.held == "soup":
            return use(state, state.serving())
        if state.faces_partner():
            return use(state, state.counters("dish"))
        if not (state.me.held is None):
            return use(state, state.pots_where("room"))
        return use(state, state.onions())
