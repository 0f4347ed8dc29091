"""Synthesized: if facing a pot: move up; else stay."""

from rote.skills.overcooked import parse


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.faces("P"):
            return "up"
        return "stay"
