"""Synthesized: keep heading, after 3 steps -> if not holding nothing: go to a cooking pot
(order lurd); if interacted last tick: stay; else use an onion dispenser (order lurd), when
stepped last tick -> stay, when idle -> keep heading, when not partner next to me."""

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
            return ahead(state)
        if self.mode == 1:
            if not (state.me.held is None):
                return approach(state, state.pots_where("cooking"), order="lurd")
            if state.me.last_action == "interact":
                return "stay"
            return use(state, state.onions(), order="lurd")
        if self.mode == 2:
            return "stay"
        return ahead(state)

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 3
        if self.mode == 1:
            return state.stepped
        if self.mode == 2:
            return "stay" == "stay"
        if self.mode == 3:
            return not (state.partner_adjacent())
        return False
