"""Synthesized: if round % 4 == 2: the opponent's majority (C on ties); else play C."""

from rote.skills.repeated_game import majority, parse


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.round % 4 == 2:
            return majority(state, "C")
        return "C"
