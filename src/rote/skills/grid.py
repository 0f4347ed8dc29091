"""Geometry shared by gridworlds: cells, moves and shortest paths.

Coordinates are (x, y) with x the column (growing right) and y the row (growing down), so
"up" decreases y. Ties between equally short paths are broken by a move order, a convention:
`order` names the four moves by their initials, most preferred first. The default, "udlr"
(up, down, left, right), walks vertically first and keeps every scripted agent of ours
deterministic; other agents walk by other orders ("lrud": horizontally first), and the
synthesizer fits the order from what it sees (issue 22).
"""

from __future__ import annotations

import functools
import itertools
from collections import deque
from collections.abc import Callable, Collection

__all__ = [
    "DEFAULT_ORDER",
    "MOVES",
    "OPPOSITE",
    "ORDERS",
    "Cell",
    "by_order",
    "connected",
    "distances_to",
    "downhill",
    "first_step",
    "manhattan",
    "moves_in",
    "step_cell",
]

Cell = tuple[int, int]

MOVES: dict[str, Cell] = {"up": (0, -1), "down": (0, 1), "left": (-1, 0), "right": (1, 0)}
"""Move name to (dx, dy), in tie-breaking order."""

OPPOSITE: dict[str, str] = {"up": "down", "down": "up", "left": "right", "right": "left"}

DEFAULT_ORDER = "udlr"
"""The move order of MOVES: up, down, left, right."""
ORDERS: tuple[str, ...] = tuple("".join(p) for p in itertools.permutations(DEFAULT_ORDER))
"""Every move order, the default first: the values an `order` convention takes."""


@functools.cache
def moves_in(order: str) -> tuple[tuple[str, int, int], ...]:
    """(move, dx, dy) in `order`, most preferred first; ValueError for a string that is not an
    order of the four initials."""
    if order not in ORDERS:
        raise ValueError(f"a move order names u, d, l and r once each, not {order!r}")
    names = {name[0]: name for name in MOVES}
    return tuple((names[letter], *MOVES[names[letter]]) for letter in order)


def by_order(cells: Collection[Cell], order: str = DEFAULT_ORDER) -> list[Cell]:
    """`cells` ranked as `order` prefers them: along the axis of its first move, the farthest
    that move's way first, then along the other axis by the first move there ("udlr": upper
    rows first, then the left; "lrud": left columns first, then the upper)."""
    moves = moves_in(order)
    _, dx, dy = moves[0]
    _, ox, oy = next(move for move in moves if (move[1] == 0) != (dx == 0))
    if dx == 0:
        return sorted(cells, key=lambda cell: (-dy * cell[1], -ox * cell[0]))
    return sorted(cells, key=lambda cell: (-dx * cell[0], -oy * cell[1]))


def step_cell(cell: Cell, move: str) -> Cell:
    """The cell one move away (whether or not it can be entered)."""
    dx, dy = MOVES[move]
    return (cell[0] + dx, cell[1] + dy)


def manhattan(a: Cell, b: Cell) -> int:
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def first_step(
    start: Cell,
    goals: Collection[Cell],
    passable: Callable[[Cell], bool],
    order: str = DEFAULT_ORDER,
) -> tuple[str, Cell] | None:
    """First move of a shortest path from `start` to the nearest goal, and that goal.

    Of all shortest paths to the nearest goals, the first in `order`'s lexicographic order: the
    breadth-first search expands moves in that order, so the first goal found is reached by it.
    None when `start` is itself a goal or no goal is reachable. Goals need not be passable
    (a path may end on them), which lets callers walk up to an obstacle.
    """
    goal_set = set(goals)
    if start in goal_set or not goal_set:
        return None
    moves = moves_in(order)
    first_move: dict[Cell, str] = {start: ""}
    queue = deque([start])
    while queue:  # the hot loop of every walking skill: step_cell is inlined
        cell = queue.popleft()
        x, y = cell
        came = first_move[cell]
        for move, dx, dy in moves:
            nxt = (x + dx, y + dy)
            if nxt in first_move:
                continue
            origin = came or move
            if nxt in goal_set:
                return origin, nxt
            if passable(nxt):
                first_move[nxt] = origin
                queue.append(nxt)
    return None


def distances_to(goals: Collection[Cell], passable: Collection[Cell]) -> dict[Cell, int]:
    """Steps from each cell that can reach a goal to the nearest goal, walking on `passable`
    cells (goals need not be passable). With `downhill`, a walk that serves every start and
    every move order from one search: the field depends only on the grid and the goals."""
    found = dict.fromkeys(goals, 0)
    queue = deque(found)
    while queue:
        cell = queue.popleft()
        x, y = cell
        for dx, dy in MOVES.values():
            nxt = (x + dx, y + dy)
            if nxt not in found and nxt in passable:
                found[nxt] = found[cell] + 1
                queue.append(nxt)
    return found


def downhill(start: Cell, distances: dict[Cell, int], order: str = DEFAULT_ORDER) -> str | None:
    """The first move in `order` that takes `start` one step nearer a goal (`distances_to`):
    the move `first_step` takes, since a move starts a shortest path exactly when it goes
    downhill, and the first in order of those starts the first path in order (for a `start`
    that is itself passable). None on a goal or where none can be reached."""
    here = distances.get(start)
    if not here:
        return None
    x, y = start
    for move, dx, dy in moves_in(order):
        if distances.get((x + dx, y + dy)) == here - 1:
            return move
    return None


def connected(cells: Collection[Cell]) -> bool:
    """Whether the cells form one 4-connected region (an empty set counts as connected)."""
    cell_set = set(cells)
    if not cell_set:
        return True
    start = next(iter(cell_set))
    seen = {start}
    queue = deque([start])
    while queue:
        cell = queue.popleft()
        for move in MOVES:
            nxt = step_cell(cell, move)
            if nxt in cell_set and nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return len(seen) == len(cell_set)
