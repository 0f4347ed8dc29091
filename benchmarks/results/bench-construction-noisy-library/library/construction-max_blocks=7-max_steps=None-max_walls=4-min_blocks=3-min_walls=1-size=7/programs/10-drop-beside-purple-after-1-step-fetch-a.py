"""Synthesized: drop beside purple, after 1 step -> fetch a green away from the top-left
corner, when holding anything -> drop near the top-left corner, when not holding anything ->
fetch a green away from the top-left corner, when holding anything."""

from rote.skills.construction import away, beside, closest, corner_cell, fetch, free_cells, parse


class Agent:
    def __init__(self):
        self.mode = 0
        self.steps = 0

    def act(self, observation):
        state = parse(observation)
        for _ in range(3):
            if not self.leaving(state):
                break
            self.mode = (self.mode + 1) % 4
            self.steps = 0
        self.steps += 1
        if self.mode == 0:
            return fetch(state, beside(state, state.cells_of("purple")))
        if self.mode == 1:
            return fetch(state, away(state.cells_of("green"), corner_cell(state, "top-left"), 2))
        if self.mode == 2:
            return fetch(state, closest(free_cells(state), corner_cell(state, "top-left")))
        return fetch(state, away(state.cells_of("green"), corner_cell(state, "top-left"), 2))

    def leaving(self, state):
        if self.mode == 0:
            return self.steps >= 1
        if self.mode == 1:
            return state.held is not None
        if self.mode == 2:
            return not (state.held is not None)
        if self.mode == 3:
            return state.held is not None
        return False
