"""noisy-tit-for-tat: tit-for-tat whose move is replaced by a uniformly random one with
probability 0.1."""

import random

from rote.skills.repeated_game import copy_last, parse

NOISE = 0.1


class Agent:
    def __init__(self, rng=None):
        self.rng = rng if rng is not None else random.Random()

    def act(self, observation):
        state = parse(observation)
        if self.rng.random() < NOISE:
            return self.rng.choice(state.actions)
        return copy_last(state, state.actions[0])
