"""Synthesized: use a counter with a dish, when idle -> if not holding nothing: use a pot
(order rldu); else go to an onion dispenser, when facing floor -> keep heading, after 4
steps."""

from rote.skills.overcooked import ahead, approach, parse, use


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
            return use(state, state.counters("dish"))
        if self.mode == 1:
            if not (state.me.held is None):
                return use(state, state.all_pots(), order="rldu")
            return approach(state, state.onions())
        return ahead(state)

    def leaving(self, state):
        if self.mode == 0:
            return use(state, state.counters("dish")) == "stay"
        if self.mode == 1:
            return state.faces(" ")
        if self.mode == 2:
            return self.steps >= 4
        return False
