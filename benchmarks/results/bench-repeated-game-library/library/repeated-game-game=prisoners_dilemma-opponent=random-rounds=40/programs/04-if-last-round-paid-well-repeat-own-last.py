"""Synthesized: if last round paid well: repeat own last (C first); else switch from own last
(C first)."""

from rote.skills.repeated_game import parse, repeat_last, switch_last, won_last


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if won_last(state):
            return repeat_last(state, "C")
        return switch_last(state, "C")
