"""Synthesized: if holding anything: drop near the bottom-right corner; else fetch a pink away
from the bottom-right corner."""

from rote.skills.construction import away, closest, corner_cell, fetch, free_cells, parse


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.held is not None:
            return fetch(state, closest(free_cells(state), corner_cell(state, "bottom-right")))
        return fetch(state, away(state.cells_of("pink"), corner_cell(state, "bottom-right"), 2))
