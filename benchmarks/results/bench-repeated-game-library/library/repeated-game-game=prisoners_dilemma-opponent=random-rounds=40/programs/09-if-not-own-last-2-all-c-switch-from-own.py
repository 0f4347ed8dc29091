"""Synthesized: if not own last 2 all C: switch from own last (C first); else play C."""

from rote.skills.repeated_game import ends_with, parse, switch_last


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if not (ends_with(state.own, "C", "C")):
            return switch_last(state, "C")
        return "C"
