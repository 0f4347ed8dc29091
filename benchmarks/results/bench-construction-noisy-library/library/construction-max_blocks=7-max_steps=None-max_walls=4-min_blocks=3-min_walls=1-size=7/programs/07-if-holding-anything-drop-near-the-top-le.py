"""Synthesized: if holding anything: drop near the top-left corner; else fetch a green away
from the top-left corner."""

from rote.skills.construction import away, closest, corner_cell, fetch, free_cells, parse


class Agent:
    def __init__(self):
        pass

    def act(self, observation):
        state = parse(observation)
        if state.held is not None:
            return fetch(state, closest(free_cells(state), corner_cell(state, "top-left")))
        return fetch(state, away(state.cells_of("green"), corner_cell(state, "top-left"), 2))
