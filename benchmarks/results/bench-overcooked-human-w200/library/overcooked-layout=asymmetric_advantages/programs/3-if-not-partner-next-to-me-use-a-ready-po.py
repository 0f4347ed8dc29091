"""Synthesized: if not partner next to me: use a ready pot; else keep heading, when not holding
dish -> if holding soup: go to a serving counter; if facing an onion dispenser: go to a
serving counter; else move right, when holding nothing -> if not facing a counter: go to an
onion dispenser; else move left, after 2 steps."""

from rote.skills.overcooked import ahead, approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None
        self.mode = 0
        self.steps = 0

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        for _ in range(3):
            if not self.leaving(state):
                break
            self.mode = (self.mode + 1) % 3
            self.steps = 0
        self.steps += 1
        if self.mode == 0:
            if not (state.partner_adjacent()):
                return use(state, state.pots_where("ready"))
            return ahead(state)
        if self.mode == 1:
            if state.me.held == "soup":
                return approach(state, state.serving())
            if state.faces("O"):
                return approach(state, state.serving())
            return "right"
        if not (state.faces("X")):
            return approach(state, state.onions())
        return "left"

    def leaving(self, state):
        if self.mode == 0:
            return not (state.me.held == "dish")
        if self.mode == 1:
            return state.me.held is None
        if self.mode == 2:
            return self.steps >= 2
        return False
