"""green-to-corner-horizontal-first: green-to-corner's plan, moving sideways before up or down.

The plan is green-to-corner's: carry every green block to within distance 2 of the top-left
corner, dropping it on the free cell nearest the corner; stay once that cell is too far; drop a
block of another colour first, on the nearest free cell. The convention is another: among
equally short paths it takes the one whose moves come earliest in the order left, right, up,
down (so it first closes the horizontal gap, and heads for the goal that path reaches); among
free cells equally near the corner it drops on the leftmost, then the upper (order "lrud").
"""

from rote.agents.conventions.navigation import Convention, interact_at, nearest_cell
from rote.skills.construction import corner_cell, free_cells, manhattan, parse

COLOUR = "green"
CORNER = "top-left"
RADIUS = 2
CONVENTION = Convention(order="lrud")


class Agent:
    def act(self, observation):
        state = parse(observation)
        corner = corner_cell(state, CORNER)
        free = free_cells(state)
        if state.held is not None and state.held != COLOUR:
            return interact_at(state, free, CONVENTION)
        drop = nearest_cell(free, corner, CONVENTION)
        if drop is None:
            return "stay"
        if state.held is not None:
            return interact_at(state, [drop], CONVENTION)
        if manhattan(drop, corner) > RADIUS:
            return "stay"
        loose = [cell for cell in state.cells_of(COLOUR) if manhattan(cell, corner) > RADIUS]
        return interact_at(state, loose, CONVENTION)
