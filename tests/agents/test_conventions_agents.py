"""The agents of other conventions: each follows its family's plan, the convention its docstring
states, and differs from our family where the convention shows; their shared navigation with
rote's convention walks exactly as rote's skills do, so only the convention differs."""

from __future__ import annotations

import ast
import inspect
import random
import sys
from typing import Any

import pytest

from rote import make_env, rollout
from rote.agents import AgentFactory, agent_names, make_agent
from rote.agents.conventions import CONSTRUCTION, FAMILY, MINIGRID, navigation
from rote.agents.conventions.navigation import Convention
from rote.envs.construction import ACTIONS, ConstructionEnv, ConstructionState
from rote.evaluation.suites import MINIGRID_LEVELS
from rote.skills import construction as construction_skills
from rote.skills import minigrid as minigrid_skills
from rote.skills.grid import Cell
from tests.minigrid_rooms import room

VARIANTS: dict[str, AgentFactory] = {**CONSTRUCTION, **MINIGRID}
WALKING = {"walk", "fetch", "nearest", "closest", "first_step", "RingWalk", "ring_successor"}
WALKING |= {"go_to", "pick_up", "approach", "step_toward", "turn_to", "drop_beside", "open_door"}
"""rote's walking skills, which an agent written elsewhere does not call."""


def level(name: str) -> str:
    """The env a variant plays in: Construction, or its family's MiniGrid level."""
    return MINIGRID_LEVELS[FAMILY[name]] if name in MINIGRID else "construction"


def actions(agent: Any, name: str, episode: int) -> list[str]:
    """The agent's actions in episode `episode` of its suite (the layouts of its family's)."""
    spec = make_env(level(name))
    swap_at = None if name in MINIGRID else 30
    steps = 60 if name in MINIGRID else 50
    return rollout(spec, agent, steps=steps, seed=episode, swap_at=swap_at).actions


def construction(
    agent: Cell, *, blocks: dict[Cell, str] | None = None, held: str | None = None
) -> dict[str, Any]:
    """A 7x7 Construction observation without interior walls."""
    return ConstructionState(
        size=7, agent=agent, held=held, blocks=dict(blocks or {})
    ).to_observation()


def play(
    agent: Any, observation: dict[str, Any], steps: int
) -> tuple[list[str], ConstructionState]:
    """The agent's actions in Construction from `observation`, and the state at the end."""
    env = ConstructionEnv()
    env.reset(options={"observation": observation})
    taken = []
    for _ in range(steps):
        action = agent.act(env.state.to_observation())
        env.step(ACTIONS.index(action))
        taken.append(action)
    return taken, env.state


def test_each_variant_names_its_family_and_none_is_registered() -> None:
    assert set(FAMILY) == set(VARIANTS)
    for name, family in FAMILY.items():
        assert name.startswith(family)
        assert family in agent_names(level(name))
        assert name not in agent_names(level(name))


@pytest.mark.parametrize("name", list(VARIANTS))
def test_a_variant_is_a_program_file_that_walks_without_rotes_walking_skills(name: str) -> None:
    module = sys.modules[VARIANTS[name].__module__]
    assert (module.__doc__ or "").startswith(f"{name}: ")
    called = {
        node.id if isinstance(node, ast.Name) else node.attr
        for node in ast.walk(ast.parse(inspect.getsource(module)))
        if isinstance(node, ast.Name | ast.Attribute)
    }
    assert not called & WALKING


@pytest.mark.parametrize("name", list(VARIANTS))
def test_a_variant_differs_from_its_family_and_is_deterministic(name: str) -> None:
    """Over the suite's five episodes; blue-next-to-blue mostly has nothing to do, so its
    convention shows on a single step of them."""
    env_id, differing = level(name), 0
    for episode in range(5):
        mine = actions(VARIANTS[name](), name, episode)
        assert actions(VARIANTS[name](), name, episode) == mine
        ours = actions(make_agent(env_id, FAMILY[name]), name, episode)
        differing += sum(a != b for a, b in zip(mine, ours, strict=True))
    assert differing > 0


def test_rotes_convention_walks_exactly_as_rotes_skills() -> None:
    """The default Convention is order udlr, left turns: the navigation module then takes the
    step our skills take, on every state of some suite episodes, so a variant differs from its
    family only by its convention."""
    default, rng = Convention(), random.Random(0)
    spec = make_env("construction")
    for seed in range(20):
        trajectory = rollout(spec, make_agent("construction", "colour-cycle"), steps=20, seed=seed)
        for step in trajectory.steps:
            state = construction_skills.parse(step.observation)
            cells = construction_skills.free_cells(state)
            goals = rng.sample(cells, k=rng.randint(1, 4))
            mine = (
                navigation.walk_toward(state, goals, default),
                navigation.walk_target(state, goals, default),
                navigation.nearest_cell(cells, (5, 5), default),
            )
            ours = (
                construction_skills.walk(state, goals),
                construction_skills.nearest(state, goals),
                construction_skills.closest(cells, (5, 5))[0],
            )
            assert mine == ours
    for family, env_id in MINIGRID_LEVELS.items():
        trajectory = rollout(make_env(env_id), make_agent(env_id, family), steps=60, seed=0)
        for step in trajectory.steps:
            state = minigrid_skills.parse(step.observation)
            drops = minigrid_skills.beside(state, minigrid_skills.destination_cells(state))
            for goals in (minigrid_skills.target_cells(state), drops):
                expected = minigrid_skills.approach(state, goals, "x")
                assert navigation.arrive_at(state, goals, "x", default) == expected


def test_a_convention_names_each_move_once_and_ranks_cells_by_its_order() -> None:
    with pytest.raises(ValueError, match="order"):
        Convention(order="uudl")
    assert Convention(order="lrud").moves == ("left", "right", "up", "down")
    cells = [(2, 1), (1, 2), (3, 2), (2, 3)]
    assert min(cells, key=Convention().rank) == (2, 1)  # upper, then left
    assert min(cells, key=Convention(order="lrud").rank) == (1, 2)  # leftmost, then upper
    assert min(cells, key=Convention(order="durl").rank) == (2, 3)  # lowest, then rightmost
    assert min(cells, key=Convention(order="rldu").rank) == (3, 2)  # rightmost, then lowest


def test_paths_are_lexicographic_by_the_order() -> None:
    def passable(cell: Cell) -> bool:
        return 0 < cell[0] < 6 and 0 < cell[1] < 6

    assert navigation.path((1, 1), [(3, 3)], passable, Convention()) == ["down"] * 2 + ["right"] * 2
    lrud = Convention(order="lrud")
    assert navigation.path((1, 1), [(3, 3)], passable, lrud) == ["right"] * 2 + ["down"] * 2
    assert navigation.path((3, 3), [(1, 3), (3, 1)], passable, lrud) == ["left"] * 2
    assert navigation.path((3, 3), [(3, 3)], passable, lrud) == []
    assert navigation.path((3, 3), [(9, 9)], passable, lrud) is None


def test_green_to_corner_moves_sideways_first_and_drops_on_the_leftmost_cell() -> None:
    agent = CONSTRUCTION["green-to-corner-horizontal-first"]()
    taken, _ = play(agent, construction((3, 3), blocks={(5, 5): "green"}), 4)
    assert taken == ["right", "right", "down", "down"]  # ours: down, down, right, right
    # The corner cell is taken: (1, 2) and (2, 1) are equally near it, and it takes the leftmost.
    blocks = {(1, 1): "green"}
    taken, state = play(agent, construction((3, 3), blocks=blocks, held="green"), 4)
    assert taken == ["left", "left", "up", "interact"]
    assert state.blocks[(1, 2)] == "green"
    _, ours = play(
        make_agent("construction", "green-to-corner"),
        construction((3, 3), blocks=blocks, held="green"),
        4,
    )
    assert ours.blocks[(2, 1)] == "green"


def test_pink_to_corner_moves_down_first_and_drops_on_the_lowest_cell() -> None:
    agent = CONSTRUCTION["pink-to-corner-down-first"]()
    taken, _ = play(agent, construction((3, 3), blocks={(1, 1): "pink"}), 4)
    assert taken == ["up", "up", "left", "left"]  # the vertical gap first, also when going up
    taken, state = play(agent, construction((3, 3), blocks={(5, 5): "pink"}, held="pink"), 4)
    assert taken == ["down", "down", "right", "interact"]
    assert state.blocks[(4, 5)] == "pink"  # the lowest of (4, 5) and (5, 4); ours: (5, 4)


def test_colour_cycle_shuffled_uses_the_order_its_docstring_states() -> None:
    module = sys.modules[CONSTRUCTION["colour-cycle-shuffled"].__module__]
    order = "".join(random.Random("colour-cycle-shuffled").sample("udlr", 4))
    assert module.CONVENTION.order == order == "dlru"
    assert "down, left, right, up" in " ".join((module.__doc__ or "").split())
    # Greens equally near: down comes first in its order, so it heads for the lower one.
    blocks = {(1, 1): "green", (5, 5): "green"}
    taken, _ = play(CONSTRUCTION["colour-cycle-shuffled"](), construction((3, 3), blocks=blocks), 4)
    assert taken == ["down", "down", "right", "right"]


def test_blue_next_to_blue_goes_right_first() -> None:
    blocks = {(1, 1): "blue", (5, 5): "blue"}  # both isolated, equally near
    taken, state = play(
        CONSTRUCTION["blue-next-to-blue-horizontal-first"](), construction((3, 3), blocks=blocks), 5
    )
    assert taken == ["right", "right", "down", "down", "interact"]
    assert state.held == "blue"


def test_patrol_clockwise_enters_the_ring_on_the_left_then_goes_round() -> None:
    taken, state = play(
        CONSTRUCTION["patrol-clockwise-horizontal-first"](), construction((3, 3)), 4
    )
    assert taken == ["left", "left", "up", "up"]  # ours: up, up to (3, 1), then right
    assert state.agent == (1, 1)


def test_go_to_object_turns_right_to_turn_around() -> None:
    agent = MINIGRID["go-to-object-turn-right"]()
    ball = {"type": "ball", "colour": "red", "pos": [3, 1]}
    behind = room(agent=[3, 3], direction="down", objects=[ball])
    assert agent.act(behind) == "right"
    assert make_agent(MINIGRID_LEVELS["go-to-object"], "go-to-object").act(behind) == "left"
    beside = room(agent=[3, 3], direction="right", objects=[ball])
    assert agent.act(beside) == "left"  # a quarter turn is the same in both conventions


BALL_33 = {"type": "ball", "colour": "red", "pos": [3, 3]}


def test_fetch_straight_keeps_going_the_way_it_faces_when_as_short() -> None:
    agent = MINIGRID["fetch-straight"]()
    # facing right, the ball at (3, 3): down or right are as short
    ahead = room(mission="pick up the red ball", objects=[BALL_33])
    assert agent.act(ahead) == "forward"  # ours turns to go down first
    assert make_agent(MINIGRID_LEVELS["fetch"], "fetch").act(ahead) == "right"
    # facing up, that way is longer
    facing_up = room(mission="pick up the red ball", direction="up", objects=[BALL_33])
    assert agent.act(facing_up) == "left"  # the order's first move, down, is behind: turn left


def test_put_next_moves_sideways_first() -> None:
    agent = MINIGRID["put-next-horizontal-first"]()
    mission = "put the red ball next to the blue key"
    objects = [
        {"type": "ball", "colour": "red", "pos": [3, 3]},
        {"type": "key", "colour": "blue", "pos": [4, 4]},
    ]
    facing_down = room(mission=mission, direction="down", objects=objects)
    assert agent.act(facing_down) == "left"  # a left turn faces right, its order's first move
    assert make_agent(MINIGRID_LEVELS["put-next"], "put-next").act(facing_down) == "forward"
