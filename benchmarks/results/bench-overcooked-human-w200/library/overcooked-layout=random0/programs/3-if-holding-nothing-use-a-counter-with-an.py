"""Synthesized: if holding nothing: use a counter with an onion; else use a pot, when not
holding nothing -> if not holding dish: use a serving counter; else go to a cooking pot,
when idle."""

from rote.skills.overcooked import approach, parse, use


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
            if state.me.held is None:
                return use(state, state.counters("onion"))
            return use(state, state.all_pots())
        if not (state.me.held == "dish"):
            return use(state, state.serving())
        return approach(state, state.pots_where("cooking"))

    def leaving(self, state):
        if self.mode == 0:
            return not (state.me.held is None)
        if self.mode == 1:
            return approach(state, state.pots_where("cooking")) == "stay"
        return False
