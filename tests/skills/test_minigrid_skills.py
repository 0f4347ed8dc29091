"""MiniGrid skills on hand-made states: reading missions, facing, turning and shortest paths."""

from __future__ import annotations

from typing import Any

import pytest

from rote.skills.minigrid import (
    Mission,
    Thing,
    adjacent,
    approach,
    beside,
    carrying,
    cells_of,
    destination_cells,
    drop_beside,
    facing,
    go_to,
    mission,
    parse,
    pick_up,
    step_toward,
    target_cells,
    turn_to,
)
from tests.minigrid_rooms import room


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("go to the red ball", Mission("go", ("ball", "red"), None)),
        ("go to a key", Mission("go", ("key", None), None)),
        ("you must fetch a grey key", Mission("pickup", ("key", "grey"), None)),
        ("get a blue ball", Mission("pickup", ("ball", "blue"), None)),
        ("pick up the purple box", Mission("pickup", ("box", "purple"), None)),
        (
            "put the yellow key next to the green box",
            Mission("put", ("key", "yellow"), ("box", "green")),
        ),
        ("open the red door", Mission("open", ("door", "red"), None)),
        ("get to the green goal square", Mission("go", ("goal", "green"), None)),
        ("avoid the lava", Mission("other", ("lava", None), None)),
    ],
)
def test_mission_texts_are_read(text: str, expected: Mission) -> None:
    assert mission(parse(room(mission=text))) == expected


def test_cells_of_a_type_and_colour_and_what_the_mission_names() -> None:
    state = parse(room(mission="put the red ball next to the blue key"))
    assert cells_of(state, "ball") == [(3, 1)]
    assert cells_of(state, None, "blue") == [(1, 4)]
    assert cells_of(state, "ball", "blue") == []
    assert target_cells(state) == [(3, 1)]
    assert destination_cells(state) == [(1, 4)]


def test_turns_take_the_short_way_and_forward_when_facing() -> None:
    state = parse(room(direction="right"))
    assert turn_to(state, "right") == "forward"
    assert turn_to(state, "down") == "right"
    assert turn_to(state, "up") == "left"
    assert turn_to(state, "left") == "left"


def test_walking_to_an_object_stops_facing_it_and_takes_the_arrival_action() -> None:
    state = parse(room())
    assert step_toward(state, [(3, 1)]) == "forward"
    state.agent = (2, 1)
    assert state.front == (3, 1)
    assert step_toward(state, [(3, 1)]) is None
    assert go_to(state, [(3, 1)]) == "done"
    assert pick_up(state, [(3, 1)]) == "pickup"
    state.direction = "down"
    assert pick_up(state, [(3, 1)]) == "left"


def test_objects_block_paths_and_open_doors_do_not() -> None:
    # a wall down column 3 with one door at (3, 2): the way to (4, 1) goes through it
    walls = room()["walls"] + [[3, y] for y in (1, 3, 4)]
    door: dict[str, Any] = {"type": "door", "colour": "red", "pos": [3, 2], "state": "closed"}
    target = {"type": "ball", "colour": "green", "pos": [4, 1]}
    closed = parse(room(objects=[door, target], walls=walls))
    assert not closed.passable((3, 2))
    assert step_toward(closed, [(4, 1)]) is None  # unreachable
    assert approach(closed, [(4, 1)], "pickup") == "done"
    # the door itself can be reached: two paths of 3 cells, ties go down before right
    assert step_toward(closed, [(3, 2)]) == "right"
    opened = parse(room(objects=[{**door, "state": "open"}, target], walls=walls))
    assert opened.passable((3, 2))
    assert step_toward(opened, [(4, 1)]) == "right"
    opened.agent = (2, 2)  # facing the open door: walk through it
    assert step_toward(opened, [(4, 1)]) == "forward"


def test_guards_on_carrying_facing_and_adjacency() -> None:
    state = parse(room(agent=[2, 1], carrying={"type": "key", "colour": "grey"}))
    assert state.carrying == Thing("key", "grey")
    assert carrying(state) and carrying(state, "key") and carrying(state, None, "grey")
    assert not carrying(state, "ball")
    assert facing(state) and facing(state, "ball", "red") and not facing(state, "key")
    assert adjacent(state, [(3, 1)]) and not adjacent(state, [(1, 4)])
    assert not carrying(parse(room()))


def test_dropping_beside_an_object_faces_a_free_cell_next_to_it() -> None:
    state = parse(room(agent=[2, 2], direction="up", carrying={"type": "box", "colour": "red"}))
    # free cells beside the red ball at (3, 1): (2, 1), (4, 1), (3, 2); the agent faces (2, 1)
    assert beside(state, [(3, 1)]) == [(2, 1), (4, 1), (3, 2)]
    assert drop_beside(state, [(3, 1)]) == "drop"
    state.direction = "left"
    assert drop_beside(state, [(3, 1)]) == "right"


def test_conventions_turn_round_and_prefer_straight() -> None:
    behind = parse(room(direction="left", mission="go to the red ball"))
    assert go_to(behind, [(3, 1)]) == "left"  # the ball is behind: turn left by default
    assert go_to(behind, [(3, 1)], turn="right") == "right"
    # the blue key at (1, 4) seen from (3, 2) facing left: left and down both start a
    # shortest path to face it; by the move order down comes first, straight on is neither
    diagonal = parse(room(agent=[3, 2], direction="left", mission="go to the blue key"))
    keys = [(1, 4)]
    assert step_toward(diagonal, keys) == "left"  # turn to face down, the order's first
    assert step_toward(diagonal, keys, prefer="straight") == "forward"  # already facing left
    assert step_toward(diagonal, keys, order="lrud") == "forward"
