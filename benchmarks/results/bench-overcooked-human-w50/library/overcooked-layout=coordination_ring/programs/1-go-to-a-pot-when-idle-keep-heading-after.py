"""Synthesized: go to a pot, when idle -> keep heading, after 3 steps -> if holding onion: use
a pot with room; else go to an onion dispenser, when idle -> move left, after 3 steps."""

from rote.skills.overcooked import ahead, approach, parse, use


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0

    def act(self, observation):
        state = parse(observation)
        for _ in range(4):
            if not self.leaving(state):
                break
            self.mode = (self.mode + 1) % 4
            self.steps = 0
        self.steps += 1
        if self.mode == 0:
            return approach(state, state.all_pots())
        if self.mode == 1:
            return ahead(state)
        if self.mode == 2:
            if state.me.held == "onion":
                return use(state, state.pots_where("room"))
            return approach(state, state.onions())
        return "left"

    def leaving(self, state):
        if self.mode == 0:
            return approach(state, state.all_pots()) == "stay"
        if self.mode == 1:
            return self.steps >= 3
        if self.mode == 2:
            return approach(state, state.onions()) == "stay"
        if self.mode == 3:
            return self.steps >= 3
        return False
