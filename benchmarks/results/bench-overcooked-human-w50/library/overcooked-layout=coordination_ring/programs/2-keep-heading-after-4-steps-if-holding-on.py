"""Synthesized: keep heading, after 4 steps -> if holding onion: go to a pot; else go to a
serving counter, when facing floor -> keep heading, after 3 steps."""

from rote.skills.overcooked import ahead, approach, parse


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0

    def act(self, observation):
        state = parse(observation)
        for _ in range(3):
            if not self.leaving(state):
                break
            self.mode = (self.mode + 1) % 3
            self.steps = 0
        self.steps += 1
        if self.mode == 0:
            return ahead(state)
        if self.mode == 1:
            if state.me.held == "onion":
                return approach(state, state.all_pots())
            return approach(state, state.serving())
        return ahead(state)

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 4
        if self.mode == 1:
            return state.faces(" ")
        if self.mode == 2:
            return self.steps >= 3
        return False
