"""Synthesized: if not a pot is ready: use an onion dispenser (order rlud); else keep heading,
after 1 step -> use a pot with room (order rlud), when holding nothing."""

from rote.skills.overcooked import ahead, parse, use


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
            if not (state.any_pot("ready")):
                return use(state, state.onions(), order="rlud")
            return ahead(state)
        return use(state, state.pots_where("room"), order="rlud")

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 1
        if self.mode == 1:
            return state.me.held is None
        return False
