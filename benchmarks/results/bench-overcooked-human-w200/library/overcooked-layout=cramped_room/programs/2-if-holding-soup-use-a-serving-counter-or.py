"""Synthesized: if holding soup: use a serving counter (order udrl); if holding nothing: use an
onion dispenser (order udrl); if a onion on a counter: use a pot (order udrl); else use a
pot with room (order udrl)."""

from rote.skills.overcooked import parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "soup":
            return use(state, state.serving(), order="udrl")
        if state.me.held is None:
            return use(state, state.onions(), order="udrl")
        if bool(state.counters("onion")):
            return use(state, state.all_pots(), order="udrl")
        return use(state, state.pots_where("room"), order="udrl")
