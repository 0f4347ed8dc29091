"""Construction's dynamics, layouts, layout swap, rendering, drawing and configuration errors."""

from __future__ import annotations

import pytest

from rote.agents import make_agent
from rote.envs import make_env
from rote.envs.construction import (
    ACTIONS,
    ConstructionEnv,
    ConstructionState,
    apply_action,
    draw,
)
from rote.envs.scene import PALETTE
from rote.errors import EnvError
from rote.rollout import rollout
from rote.skills.grid import connected


def state(**changes: object) -> ConstructionState:
    base = ConstructionState(
        size=7, agent=(2, 2), walls=frozenset({(3, 2)}), blocks={(2, 3): "green", (1, 1): "blue"}
    )
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def test_moves_and_walls() -> None:
    s = state()
    apply_action(s, "right")  # (3, 2) is an interior wall
    assert s.agent == (2, 2)
    apply_action(s, "up")
    apply_action(s, "up")  # (2, 0) is the border
    assert s.agent == (2, 1)
    apply_action(s, "left")
    assert s.agent == (1, 1)
    assert s.t == 4


def test_walking_over_blocks_and_interact() -> None:
    s = state()
    apply_action(s, "down")
    assert s.agent == (2, 3) and s.blocks[(2, 3)] == "green"
    apply_action(s, "interact")
    assert s.held == "green" and (2, 3) not in s.blocks
    apply_action(s, "up")
    apply_action(s, "up")
    apply_action(s, "left")  # onto the blue block, hands full
    apply_action(s, "interact")
    assert s.held == "green" and s.blocks[(1, 1)] == "blue"
    apply_action(s, "right")
    apply_action(s, "interact")
    assert s.held is None and s.blocks[(2, 1)] == "green"
    apply_action(s, "interact")  # empty hands pick it up again
    assert s.held == "green"
    apply_action(s, "stay")
    assert s.t == 10


@pytest.mark.parametrize("seed", range(30))
def test_sampled_layouts_follow_the_rules(seed: int) -> None:
    env = ConstructionEnv()
    env.reset(seed=seed)
    s = env.state
    interior = {(x, y) for x in range(1, 6) for y in range(1, 6)}
    assert 1 <= len(s.walls) <= 4 and s.walls <= interior
    assert 3 <= len(s.blocks) <= 7 and not set(s.blocks) & s.walls
    assert s.agent in interior - s.walls - set(s.blocks)
    assert connected(interior - s.walls)
    assert s.held is None and s.t == 0


def test_swap_keeps_held_block_and_clock() -> None:
    env = ConstructionEnv()
    env.reset(seed=0, options={"observation": state(held="pink", t=12).to_observation()})
    before = env.state.to_observation()
    env.swap_layout()
    after = env.state
    assert after.held == "pink" and after.t == 12
    assert after.to_observation() != before


def test_reset_from_observation_round_trips() -> None:
    observation = state(held="blue", t=3).to_observation()
    env = ConstructionEnv()
    env.reset(options={"observation": observation})
    assert make_env("construction").encode(env) == observation


def test_gym_observation_encoding() -> None:
    env = ConstructionEnv()
    obs, _ = env.reset(options={"observation": state(held="blue").to_observation()})
    assert obs["agent"].tolist() == [2, 2]
    assert obs["held"] == 2  # 1 + COLOURS.index("blue")
    assert obs["walls"][2, 3] == 1 and obs["walls"][0].all() and obs["walls"][2, 2] == 0
    assert obs["blocks"][3, 2] == 1 and obs["blocks"][1, 1] == 2
    _, reward, terminated, truncated, _ = env.step(ACTIONS.index("down"))
    assert (reward, terminated, truncated) == (0.0, False, False)


def test_max_steps_truncates() -> None:
    env = ConstructionEnv(max_steps=2)
    env.reset(seed=0)
    assert env.step(0)[3] is False
    assert env.step(0)[3] is True


def test_render_text() -> None:
    text = make_env("construction").render_text(state(agent=(2, 3), held="pink").to_observation())
    lines = text.splitlines()
    assert lines[0] == "t=0 agent=(2,3) holding=pink standing_on=green"
    assert lines[1] == "# # # # # # #"
    assert lines[2] == "# B . . . . #"
    assert lines[3] == "# . . # . . #"
    assert lines[4] == "# . A . . . #"
    assert lines[-1].startswith("legend:")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": "7"}, r"env_kwargs\.size: '7' is not of type 'integer'"),
        ({"size": 7.0}, r"env_kwargs\.size: 7\.0 is not of type 'integer'"),
        ({"size": 3}, r"env_kwargs\.size: 3 is less than the minimum of 4"),
        ({"size": 100_000}, r"env_kwargs\.size: 100000 is greater than the maximum of 32"),
        ({"colour": 1}, r"'colour' was unexpected\) \(allowed: size, min_blocks, max_blocks,"),
        ({"min_blocks": 5, "max_blocks": 2}, "min_blocks <= max_blocks"),
        ({"max_walls": 30}, "do not fit"),
        ({"max_steps": 0}, r"env_kwargs\.max_steps: 0 is less than the minimum of 1"),
    ],
)
def test_bad_config_is_one_line_env_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(EnvError, match=message) as caught:
        make_env("construction", **kwargs)
    assert "\n" not in str(caught.value)


def test_draw_shows_the_agent_where_it_is_over_its_block_and_what_it_holds() -> None:
    spec = make_env("construction")
    agent = make_agent("construction", "green-to-corner", seed=1)
    steps = rollout(spec, agent, steps=80, seed=4, swap_at=40).steps
    bases, held, stood_on_block = [], 0, 0
    for step in steps:
        observation = step.observation
        state_ = ConstructionState.from_observation(observation)
        scene = draw(observation)
        bases.append(scene["base"])
        walls = {(x, y) for y in range(7) for x in range(7) if state_.is_wall((x, y))}
        assert {(item["x"], item["y"]) for item in scene["base"]} == walls
        (agent_item,) = [item for item in scene["items"] if item["shape"] == "circle"]
        assert [agent_item["x"], agent_item["y"]] == observation["agent"]
        blocks = [item for item in scene["items"] if item.get("size") == 0.8]
        assert {(b["x"], b["y"]): b["fill"] for b in blocks} == {
            cell: PALETTE[colour] for cell, colour in state_.blocks.items()
        }
        carried = [item for item in scene["items"] if item.get("size") == 0.25]
        assert [(c["x"], c["y"], c["fill"]) for c in carried] == (
            [(*state_.agent, PALETTE[state_.held])] if state_.held else []
        )
        assert f"holding {state_.held or 'nothing'}" in scene["caption"]
        held += state_.held is not None
        if state_.agent in state_.blocks:  # drawn first and larger, so it shows around the agent
            stood_on_block += 1
            under = next(b for b in blocks if (b["x"], b["y"]) == state_.agent)
            assert scene["items"].index(under) < scene["items"].index(agent_item)
            assert f"standing on {state_.blocks[state_.agent]}" in scene["caption"]
    assert held and stood_on_block
    assert all(base == bases[0] for base in bases[:40])
    assert all(base == bases[40] for base in bases[40:])
    assert bases[0] != bases[40]  # the swap's new walls
