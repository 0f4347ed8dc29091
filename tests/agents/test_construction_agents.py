"""The ten Construction behaviour families do what their descriptions say, on hand-made layouts."""

from __future__ import annotations

from typing import Any

import pytest

from rote.agents import make_agent
from rote.agents.base import Agent
from rote.agents.construction import AGENTS
from rote.envs.construction import ACTIONS, ConstructionEnv, ConstructionState
from rote.skills.grid import Cell, manhattan

CLOCKWISE_RING: list[Cell] = [
    *[(x, 1) for x in range(1, 5)],
    *[(5, y) for y in range(1, 5)],
    *[(x, 5) for x in range(5, 1, -1)],
    *[(1, y) for y in range(5, 1, -1)],
]
"""The 16 cells next to the outer wall of a 7x7 grid, clockwise on screen from (1, 1)."""


def layout(
    agent: Cell,
    *,
    walls: tuple[Cell, ...] = (),
    blocks: dict[Cell, str] | None = None,
    held: str | None = None,
) -> dict[str, Any]:
    return ConstructionState(
        size=7, agent=agent, held=held, walls=frozenset(walls), blocks=dict(blocks or {})
    ).to_observation()


def rollout(
    agent: Agent | str, observation: dict[str, Any], steps: int
) -> tuple[list[str], list[Cell], ConstructionState]:
    """Actions taken, the agent's cells (start included) and the final state."""
    if isinstance(agent, str):
        agent = AGENTS[agent]()
    env = ConstructionEnv()
    env.reset(options={"observation": observation})
    actions, cells = [], [env.state.agent]
    for _ in range(steps):
        action = agent.act(env.state.to_observation())
        env.step(ACTIONS.index(action))
        actions.append(action)
        cells.append(env.state.agent)
    return actions, cells, env.state


def test_families_are_the_ten_in_order() -> None:
    assert list(AGENTS) == [
        "colour-cycle",
        "patrol-clockwise",
        "patrol-counterclockwise",
        "left-right",
        "up-down",
        "blue-next-to-blue",
        "l-shape",
        "green-to-corner",
        "pink-to-corner",
        "snake",
    ]


def arrivals(cells: list[Cell], blocks: dict[Cell, str]) -> list[tuple[int, str]]:
    """(time, colour) whenever the agent steps onto a block of a new colour."""
    events: list[tuple[int, str]] = []
    for t, cell in enumerate(cells):
        colour = blocks.get(cell)
        if colour and (not events or events[-1][1] != colour):
            events.append((t, colour))
    return events


def test_colour_cycle_visits_green_blue_purple_in_turn_by_shortest_paths() -> None:
    # No block lies on a shortest path between two others.
    blocks = {(1, 1): "green", (5, 1): "blue", (3, 5): "purple", (1, 5): "pink"}
    actions, cells, state = rollout("colour-cycle", layout((1, 4), blocks=blocks), 40)
    events = arrivals(cells, blocks)
    assert [colour for _, colour in events[:7]] == [
        "green",
        "blue",
        "purple",
        "green",
        "blue",
        "purple",
        "green",
    ]
    # Each leg is a shortest path: no wall is in the way, so Manhattan distance.
    assert [t for t, _ in events[:5]] == [3, 7, 13, 19, 23]
    assert "interact" not in actions
    assert state.blocks == blocks
    assert state.held is None


def test_colour_cycle_skips_absent_colours_and_stays_with_none() -> None:
    blocks = {(1, 1): "green", (5, 5): "purple", (3, 2): "pink"}
    _, cells, _ = rollout("colour-cycle", layout((3, 3), blocks=blocks), 30)
    events = [colour for _, colour in arrivals(cells, blocks) if colour != "pink"]
    assert events[:4] == ["green", "purple", "green", "purple"]
    actions, _, _ = rollout("colour-cycle", layout((3, 3), blocks={(1, 1): "pink"}), 10)
    assert set(actions) == {"stay"}


@pytest.mark.parametrize(
    ("name", "ring"),
    [("patrol-clockwise", CLOCKWISE_RING), ("patrol-counterclockwise", CLOCKWISE_RING[::-1])],
)
def test_patrol_walks_to_the_ring_then_round_it_in_order(name: str, ring: list[Cell]) -> None:
    _, cells, _ = rollout(name, layout((2, 3), walls=((3, 3),)), 1 + 2 * len(ring))
    assert cells[1] == (1, 3)  # the nearest ring cell
    start = ring.index((1, 3))
    expected = [ring[(start + i) % len(ring)] for i in range(2 * len(ring) + 1)]
    assert cells[1:] == expected


@pytest.mark.parametrize(
    ("name", "ring"),
    [("patrol-clockwise", CLOCKWISE_RING), ("patrol-counterclockwise", CLOCKWISE_RING[::-1])],
)
def test_patrol_detours_round_a_wall_on_the_ring(name: str, ring: list[Cell]) -> None:
    wall = (3, 1)
    open_ring = [cell for cell in ring if cell != wall]
    start = open_ring.index((4, 1))
    _, cells, _ = rollout(name, layout((4, 1), walls=(wall,)), 40)
    on_ring = [cell for cell in cells if cell in open_ring]
    visits = [cell for i, cell in enumerate(on_ring) if i == 0 or on_ring[i - 1] != cell]
    # All the way round (twice), in order, never turning back at the wall.
    expected = [open_ring[(start + i) % len(open_ring)] for i in range(len(visits))]
    assert visits == expected
    assert len(visits) > 2 * len(open_ring)
    assert wall not in cells


def test_left_right_bounces_between_walls() -> None:
    actions, cells, _ = rollout("left-right", layout((3, 2), walls=((1, 2),)), 10)
    assert actions == ["left", *["right"] * 3, *["left"] * 3, *["right"] * 3]
    assert [x for x, _ in cells] == [3, 2, 3, 4, 5, 4, 3, 2, 3, 4, 5]
    assert {y for _, y in cells} == {2}


def test_up_down_bounces_between_walls() -> None:
    actions, cells, _ = rollout("up-down", layout((4, 4), walls=((4, 2),)), 8)
    assert actions == ["up", "down", "down", "up", "up", "down", "down", "up"]
    assert [y for _, y in cells] == [4, 3, 4, 5, 4, 3, 4, 5, 4]
    assert {x for x, _ in cells} == {4}


@pytest.mark.parametrize("name", ["left-right", "up-down"])
def test_bounce_stays_when_boxed_in(name: str) -> None:
    walls = ((1, 3), (3, 3), (2, 2), (2, 4))
    actions, _, _ = rollout(name, layout((2, 3), walls=walls), 4)
    assert actions == ["stay"] * 4


def blue_pairs(state: ConstructionState) -> tuple[list[Cell], list[Cell]]:
    """The blue blocks, and those with no blue neighbour."""
    blues = [cell for cell, colour in state.blocks.items() if colour == "blue"]
    lonely = [b for b in blues if all(manhattan(b, other) != 1 for other in blues)]
    return blues, lonely


def test_blue_next_to_blue_drops_the_carried_blue_beside_another() -> None:
    observation = layout((1, 5), blocks={(5, 1): "blue", (3, 3): "green"}, held="blue")
    actions, _, state = rollout("blue-next-to-blue", observation, 20)
    blues, lonely = blue_pairs(state)
    assert state.held is None
    assert len(blues) == 2
    assert lonely == []
    assert actions.index("interact") == 7  # a shortest walk, then the drop
    assert actions[8:] == ["stay"] * 12


def test_blue_next_to_blue_pairs_up_lonely_blues() -> None:
    blocks = {(1, 1): "blue", (5, 5): "blue", (5, 1): "blue", (3, 3): "pink"}
    _, _, state = rollout("blue-next-to-blue", layout((3, 2), blocks=blocks), 60)
    blues, lonely = blue_pairs(state)
    assert state.held is None
    assert len(blues) == 3
    assert lonely == []
    assert state.blocks[(3, 3)] == "pink"


def test_blue_next_to_blue_drops_another_colour_first_and_idles_with_one_blue() -> None:
    observation = layout((2, 2), blocks={(5, 5): "blue"}, held="yellow")
    actions, _, state = rollout("blue-next-to-blue", observation, 5)
    assert actions == ["interact", "stay", "stay", "stay", "stay"]
    assert state.blocks[(2, 2)] == "yellow"


def test_l_shape_moves_vertical_vertical_horizontal_and_bounces() -> None:
    actions, _, _ = rollout("l-shape", layout((3, 1)), 12)
    assert actions == [
        *("down", "down", "right"),
        *("down", "down", "right"),
        *("up", "up", "left"),  # bottom wall flips vertical, right wall flips horizontal
        *("up", "up", "left"),
    ]


def test_l_shape_pattern_holds_in_an_open_grid() -> None:
    actions, _, _ = rollout("l-shape", layout((2, 2)), 60)
    for t, action in enumerate(actions):
        assert action in (("left", "right") if t % 3 == 2 else ("up", "down"))


@pytest.mark.parametrize(
    ("name", "colour", "corner"),
    [("green-to-corner", "green", (1, 1)), ("pink-to-corner", "pink", (5, 5))],
)
def test_corner_agents_gather_their_colour_near_their_corner(
    name: str, colour: str, corner: Cell
) -> None:
    def mirror(cell: Cell) -> Cell:  # build the pink case as the green one turned round
        return cell if corner == (1, 1) else (6 - cell[0], 6 - cell[1])

    blocks = {
        mirror((5, 5)): colour,
        mirror((4, 3)): colour,
        mirror((2, 5)): colour,
        mirror((1, 2)): colour,  # already placed
        mirror((2, 1)): "blue",  # takes a spot near the corner
        mirror((5, 2)): "yellow",
    }
    observation = layout(mirror((3, 4)), walls=(mirror((2, 2)),), blocks=blocks)
    actions, _, state = rollout(name, observation, 150)
    mine = [cell for cell, c in state.blocks.items() if c == colour]
    assert state.held is None
    assert len(mine) == 4
    assert all(manhattan(cell, corner) <= 2 for cell in mine)
    assert state.blocks[mirror((2, 1))] == "blue"
    assert state.blocks[mirror((5, 2))] == "yellow"
    assert actions[-20:] == ["stay"] * 20


def test_corner_agent_stops_when_nothing_more_fits() -> None:
    blocks = {(1, 1): "blue", (2, 1): "blue", (1, 2): "blue", (3, 1): "blue"}
    blocks |= {(5, 5): "green", (4, 4): "green", (5, 3): "green"}
    actions, _, state = rollout("green-to-corner", layout((3, 3), blocks=blocks), 80)
    greens = sorted(cell for cell, c in state.blocks.items() if c == "green")
    # Two free spots were within distance 2 of (1, 1): (2, 2) and (1, 3).
    placed = [cell for cell in greens if manhattan(cell, (1, 1)) <= 2]
    assert sorted(placed) == [(1, 3), (2, 2)]
    assert len(greens) == 3
    assert set(greens) - set(placed) <= {(5, 5), (4, 4), (5, 3)}  # the third one stays put
    assert state.held is None
    assert actions[-20:] == ["stay"] * 20


def test_corner_agent_drops_another_colour_where_it_stands() -> None:
    observation = layout((4, 4), blocks={(5, 5): "green", (3, 4): "green"}, held="pink")
    actions, _, state = rollout("green-to-corner", observation, 40)
    assert actions[0] == "interact"
    assert state.blocks[(4, 4)] == "pink"
    assert all(manhattan(c, (1, 1)) <= 2 for c, colour in state.blocks.items() if colour == "green")


def boustrophedon() -> list[Cell]:
    rows = [[(x, y) for x in range(1, 6)] for y in range(1, 6)]
    return [cell for y, row in enumerate(rows) for cell in (row if y % 2 == 0 else row[::-1])]


def test_snake_sweeps_an_empty_interior_row_by_row() -> None:
    actions, cells, _ = rollout("snake", layout((1, 1)), 30)
    assert cells[:25] == boustrophedon()
    # At the bottom the vertical direction flips and the sweep runs back up.
    assert actions[24:26] == ["up", "left"]
    assert cells[26] == (4, 4)


def test_snake_covers_every_free_cell_from_anywhere() -> None:
    for start in [(3, 3), (5, 5), (1, 5), (4, 1)]:
        _, cells, _ = rollout("snake", layout(start), 60)
        assert set(cells) == set(boustrophedon())


@pytest.mark.parametrize("name", list(AGENTS))
def test_random_layouts_give_valid_deterministic_actions(name: str) -> None:
    for seed in range(20):
        env = ConstructionEnv()
        env.reset(seed=seed)
        observation = env.state.to_observation()
        first, _, _ = rollout(name, observation, 60)
        second, _, _ = rollout(name, observation, 60)
        assert set(first) <= set(ACTIONS)
        assert first == second


@pytest.mark.parametrize("name", list(AGENTS))
def test_noisy_agent_is_seeded_and_slips(name: str) -> None:
    env = ConstructionEnv()
    env.reset(seed=3)
    observation = env.state.to_observation()

    def noisy(seed: int) -> Agent:
        return make_agent("construction", name, noise=0.3, action_names=ACTIONS, seed=seed)

    actions, cells, _ = rollout(noisy(1), observation, 60)
    assert rollout(noisy(1), observation, 60)[0] == actions
    # Replay the noisy trajectory to a noiseless agent: it disagrees on some steps.
    clean = AGENTS[name]()
    replay = ConstructionEnv()
    replay.reset(options={"observation": observation})
    disagreements = 0
    for action in actions:
        disagreements += clean.act(replay.state.to_observation()) != action
        replay.step(ACTIONS.index(action))
    assert disagreements > 0
    assert replay.state.agent == cells[-1]
