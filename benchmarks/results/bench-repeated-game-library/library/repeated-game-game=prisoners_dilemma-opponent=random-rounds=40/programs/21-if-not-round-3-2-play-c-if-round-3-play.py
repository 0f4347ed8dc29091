"""Synthesized: if not round % 3 == 2: play C; if round < 3: play D; if not opponent played C
more than D: play C; else copy the opponent's last (C first)."""

from rote.skills.repeated_game import copy_last, parse


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if not (state.round % 3 == 2):
            return "C"
        if state.round < 3:
            return "D"
        if not (state.opp.count("C") > state.opp.count("D")):
            return "C"
        return copy_last(state, "C")
