"""Synthesized: if a pot is cooking: keep heading; if not a pot is ready: stay; else keep
heading."""

from rote.skills.overcooked import ahead, parse


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.any_pot("cooking"):
            return ahead(state)
        if not (state.any_pot("ready")):
            return "stay"
        return ahead(state)
