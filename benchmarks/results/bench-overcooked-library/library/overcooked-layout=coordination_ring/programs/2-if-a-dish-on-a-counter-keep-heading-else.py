"""Synthesized: if a dish on a counter: keep heading; else stay."""

from rote.skills.overcooked import ahead, parse


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if bool(state.counters("dish")):
            return ahead(state)
        return "stay"
