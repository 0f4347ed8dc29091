"""Synthesized: if holding nothing: stay; if facing a counter: move up; else go to a pot."""

from rote.skills.overcooked import approach, parse


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held is None:
            return "stay"
        if state.faces("X"):
            return "up"
        return approach(state, state.all_pots())
