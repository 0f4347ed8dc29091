"""Synthesized: keep heading, after 1 step -> if not holding nothing: use a pot with room; else
use an onion dispenser, when stepped last tick -> interact, when not only turned last tick
-> keep heading, when not stepped last tick."""

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
            if not (state.me.held is None):
                return use(state, state.pots_where("room"))
            return use(state, state.onions())
        if self.mode == 2:
            return "interact"
        return ahead(state)

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 1
        if self.mode == 1:
            return state.stepped
        if self.mode == 2:
            return not (state.moved and not state.stepped)
        if self.mode == 3:
            return not (state.stepped)
        return False
