"""Synthesized: if partner holding dish: use a ready pot; else keep heading, after 3 steps ->
use an onion dispenser, when not holding nothing -> use a pot with room, when not holding
onion -> move right, when moved last tick."""

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
            if state.partner.held == "dish":
                return use(state, state.pots_where("ready"))
            return ahead(state)
        if self.mode == 1:
            return use(state, state.onions())
        if self.mode == 2:
            return use(state, state.pots_where("room"))
        return "right"

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 3
        if self.mode == 1:
            return not (state.me.held is None)
        if self.mode == 2:
            return not (state.me.held == "onion")
        if self.mode == 3:
            return state.moved
        return False
