"""Synthesized: if holding anything: drop beside blue; else fetch a lone blue."""

from rote.skills.construction import beside, fetch, isolated, parse


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.held is not None:
            return fetch(state, beside(state, state.cells_of("blue")))
        return fetch(state, isolated(state, "blue"))
