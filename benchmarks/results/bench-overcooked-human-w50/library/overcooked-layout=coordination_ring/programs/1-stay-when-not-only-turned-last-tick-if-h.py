"""Synthesized: stay, when not only turned last tick -> if holding dish: go to a ready pot; if
holding onion: use a pot with room; if not holding nothing: use a serving counter; if not
facing a dish dispenser: use an onion dispenser; else use a dish dispenser, when facing
floor -> stay, when idle -> keep heading, after 4 steps."""

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
            return "stay"
        if self.mode == 1:
            if state.me.held == "dish":
                return approach(state, state.pots_where("ready"))
            if state.me.held == "onion":
                return use(state, state.pots_where("room"))
            if not (state.me.held is None):
                return use(state, state.serving())
            if not (state.faces("D")):
                return use(state, state.onions())
            return use(state, state.dishes())
        if self.mode == 2:
            return "stay"
        return ahead(state)

    def leaving(self, state):
        if self.mode == 0:
            return not (state.moved and not state.stepped)
        if self.mode == 1:
            return state.faces(" ")
        if self.mode == 2:
            return "stay" == "stay"
        if self.mode == 3:
            return self.steps >= 4
        return False
