"""Synthesized: use a pot."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        return use(state, state.all_pots())
