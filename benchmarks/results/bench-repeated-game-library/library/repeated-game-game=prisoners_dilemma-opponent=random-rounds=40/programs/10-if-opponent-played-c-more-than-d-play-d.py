"""Synthesized: if opponent played C more than D: play D; else repeat own last (D first)."""

from rote.skills.repeated_game import parse, repeat_last


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.opp.count("C") > state.opp.count("D"):
            return "D"
        return repeat_last(state, "D")
