"""Synthesized: interact, after 1 step -> if holding onion: go to a counter with an onion; else
use an onion dispenser, when moved last tick -> keep heading, after 1 step -> use an empty
counter, when holding nothing."""

from rote.skills.overcooked import ahead, approach, parse, use


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
            return "interact"
        if self.mode == 1:
            if state.me.held == "onion":
                return approach(state, state.counters("onion"))
            return use(state, state.onions())
        if self.mode == 2:
            return ahead(state)
        return use(state, state.counters())

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 1
        if self.mode == 1:
            return state.moved
        if self.mode == 2:
            return self.steps >= 1
        if self.mode == 3:
            return state.me.held is None
        return False
