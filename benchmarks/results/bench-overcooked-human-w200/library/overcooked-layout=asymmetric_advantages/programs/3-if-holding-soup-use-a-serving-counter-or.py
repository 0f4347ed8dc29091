"""Synthesized: if holding soup: use a serving counter (order drul); if holding onion: use a
pot with room (order drul); if not a pot has room: go to a pot with room (order drul); if
facing a counter: use a ready pot (order drul); else use an onion dispenser (order drul)."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        self.previous = None

    def act(self, observation):
        state = parse(observation, self.previous)
        self.previous = observation
        if state.me.held == "soup":
            return use(state, state.serving(), order="drul")
        if state.me.held == "onion":
            return use(state, state.pots_where("room"), order="drul")
        if not (state.any_pot("room")):
            return approach(state, state.pots_where("room"), order="drul")
        if state.faces("X"):
            return use(state, state.pots_where("ready"), order="drul")
        return use(state, state.onions(), order="drul")
