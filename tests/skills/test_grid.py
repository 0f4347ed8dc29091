"""Grid geometry: shortest-path first steps with deterministic ties, and connectivity."""

from __future__ import annotations

from rote.skills.grid import connected, first_step, manhattan, step_cell


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
