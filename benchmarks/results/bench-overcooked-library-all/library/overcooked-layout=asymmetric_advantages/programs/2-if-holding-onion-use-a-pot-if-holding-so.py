"""Synthesized: if holding onion: use a pot; if holding soup: go to a serving counter; if
facing floor: move left; else stay."""

from rote.skills.overcooked import approach, parse, use


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.me.held == "onion":
            return use(state, state.all_pots())
        if state.me.held == "soup":
            return approach(state, state.serving())
        if state.faces(" "):
            return "left"
        return "stay"
