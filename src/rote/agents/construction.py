"""The ROTE paper's ten scripted behaviour families for Construction, as finite-state programs.

Each family is a small class whose `act(observation)` parses the rote observation, updates a
little internal state (a target colour, a direction, a phase) and returns one action name.
Walking always takes the first step of a shortest path (`grid.first_step`, deterministic ties)
over non-wall cells; blocks never obstruct. A family with nothing to do returns "stay".
`FAMILIES` maps each family's name to a no-argument factory, in the paper's order.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import partial

from rote.agents.base import Agent
from rote.envs.base import Observation
from rote.envs.construction import COLOURS, ConstructionState
from rote.envs.grid import MOVES, OPPOSITE, Cell, first_step, manhattan, step_cell
from rote.errors import AgentError

CYCLE: tuple[str, ...] = ("green", "blue", "purple")
CORNERS: tuple[str, ...] = ("top-left", "top-right", "bottom-left", "bottom-right")
CORNER_RADIUS = 2
"""A block within this Manhattan distance of its corner counts as placed."""


def _walk(state: ConstructionState, goals: Collection[Cell]) -> str:
    """First move toward the nearest goal, or "stay" when there is none to walk to."""
    step = first_step(state.agent, goals, lambda cell: not state.is_wall(cell))
    return "stay" if step is None else step[0]


def _fetch(state: ConstructionState, goals: Collection[Cell]) -> str:
    """Interact when standing on a goal, else walk toward the nearest one."""
    return "interact" if state.agent in goals else _walk(state, goals)


def _blocked(state: ConstructionState, move: str) -> bool:
    return state.is_wall(step_cell(state.agent, move))


def _bounce(state: ConstructionState, direction: str) -> str:
    """`direction`, flipped when a wall blocks it: the direction to keep going in."""
    return OPPOSITE[direction] if _blocked(state, direction) else direction


def _move(state: ConstructionState, direction: str) -> str:
    return "stay" if _blocked(state, direction) else direction


def _free_cells(state: ConstructionState) -> list[Cell]:
    """Non-wall cells without a block, in (y, x) order."""
    span = range(1, state.size - 1)
    return [
        (x, y)
        for y in span
        for x in span
        if not state.is_wall((x, y)) and (x, y) not in state.blocks
    ]


def _cells_of(state: ConstructionState, colour: str) -> list[Cell]:
    return [cell for cell, block in state.blocks.items() if block == colour]


def _neighbours(cell: Cell) -> list[Cell]:
    return [step_cell(cell, move) for move in MOVES]


class ColourCycle:
    """Visit blocks in the colour cycle green, blue, purple, green, ... without picking them up.

    Absent colours are skipped; standing on a block of the target colour advances the target.
    """

    def __init__(self) -> None:
        self.target = 0

    def act(self, observation: Observation) -> str:
        state = ConstructionState.from_observation(observation)
        for _ in CYCLE:
            colour = CYCLE[self.target]
            goals = _cells_of(state, colour)
            if goals and state.blocks.get(state.agent) != colour:
                return _walk(state, goals)
            self.target = (self.target + 1) % len(CYCLE)
        return "stay"


def _ring(size: int, clockwise: bool) -> list[Cell]:
    """The cells next to the outer wall, in clockwise order on screen (y grows down) or reversed."""
    lo, hi = 1, size - 2
    ring = (
        [(x, lo) for x in range(lo, hi)]
        + [(hi, y) for y in range(lo, hi)]
        + [(x, hi) for x in range(hi, lo, -1)]
        + [(lo, y) for y in range(hi, lo, -1)]
    )
    return ring if clockwise else ring[::-1]


class Patrol:
    """Walk round the ring of cells next to the outer wall, clockwise or counter-clockwise.

    The target is the next non-wall ring cell after the current one; it is remembered so that a
    detour around a wall on the ring (which leaves the ring) does not turn back.
    """

    def __init__(self, *, clockwise: bool = True) -> None:
        self.clockwise = clockwise
        self.target: Cell | None = None

    def act(self, observation: Observation) -> str:
        state = ConstructionState.from_observation(observation)
        if self.target is None or self.target == state.agent or state.is_wall(self.target):
            self.target = self._next_target(state)
        return "stay" if self.target is None else _walk(state, [self.target])

    def _next_target(self, state: ConstructionState) -> Cell | None:
        ring = [cell for cell in _ring(state.size, self.clockwise) if not state.is_wall(cell)]
        if state.agent not in ring:
            step = first_step(state.agent, ring, lambda cell: not state.is_wall(cell))
            return None if step is None else step[1]
        successor = ring[(ring.index(state.agent) + 1) % len(ring)]
        return None if successor == state.agent else successor


class Bounce:
    """Walk back and forth along one axis, turning round whenever a wall is next."""

    def __init__(self, *, start: str = "left") -> None:
        if start not in MOVES:
            raise AgentError(f"bounce: start must be one of {', '.join(MOVES)}, not {start!r}")
        self.direction = start

    def act(self, observation: Observation) -> str:
        state = ConstructionState.from_observation(observation)
        self.direction = _bounce(state, self.direction)
        return _move(state, self.direction)


class BlueNextToBlue:
    """Place a blue block next to another blue block: carry lonely blue blocks to other blues.

    Any other held block is dropped first, where the agent stands or on the nearest free cell.
    """

    def act(self, observation: Observation) -> str:
        state = ConstructionState.from_observation(observation)
        blues = set(_cells_of(state, "blue"))
        if state.held == "blue":
            beside_blue = [c for c in _free_cells(state) if blues.intersection(_neighbours(c))]
            return _fetch(state, beside_blue)
        if state.held is not None:
            return _fetch(state, _free_cells(state))
        lonely = [cell for cell in blues if not blues.intersection(_neighbours(cell))]
        return _fetch(state, lonely) if len(blues) >= 2 else "stay"


class LShape:
    """Trace repeated L shapes: two vertical moves then one horizontal, bouncing off walls."""

    PATTERN: tuple[str, ...] = ("vertical", "vertical", "horizontal")

    def __init__(self) -> None:
        self.phase = 0
        self.directions = {"vertical": "down", "horizontal": "right"}

    def act(self, observation: Observation) -> str:
        state = ConstructionState.from_observation(observation)
        axis = self.PATTERN[self.phase]
        self.phase = (self.phase + 1) % len(self.PATTERN)
        self.directions[axis] = _bounce(state, self.directions[axis])
        return _move(state, self.directions[axis])


def _corner_cell(corner: str, size: int) -> Cell:
    vertical, horizontal = corner.split("-")
    far = size - 2
    return (far if horizontal == "right" else 1, far if vertical == "bottom" else 1)


class CarryToCorner:
    """Carry every block of one colour to within distance 2 of a corner cell.

    Blocks are dropped on the free cell nearest the corner; once that cell is too far, nothing
    more fits and the agent stays. A block of another colour in hand is dropped first.
    """

    def __init__(self, *, colour: str = "green", corner: str = "top-left") -> None:
        if colour not in COLOURS:
            raise AgentError(f"colour must be one of {', '.join(COLOURS)}, not {colour!r}")
        if corner not in CORNERS:
            raise AgentError(f"corner must be one of {', '.join(CORNERS)}, not {corner!r}")
        self.colour = colour
        self.corner = corner

    def act(self, observation: Observation) -> str:
        state = ConstructionState.from_observation(observation)
        corner = _corner_cell(self.corner, state.size)
        free = _free_cells(state)
        if state.held is not None and state.held != self.colour:
            return _fetch(state, free)
        drop = min(free, key=lambda c: (manhattan(c, corner), c[1], c[0]), default=None)
        if drop is None:
            return "stay"
        if state.held is not None:
            return _fetch(state, [drop])
        if manhattan(drop, corner) > CORNER_RADIUS:
            return "stay"
        loose = [c for c in _cells_of(state, self.colour) if manhattan(c, corner) > CORNER_RADIUS]
        return _fetch(state, loose)


class Snake:
    """Sweep the grid row by row: run sideways to a wall, step one row, run back.

    At the last row the vertical direction flips, so the sweep then runs back up.
    """

    def __init__(self) -> None:
        self.horizontal = "right"
        self.vertical = "down"

    def act(self, observation: Observation) -> str:
        state = ConstructionState.from_observation(observation)
        if not _blocked(state, self.horizontal):
            return self.horizontal
        self.horizontal = OPPOSITE[self.horizontal]
        self.vertical = _bounce(state, self.vertical)
        if not _blocked(state, self.vertical):
            return self.vertical
        return _move(state, self.horizontal)


FAMILIES: dict[str, Callable[[], Agent]] = {
    "colour-cycle": ColourCycle,
    "patrol-clockwise": Patrol,
    "patrol-counterclockwise": partial(Patrol, clockwise=False),
    "left-right": Bounce,
    "up-down": partial(Bounce, start="up"),
    "blue-next-to-blue": BlueNextToBlue,
    "l-shape": LShape,
    "green-to-corner": CarryToCorner,
    "pink-to-corner": partial(CarryToCorner, colour="pink", corner="bottom-right"),
    "snake": Snake,
}
"""The ten Construction behaviour families, by name, in the paper's order."""
