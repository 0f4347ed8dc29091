"""Synthesized: stay, when idle -> if not holding nothing: use a pot with room; if not holding
soup: use an onion dispenser; else keep heading, when moved last tick -> if facing an onion
dispenser: use an onion dispenser; else keep heading, after 1 step -> use a serving counter,
when not holding soup."""

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
            return "stay"
        if self.mode == 1:
            if not (state.me.held is None):
                return use(state, state.pots_where("room"))
            if not (state.me.held == "soup"):
                return use(state, state.onions())
            return ahead(state)
        if self.mode == 2:
            if state.faces("O"):
                return use(state, state.onions())
            return ahead(state)
        return use(state, state.serving())

    def leaving(self, state):
        if self.mode == 0:
            return "stay" == "stay"
        if self.mode == 1:
            return state.moved
        if self.mode == 2:
            return self.steps >= 1
        if self.mode == 3:
            return not (state.me.held == "soup")
        return False
