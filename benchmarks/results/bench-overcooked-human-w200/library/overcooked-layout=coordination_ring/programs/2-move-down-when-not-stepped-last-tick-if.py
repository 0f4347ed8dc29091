"""Synthesized: move down, when not stepped last tick -> if holding soup: go to a serving
counter (order uldr); if holding nothing: go to an onion dispenser (order uldr); else use a
pot (order uldr), when facing floor -> keep heading, when not facing floor -> keep heading,
after 2 steps."""

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
            return "down"
        if self.mode == 1:
            if state.me.held == "soup":
                return approach(state, state.serving(), order="uldr")
            if state.me.held is None:
                return approach(state, state.onions(), order="uldr")
            return use(state, state.all_pots(), order="uldr")
        if self.mode == 2:
            return ahead(state)
        return ahead(state)

    def leaving(self, state):
        if self.mode == 0:
            return not (state.stepped)
        if self.mode == 1:
            return state.faces(" ")
        if self.mode == 2:
            return not (state.faces(" "))
        if self.mode == 3:
            return self.steps >= 2
        return False
