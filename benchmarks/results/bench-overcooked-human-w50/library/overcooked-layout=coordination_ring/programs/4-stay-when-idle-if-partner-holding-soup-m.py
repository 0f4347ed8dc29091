"""Synthesized: stay, when idle -> if partner holding soup: move up; else go to an onion
dispenser, when not partner next to me -> keep heading, when not moved last tick."""

from rote.skills.overcooked import ahead, approach, parse


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
            return "stay"
        if self.mode == 1:
            if state.partner.held == "soup":
                return "up"
            return approach(state, state.onions())
        return ahead(state)

    def leaving(self, state):
        if self.mode == 0:
            return "stay" == "stay"
        if self.mode == 1:
            return not (state.partner_adjacent())
        if self.mode == 2:
            return not (state.moved)
        return False
