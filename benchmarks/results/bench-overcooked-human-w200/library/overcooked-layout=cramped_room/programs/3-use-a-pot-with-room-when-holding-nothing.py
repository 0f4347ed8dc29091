"""Synthesized: use a pot with room, when holding nothing -> if moved last tick: use a ready
pot; else use an onion dispenser, when not holding nothing -> stay, when a pot has room ->
stay, after 4 steps."""

from rote.skills.overcooked import parse, use


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
            return use(state, state.pots_where("room"))
        if self.mode == 1:
            if state.moved:
                return use(state, state.pots_where("ready"))
            return use(state, state.onions())
        if self.mode == 2:
            return "stay"
        return "stay"

    def leaving(self, state):
        if self.mode == 0:
            return state.me.held is None
        if self.mode == 1:
            return not (state.me.held is None)
        if self.mode == 2:
            return state.any_pot("room")
        if self.mode == 3:
            return self.steps >= 4
        return False
