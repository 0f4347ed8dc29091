"""Synthesized: copy the opponent's last (D first)."""

from rote.skills.repeated_game import copy_last, parse


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        return copy_last(state, "D")
