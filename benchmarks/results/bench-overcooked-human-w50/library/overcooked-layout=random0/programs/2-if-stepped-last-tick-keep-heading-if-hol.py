"""Synthesized: if stepped last tick: keep heading; if holding onion: use a pot with room; if
holding soup: use a serving counter; if not holding nothing: use a pot; else use a counter
with an onion."""

from rote.skills.overcooked import ahead, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.stepped:
            return ahead(state)
        if state.me.held == "onion":
            return use(state, state.pots_where("room"))
        if state.me.held == "soup":
            return use(state, state.serving())
        if not (state.me.held is None):
            return use(state, state.all_pots())
        return use(state, state.counters("onion"))
