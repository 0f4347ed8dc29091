"""Synthesized: if opponent's last 2 all D: play D; else play C."""

from rote.skills.repeated_game import ends_with, parse


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if ends_with(state.opp, "D", "D"):
            return "D"
        return "C"
