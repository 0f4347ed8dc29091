"""Synthesized: stay, when idle -> move left, when not stepped last tick -> use an onion
dispenser, after 1 step -> use a pot with room, when holding nothing."""

from rote.skills.overcooked import parse, use


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
            return "stay"
        if self.mode == 1:
            return "left"
        if self.mode == 2:
            return use(state, state.onions())
        return use(state, state.pots_where("room"))

    def leaving(self, state):
        if self.mode == 0:
            return "stay" == "stay"
        if self.mode == 1:
            return not (state.stepped)
        if self.mode == 2:
            return self.steps >= 1
        if self.mode == 3:
            return state.me.held is None
        return False
