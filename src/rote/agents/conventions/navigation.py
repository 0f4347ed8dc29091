"""Walking with a stated convention: the one navigation the conventions agents share.

The conventions agents stand for agents written elsewhere, so none of them walks with rote's
walking skills (`walk`, `fetch`, `first_step`, `go_to`, `turn_to`, ...); they walk with this
module, written apart from those. A `Convention` is what a person would say about how an agent
chooses among equally good moves:

- `order`: the moves by preference, a string of the letters u, d, l, r, the first the most
  preferred. Among the equally short paths to the nearest goals, the agent takes the one whose
  moves, read from the first, come earliest in that order (lexicographic by the order), and so
  also heads for the goal that path ends at. rote's own walking is order "udlr".
- `turn`: which way a MiniGrid agent turns when the way it must go is behind it.
- `prefer`: "straight" keeps going the way the agent faces when that move starts a shortest
  path (else the order decides); "order" lets the order alone decide.

The same order ranks equally near cells (`nearest_cell`, where a block is dropped): the axis of
the order's first letter decides first, the earlier direction of that axis preferred, then the
other axis likewise ("lrud": the leftmost, then the upper).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from rote.skills.construction import ConstructionState
from rote.skills.grid import Cell, manhattan, step_cell
from rote.skills.minigrid import DIRECTIONS, MiniGridState

LETTERS: dict[str, str] = {"u": "up", "d": "down", "l": "left", "r": "right"}
"""An order's letters and the moves they name."""

Turn = Literal["left", "right"]
Prefer = Literal["order", "straight"]


@dataclass(frozen=True)
class Convention:
    """How an agent chooses among equally good moves (see the module's docstring)."""

    order: str = "udlr"
    turn: Turn = "left"
    prefer: Prefer = "order"

    def __post_init__(self) -> None:
        if sorted(self.order) != sorted(LETTERS):
            raise ValueError(f"order must name each of u, d, l, r once, not {self.order!r}")
        if self.turn not in ("left", "right"):
            raise ValueError(f"turn must be left or right, not {self.turn!r}")
        if self.prefer not in ("order", "straight"):
            raise ValueError(f"prefer must be order or straight, not {self.prefer!r}")

    @property
    def moves(self) -> tuple[str, ...]:
        """The move names, most preferred first."""
        return tuple(LETTERS[letter] for letter in self.order)

    def rank(self, cell: Cell) -> tuple[int, int]:
        """A sort key among equally near cells: smaller is preferred by the order."""
        key: dict[int, int] = {}
        for letter in self.order:  # the first letter of each axis says which way it prefers
            axis, sign = _AXIS[letter]
            key.setdefault(axis, sign * cell[axis])
        first, second = key.values()
        return (first, second)


_AXIS: dict[str, tuple[int, int]] = {"l": (0, 1), "r": (0, -1), "u": (1, 1), "d": (1, -1)}
"""Letter to (coordinate index, sign): preferring "l" prefers the smaller x, and so on."""


def distances(
    start: Cell, goals: Iterable[Cell], passable: Callable[[Cell], bool]
) -> dict[Cell, int]:
    """Steps from each cell to the nearest goal, for the cells from which one can be reached.

    A path runs over passable cells (the start among them) and may end on a goal that is not
    passable (an object the agent walks up to). Searched backwards, from the goals."""
    found = {goal: 0 for goal in goals}
    frontier = deque(found)
    while frontier:
        cell = frontier.popleft()
        for move in LETTERS.values():
            nxt = step_cell(cell, move)
            if nxt not in found and (nxt == start or passable(nxt)):
                found[nxt] = found[cell] + 1
                frontier.append(nxt)
    return found


def path(
    start: Cell, goals: Iterable[Cell], passable: Callable[[Cell], bool], convention: Convention
) -> list[str] | None:
    """The moves of the shortest path to the nearest goal that the order prefers (the earliest
    in it move by move); [] on a goal, None when no goal can be reached."""
    steps = distances(start, goals, passable)
    if start not in steps:
        return None
    moves: list[str] = []
    cell = start
    while steps[cell]:
        move = next(m for m in convention.moves if steps.get(step_cell(cell, m)) == steps[cell] - 1)
        moves.append(move)
        cell = step_cell(cell, move)
    return moves


def first_move(
    start: Cell,
    goals: Iterable[Cell],
    passable: Callable[[Cell], bool],
    convention: Convention,
    facing: str | None = None,
) -> str | None:
    """The convention's first move toward the nearest goal: with prefer "straight", `facing`
    when it starts a shortest path; else the first move of the path the order prefers. None
    on a goal or when none can be reached."""
    steps = distances(start, goals, passable)
    if not steps.get(start):
        return None
    starts = [m for m in convention.moves if steps.get(step_cell(start, m)) == steps[start] - 1]
    if convention.prefer == "straight" and facing in starts:
        return facing
    return starts[0]


def nearest_cell(cells: Iterable[Cell], target: Cell, convention: Convention) -> Cell | None:
    """The cell nearest `target` as the crow walks (Manhattan), ties ranked by the order."""
    return min(
        cells, key=lambda cell: (manhattan(cell, target), *convention.rank(cell)), default=None
    )


# Construction: walls block, blocks never do.


def _open(state: ConstructionState) -> Callable[[Cell], bool]:
    return lambda cell: not state.is_wall(cell)


def walk_toward(state: ConstructionState, goals: Iterable[Cell], convention: Convention) -> str:
    """The convention's first step toward the nearest goal; "stay" on a goal or when none can
    be reached."""
    move = first_move(state.agent, goals, _open(state), convention)
    return "stay" if move is None else move


def interact_at(state: ConstructionState, goals: Iterable[Cell], convention: Convention) -> str:
    """Interact when standing on a goal, else walk toward the nearest by the convention."""
    goal_set = set(goals)
    return "interact" if state.agent in goal_set else walk_toward(state, goal_set, convention)


def walk_target(
    state: ConstructionState, goals: Iterable[Cell], convention: Convention
) -> Cell | None:
    """The goal the convention's walk heads for (the end of its preferred path)."""
    moves = path(state.agent, goals, _open(state), convention)
    if moves is None:
        return None
    cell = state.agent
    for move in moves:
        cell = step_cell(cell, move)
    return cell


# MiniGrid: the agent turns and steps forward; it arrives when it faces a goal.


def turn_toward(state: MiniGridState, direction: str, convention: Convention) -> str:
    """Forward when facing `direction`, else the quarter turn toward it; when it is behind,
    the convention's turn."""
    quarter = (DIRECTIONS.index(direction) - DIRECTIONS.index(state.direction)) % 4
    return ("forward", "right", convention.turn, "left")[quarter]


def arrive_at(
    state: MiniGridState, goals: Iterable[Cell], arrive: str, convention: Convention
) -> str:
    """`arrive` when facing one of the goals, else a turn or a step forward toward facing the
    nearest by the convention; "done" when none can be reached."""
    goal_set = set(goals)
    if state.front in goal_set:
        return arrive
    move = first_move(state.agent, goal_set, state.passable, convention, state.direction)
    return "done" if move is None else turn_toward(state, move, convention)
