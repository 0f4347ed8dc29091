"""Geometry shared by gridworlds: cells, moves and shortest paths.

Coordinates are (x, y) with x the column (growing right) and y the row (growing down), so
"up" decreases y. Ties between equally short paths are broken by the fixed move order
up, down, left, right, which keeps every scripted agent deterministic.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection

__all__ = ["MOVES", "OPPOSITE", "Cell", "connected", "first_step", "manhattan", "step_cell"]

Cell = tuple[int, int]

MOVES: dict[str, Cell] = {"up": (0, -1), "down": (0, 1), "left": (-1, 0), "right": (1, 0)}
"""Move name to (dx, dy), in tie-breaking order."""

OPPOSITE: dict[str, str] = {"up": "down", "down": "up", "left": "right", "right": "left"}


def step_cell(cell: Cell, move: str) -> Cell:
    """The cell one move away (whether or not it can be entered)."""
    dx, dy = MOVES[move]
    return (cell[0] + dx, cell[1] + dy)


def manhattan(a: Cell, b: Cell) -> int:
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def first_step(
    start: Cell, goals: Collection[Cell], passable: Callable[[Cell], bool]
) -> tuple[str, Cell] | None:
    """First move of a shortest path from `start` to the nearest goal, and that goal.

    None when `start` is itself a goal or no goal is reachable. Goals need not be passable
    (a path may end on them), which lets callers walk up to an obstacle.
    """
    goal_set = set(goals)
    if start in goal_set or not goal_set:
        return None
    first_move: dict[Cell, str] = {start: ""}
    queue = deque([start])
    while queue:  # the hot loop of every walking skill: step_cell is inlined
        cell = queue.popleft()
        x, y = cell
        came = first_move[cell]
        for move, (dx, dy) in MOVES.items():
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
