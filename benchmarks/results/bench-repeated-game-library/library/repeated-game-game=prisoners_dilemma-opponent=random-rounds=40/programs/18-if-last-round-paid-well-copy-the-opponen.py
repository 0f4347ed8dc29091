"""Synthesized: if last round paid well: copy the opponent's last (C first); if round % 3 == 2:
copy the opponent's last (C first); else switch from own last (C first)."""

from rote.skills.repeated_game import copy_last, parse, switch_last, won_last


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if won_last(state):
            return copy_last(state, "C")
        if state.round % 3 == 2:
            return copy_last(state, "C")
        return switch_last(state, "C")
