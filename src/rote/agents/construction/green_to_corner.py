"""green-to-corner: carry every green block to within distance 2 of the top-left corner.

Blocks are dropped on the free cell nearest the corner; once that cell is too far, nothing more
fits and the agent stays. A block of another colour in hand is dropped first.
"""

from rote.skills.construction import corner_cell, fetch, free_cells, manhattan, parse

COLOUR = "green"
CORNER = "top-left"
RADIUS = 2


class Agent:
    def act(self, observation):
        state = parse(observation)
        corner = corner_cell(state, CORNER)
        free = free_cells(state)
        if state.held is not None and state.held != COLOUR:
            return fetch(state, free)
        if not free:
            return "stay"
        drop = min(free, key=lambda cell: (manhattan(cell, corner), cell[1], cell[0]))
        if state.held is not None:
            return fetch(state, [drop])
        if manhattan(drop, corner) > RADIUS:
            return "stay"
        loose = [cell for cell in state.cells_of(COLOUR) if manhattan(cell, corner) > RADIUS]
        return fetch(state, loose)
