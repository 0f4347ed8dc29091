"""Synthesized: if last round paid well: repeat own last (C first); else copy the opponent's
last (C first)."""

from rote.skills.repeated_game import copy_last, parse, repeat_last, won_last


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if won_last(state):
            return repeat_last(state, "C")
        return copy_last(state, "C")
