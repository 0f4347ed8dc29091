"""Grid geometry: shortest-path first steps with ties broken by a move order, and connectivity."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rote.skills.grid import (
    DEFAULT_ORDER,
    ORDERS,
    Cell,
    by_order,
    connected,
    distances_to,
    downhill,
    first_step,
    manhattan,
    step_cell,
)


def open_5x5(cell: tuple[int, int]) -> bool:
    return 0 <= cell[0] < 5 and 0 <= cell[1] < 5


def test_first_step_goes_along_a_shortest_path() -> None:
    assert first_step((0, 0), {(0, 3)}, open_5x5) == ("down", (0, 3))
    assert first_step((2, 2), {(0, 2), (4, 2)}, open_5x5) == ("left", (0, 2))  # left before right


def test_ties_break_up_down_left_right() -> None:
    assert first_step((2, 2), {(3, 3)}, open_5x5) == ("down", (3, 3))
    assert first_step((2, 2), {(1, 1)}, open_5x5) == ("up", (1, 1))


def test_detours_around_obstacles_and_reaches_impassable_goals() -> None:
    def passable(cell: tuple[int, int]) -> bool:
        return open_5x5(cell) and cell not in {(1, 0), (1, 1)}

    assert first_step((0, 0), {(2, 0)}, passable) == ("down", (2, 0))
    assert first_step((0, 0), {(1, 0)}, passable) == ("right", (1, 0))


def test_no_step_when_there_or_unreachable() -> None:
    assert first_step((1, 1), {(1, 1)}, open_5x5) is None
    assert first_step((1, 1), set(), open_5x5) is None
    assert first_step((0, 0), {(9, 9)}, open_5x5) is None


def test_connected_and_helpers() -> None:
    assert connected({(0, 0), (0, 1), (1, 1)})
    assert not connected({(0, 0), (1, 1)})
    assert connected(set())
    assert step_cell((1, 1), "up") == (1, 0)
    assert manhattan((0, 0), (2, 3)) == 5


def test_a_move_order_breaks_ties_its_way() -> None:
    assert first_step((2, 2), {(3, 3)}, open_5x5, "lrud") == ("right", (3, 3))
    assert first_step((2, 2), {(0, 2), (4, 2)}, open_5x5, "rlud") == ("right", (4, 2))
    assert first_step((2, 2), {(3, 3)}, open_5x5, "udlr") == first_step((2, 2), {(3, 3)}, open_5x5)
    with pytest.raises(ValueError, match="u, d, l and r"):
        first_step((2, 2), {(3, 3)}, open_5x5, "up")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.sets(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=30),
    st.sets(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=4),
    st.tuples(st.integers(0, 5), st.integers(0, 5)),
    st.sampled_from(ORDERS),
)
def test_walking_downhill_takes_the_first_step_of_the_search(
    walls: set[Cell], goals: set[Cell], start: Cell, order: str
) -> None:
    """The distance field serves every start and order from one search; it must pick what the
    breadth-first search picks, or cached walks would differ from uncached ones."""
    passable = {(x, y) for x in range(6) for y in range(6)} - walls | {start}
    step = first_step(start, goals, passable.__contains__, order)
    assert downhill(start, distances_to(goals, passable), order) == (step and step[0])


def test_cells_ranked_by_a_move_order() -> None:
    cells = [(2, 2), (1, 2), (2, 1), (1, 1)]
    assert by_order(cells) == [(1, 1), (2, 1), (1, 2), (2, 2)]  # upper rows, then the left
    assert by_order(cells, "lrud") == [(1, 1), (1, 2), (2, 1), (2, 2)]  # left columns first
    assert by_order(cells, "durl") == [(2, 2), (1, 2), (2, 1), (1, 1)]
    assert ORDERS[0] == DEFAULT_ORDER and len(set(ORDERS)) == 24
