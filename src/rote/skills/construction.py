"""Construction skills: the world model and the general moves behaviour programs are built from.

Programs, scripted or inferred, import from here (`from rote.skills.construction import ...`),
inside the sandbox as well as in-process. So this module is stdlib-only and imports nothing of
rote but `rote.skills.grid`, and each name in `__all__` is a skill a person would name for any
gridworld ("walk to the nearest green block", "keep going until a wall"), never a whole plan.

Cells are (x, y) tuples, x growing right and y down. Walking takes the first step of a shortest
path over non-wall cells; blocks never obstruct. Ties between equally short paths, and between
equally near cells, follow a move order (`order`, rote.skills.grid): a convention an agent
keeps, "udlr" (up, down, left, right) unless it says otherwise.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rote.skills.grid import (
    DEFAULT_ORDER,
    MOVES,
    OPPOSITE,
    Cell,
    by_order,
    distances_to,
    downhill,
    first_step,
    manhattan,
    step_cell,
)

__all__ = [
    "ACTIONS",
    "COLOURS",
    "CORNERS",
    "MOVES",
    "OPPOSITE",
    "Cell",
    "ConstructionState",
    "Heading",
    "RingWalk",
    "away",
    "beside",
    "blocked",
    "bounce",
    "closest",
    "corner_cell",
    "fetch",
    "free_cells",
    "isolated",
    "manhattan",
    "move",
    "nearest",
    "neighbours",
    "parse",
    "ring",
    "ring_successor",
    "walk",
]

COLOURS: tuple[str, ...] = ("green", "blue", "purple", "pink", "yellow")
ACTIONS: tuple[str, ...] = ("stay", "up", "down", "left", "right", "interact")
CORNERS: tuple[str, ...] = ("top-left", "top-right", "bottom-left", "bottom-right")


@dataclass
class ConstructionState:
    """The full state of a Construction world; observations are exactly this, as JSON."""

    size: int
    agent: Cell
    held: str | None = None
    walls: frozenset[Cell] = frozenset()
    blocks: dict[Cell, str] = field(default_factory=dict)
    t: int = 0

    def is_wall(self, cell: Cell) -> bool:
        x, y = cell
        last = self.size - 1
        return x <= 0 or y <= 0 or x >= last or y >= last or cell in self.walls

    def cells_of(self, colour: str) -> list[Cell]:
        """Cells holding a block of `colour`, in row order."""
        return sorted((c for c, b in self.blocks.items() if b == colour), key=_row_order)

    def to_observation(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "size": self.size,
            "agent": list(self.agent),
            "held": self.held,
            "walls": [list(cell) for cell in sorted(self.walls)],
            "blocks": [
                {"pos": list(cell), "colour": colour}
                for cell, colour in sorted(self.blocks.items())
            ],
        }

    @classmethod
    def from_observation(cls, observation: Mapping[str, Any]) -> ConstructionState:
        """Parse a (schema-valid) rote observation."""
        return cls(
            size=observation["size"],
            agent=_cell(observation["agent"]),
            held=observation["held"],
            walls=frozenset(_cell(wall) for wall in observation["walls"]),
            blocks={_cell(block["pos"]): block["colour"] for block in observation["blocks"]},
            t=observation["t"],
        )


def _cell(value: Any) -> Cell:
    return (int(value[0]), int(value[1]))


def _row_order(cell: Cell) -> tuple[int, int]:
    return (cell[1], cell[0])


def parse(observation: Mapping[str, Any]) -> ConstructionState:
    """The world an observation describes."""
    return ConstructionState.from_observation(observation)


def blocked(state: ConstructionState, direction: str) -> bool:
    """Whether a wall is right next to the agent in `direction`."""
    return state.is_wall(step_cell(state.agent, direction))


def move(state: ConstructionState, direction: str) -> str:
    """Step in `direction`, or stay when a wall is in the way."""
    return "stay" if blocked(state, direction) else direction


def bounce(state: ConstructionState, direction: str) -> str:
    """The direction to keep going in: `direction`, turned round when a wall is next."""
    return OPPOSITE[direction] if blocked(state, direction) else direction


def walk(state: ConstructionState, goals: Iterable[Cell], order: str = DEFAULT_ORDER) -> str:
    """First step toward the nearest goal, ties by `order`; "stay" when on a goal or none can
    be reached."""
    field = _distances(_open_cells(state.size, frozenset(state.walls)), frozenset(goals))
    return downhill(state.agent, field, order) or "stay"


def fetch(state: ConstructionState, goals: Iterable[Cell], order: str = DEFAULT_ORDER) -> str:
    """Interact when standing on a goal, else walk toward the nearest one."""
    goal_set = set(goals)
    return "interact" if state.agent in goal_set else walk(state, goal_set, order)


def nearest(
    state: ConstructionState, goals: Iterable[Cell], order: str = DEFAULT_ORDER
) -> Cell | None:
    """The goal a walk heads for: nearest by path, ties as `walk` breaks them."""
    goal_set = set(goals)
    if state.agent in goal_set:
        return state.agent
    step = _route(state, goal_set, order)
    return None if step is None else step[1]


def _route(state: ConstructionState, goals: Iterable[Cell], order: str) -> tuple[str, Cell] | None:
    """`first_step` from the agent to the goals over cells that are not walls."""
    open_cells = _open_cells(state.size, frozenset(state.walls))
    return _first_step(open_cells, state.agent, frozenset(goals), order)


@functools.lru_cache(maxsize=4096)
def _distances(open_cells: frozenset[Cell], goals: frozenset[Cell]) -> dict[Cell, int]:
    """`distances_to`, remembered: every walk toward the same goals on the same grid shares
    it, whatever the agent's cell and move order (callers only read it)."""
    return distances_to(goals, open_cells)


@functools.lru_cache(maxsize=4096)
def _first_step(
    open_cells: frozenset[Cell], start: Cell, goals: frozenset[Cell], order: str
) -> tuple[str, Cell] | None:
    """`first_step`, remembered: a pure function of its arguments, and a search asks the same
    walk of the same state over and over (every program that walks the ring, at each step)."""
    return first_step(start, goals, open_cells.__contains__, order)


@functools.lru_cache(maxsize=64)
def _open_cells(size: int, walls: frozenset[Cell]) -> frozenset[Cell]:
    """The cells that are not walls (`is_wall`), where walking may pass. Once per grid: the
    key is the grid itself, so nothing goes stale."""
    span = range(1, size - 1)
    return frozenset((x, y) for y in span for x in span) - walls


def neighbours(cell: Cell) -> list[Cell]:
    return [step_cell(cell, direction) for direction in MOVES]


def free_cells(state: ConstructionState) -> list[Cell]:
    """Cells with neither wall nor block, in row order: where a held block can be dropped."""
    span = range(1, state.size - 1)
    return [
        (x, y)
        for y in span
        for x in span
        if not state.is_wall((x, y)) and (x, y) not in state.blocks
    ]


def beside(state: ConstructionState, cells: Collection[Cell]) -> list[Cell]:
    """Free cells next to any of `cells`."""
    targets = set(cells)
    return [cell for cell in free_cells(state) if targets.intersection(neighbours(cell))]


def isolated(state: ConstructionState, colour: str) -> list[Cell]:
    """Blocks of `colour` with no block of the same colour next to them. A block alone in its
    colour is not among them: there is nothing for it to stand apart from, or to join."""
    same = set(state.cells_of(colour))
    if len(same) < 2:
        return []
    return [cell for cell in state.cells_of(colour) if not same.intersection(neighbours(cell))]


def closest(cells: Iterable[Cell], target: Cell, order: str = DEFAULT_ORDER) -> list[Cell]:
    """The one cell of `cells` nearest `target` as the crow walks (Manhattan; ties as `order`
    ranks cells: the upper, then the left, by default), as a list: empty when there are no
    cells."""
    ranked = sorted(by_order(list(cells), order), key=lambda cell: manhattan(cell, target))
    return ranked[:1]


def away(cells: Iterable[Cell], target: Cell, radius: int) -> list[Cell]:
    """The cells farther than `radius` (Manhattan) from `target`."""
    return [cell for cell in cells if manhattan(cell, target) > radius]


def corner_cell(state: ConstructionState, corner: str) -> Cell:
    """The interior cell in a corner ("top-left", ... as in CORNERS)."""
    vertical, horizontal = corner.split("-")
    far = state.size - 2
    return (far if horizontal == "right" else 1, far if vertical == "bottom" else 1)


def ring(state: ConstructionState, clockwise: bool = True) -> list[Cell]:
    """The non-wall cells next to the outer wall, in order round the grid (clockwise as seen on
    screen, y growing down) starting at the top-left."""
    lo, hi = 1, state.size - 2
    cells = (
        [(x, lo) for x in range(lo, hi)]
        + [(hi, y) for y in range(lo, hi)]
        + [(x, hi) for x in range(hi, lo, -1)]
        + [(lo, y) for y in range(hi, lo, -1)]
    )
    ordered = cells if clockwise else cells[::-1]
    return [cell for cell in ordered if not state.is_wall(cell)]


def ring_successor(
    state: ConstructionState, clockwise: bool = True, order: str = DEFAULT_ORDER
) -> Cell | None:
    """Where a walk round the outer ring goes next from here: the next ring cell when on the
    ring, else the nearest ring cell. None when there is nowhere to go."""
    cells = ring(state, clockwise)
    if state.agent not in cells:
        return nearest(state, cells, order)
    successor = cells[(cells.index(state.agent) + 1) % len(cells)]
    return None if successor == state.agent else successor


class Heading:
    """Keep going one way along a line, turning round when a wall is next: pacing."""

    def __init__(self, direction: str) -> None:
        self.direction = direction

    def act(self, state: ConstructionState) -> str:
        self.direction = bounce(state, self.direction)
        return move(state, self.direction)


class RingWalk:
    """Walk round the outer ring. The next ring cell is remembered, so a detour round a wall on
    the ring does not turn back."""

    def __init__(self, clockwise: bool = True, order: str = DEFAULT_ORDER) -> None:
        self.clockwise = clockwise
        self.order = order
        self.target: Cell | None = None

    def act(self, state: ConstructionState) -> str:
        if self.target is None or self.target == state.agent or state.is_wall(self.target):
            self.target = ring_successor(state, self.clockwise, self.order)
        return "stay" if self.target is None else walk(state, [self.target], self.order)
