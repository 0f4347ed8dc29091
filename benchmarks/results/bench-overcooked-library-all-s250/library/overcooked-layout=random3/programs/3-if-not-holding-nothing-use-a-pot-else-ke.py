"""Synthesized: if not holding nothing: use a pot; else keep heading."""

from rote.skills.overcooked import ahead, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if not (state.me.held is None):
            return use(state, state.all_pots())
        return ahead(state)
