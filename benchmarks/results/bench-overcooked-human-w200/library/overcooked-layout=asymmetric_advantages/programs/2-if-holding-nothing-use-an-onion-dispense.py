"""Synthesized: if holding nothing: use an onion dispenser (order lrud); else use a pot with
room (order lrud), when not holding nothing -> if facing a dish dispenser: go to an onion
dispenser (order lrud); if not holding soup: use a ready pot (order lrud); else use a
serving counter (order lrud), when not holding dish."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None
        self.mode = 0
        self.steps = 0

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        for _ in range(2):
            if not self.leaving(state):
                break
            self.mode = (self.mode + 1) % 2
            self.steps = 0
        self.steps += 1
        if self.mode == 0:
            if state.me.held is None:
                return use(state, state.onions(), order="lrud")
            return use(state, state.pots_where("room"), order="lrud")
        if state.faces("D"):
            return approach(state, state.onions(), order="lrud")
        if not (state.me.held == "soup"):
            return use(state, state.pots_where("ready"), order="lrud")
        return use(state, state.serving(), order="lrud")

    def leaving(self, state):
        if self.mode == 0:
            return not (state.me.held is None)
        if self.mode == 1:
            return not (state.me.held == "dish")
        return False
