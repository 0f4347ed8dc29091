"""Synthesized: if not holding nothing: go to a pot with room; else use an onion dispenser,
when facing floor -> keep heading, after 3 steps."""

from rote.skills.overcooked import ahead, approach, parse, use


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0

    def act(self, observation):
        state = parse(observation)
        for _ in range(2):
            if not self.leaving(state):
                break
            self.mode = (self.mode + 1) % 2
            self.steps = 0
        self.steps += 1
        if self.mode == 0:
            if not (state.me.held is None):
                return approach(state, state.pots_where("room"))
            return use(state, state.onions())
        return ahead(state)

    def leaving(self, state):
        if self.mode == 0:
            return state.faces(" ")
        if self.mode == 1:
            return self.steps >= 3
        return False
