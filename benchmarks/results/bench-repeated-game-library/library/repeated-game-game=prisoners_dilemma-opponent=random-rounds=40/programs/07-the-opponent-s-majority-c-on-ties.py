"""Synthesized: the opponent's majority (C on ties)."""

from rote.skills.repeated_game import majority, parse


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        return majority(state, "C")
