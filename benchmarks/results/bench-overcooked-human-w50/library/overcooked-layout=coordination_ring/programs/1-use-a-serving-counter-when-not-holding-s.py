"""Synthesized: use a serving counter, when not holding soup -> if not holding nothing: go to a
pot; else use a dish dispenser, when moved last tick -> keep heading, when not moved last
tick -> if facing a dish dispenser: use a dish dispenser; else keep heading, after 1 step."""

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
            return use(state, state.serving())
        if self.mode == 1:
            if not (state.me.held is None):
                return approach(state, state.all_pots())
            return use(state, state.dishes())
        if self.mode == 2:
            return ahead(state)
        if state.faces("D"):
            return use(state, state.dishes())
        return ahead(state)

    def leaving(self, state):
        if self.mode == 0:
            return not (state.me.held == "soup")
        if self.mode == 1:
            return state.moved
        if self.mode == 2:
            return not (state.moved)
        if self.mode == 3:
            return self.steps >= 1
        return False
