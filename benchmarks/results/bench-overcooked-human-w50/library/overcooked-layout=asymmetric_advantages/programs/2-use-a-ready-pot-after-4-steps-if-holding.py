"""Synthesized: use a ready pot, after 4 steps -> if holding soup: use a serving counter; if
facing an onion dispenser: go to a pot with room; if holding nothing: move left; else move
right, when holding dish -> stay, when idle."""

from rote.skills.overcooked import approach, parse, use


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
            return use(state, state.pots_where("ready"))
        if self.mode == 1:
            if state.me.held == "soup":
                return use(state, state.serving())
            if state.faces("O"):
                return approach(state, state.pots_where("room"))
            if state.me.held is None:
                return "left"
            return "right"
        return "stay"

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 4
        if self.mode == 1:
            return state.me.held == "dish"
        if self.mode == 2:
            return "stay" == "stay"
        return False
