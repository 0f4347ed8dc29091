"""random-80: cooperate with probability 0.8, else play one of the other actions, uniformly."""

import random

from rote.skills.repeated_game import parse

P = 0.8


class Agent:
    def __init__(self, rng=None):
        self.rng = rng if rng is not None else random.Random()

    def act(self, observation):
        actions = parse(observation).actions
        if self.rng.random() < P:
            return actions[0]
        return self.rng.choice(actions[1:])
