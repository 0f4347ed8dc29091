"""generous-tit-for-tat: tit-for-tat that forgives an uncooperative move with probability 1/3."""

import random

from rote.skills.repeated_game import copy_last, parse

FORGIVE = 1 / 3


class Agent:
    def __init__(self, rng=None):
        self.rng = rng if rng is not None else random.Random()

    def act(self, observation):
        state = parse(observation)
        move = copy_last(state, state.actions[0])
        if move != state.actions[0] and self.rng.random() < FORGIVE:
            return state.actions[0]
        return move
