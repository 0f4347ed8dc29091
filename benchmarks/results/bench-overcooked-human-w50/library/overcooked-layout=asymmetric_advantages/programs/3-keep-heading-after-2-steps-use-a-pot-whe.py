"""Synthesized: keep heading, after 2 steps -> use a pot, when stepped last tick -> stay, when
idle -> keep heading, after 2 steps."""

from rote.skills.overcooked import ahead, parse, use


class Agent:
    def __init__(self):
        self.previous = None
        self.mode = 0
        self.steps = 0

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        for _ in range(4):
            if not self.leaving(state):
                break
            self.mode = (self.mode + 1) % 4
            self.steps = 0
        self.steps += 1
        if self.mode == 0:
            return ahead(state)
        if self.mode == 1:
            return use(state, state.all_pots())
        if self.mode == 2:
            return "stay"
        return ahead(state)

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 2
        if self.mode == 1:
            return state.stepped
        if self.mode == 2:
            return "stay" == "stay"
        if self.mode == 3:
            return self.steps >= 2
        return False
