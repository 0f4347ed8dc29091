"""The `overcooked` spec: schema-valid observations for every row of a recorded game, the text
rendering, and its env_kwargs."""

from __future__ import annotations

import importlib.util
import random
from typing import Any

import pytest

from rote.envs import make_env
from rote.envs.overcooked import GRIDS, LAYOUTS
from rote.errors import EnvError
from rote.skills.overcooked import Pot

INSTALLED = importlib.util.find_spec("overcooked_ai_py") is not None


def kitchen(layout: str = "cramped_room", seed: int = 0) -> dict[str, Any]:
    """A random but valid observation: two players on distinct floor cells, pots and items."""
    rng = random.Random(seed)
    grid = GRIDS[layout]
    floor = [(x, y) for y, row in enumerate(grid) for x, c in enumerate(row) if c == " "]
    counters = [(x, y) for y, row in enumerate(grid) for x, c in enumerate(row) if c == "X"]
    me, partner = rng.sample(floor, 2)
    held = [None, "onion", "dish", "soup"]
    pots = []
    for y, row in enumerate(grid):
        for x, c in enumerate(row):
            if c == "P":
                count = rng.randrange(4)
                cooked = rng.randrange(30) if count == 3 else 0
                pots.append(
                    {
                        "pos": [x, y],
                        "ingredient": "onion" if count else None,
                        "count": count,
                        "cook_time": cooked,
                        "state": Pot((x, y), count, cooked).state,
                    }
                )
    items = rng.sample(counters, 2)
    return {
        "t": rng.randrange(1000),
        "time_left": 100.0,
        "layout": list(grid),
        "player": {"pos": list(me), "facing": rng.choice(["up", "left"]), "held": rng.choice(held)},
        "partner": {"pos": list(partner), "facing": "down", "held": rng.choice(held)},
        "pots": pots,
        "counters": [{"pos": list(cell), "item": rng.choice(["onion", "dish"])} for cell in items],
        "score": 20.0,
    }


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_random_kitchens_are_valid_and_render(layout: str) -> None:
    spec = make_env("overcooked", layout=layout)
    for seed in range(20):
        observation = kitchen(layout, seed)
        assert spec.observation_errors(observation) == []
        text = spec.render_text(observation)
        rows = text.splitlines()[1 : 1 + len(GRIDS[layout])]
        assert sum(row.count("A") for row in rows) == sum(row.count("B") for row in rows) == 1
        assert f"holding {observation['player']['held'] or 'nothing'}" in text
        assert text.count("pot (") == len(observation["pots"])


def test_render_marks_players_items_and_pots() -> None:
    observation = kitchen()
    observation["player"] = {"pos": [1, 1], "facing": "left", "held": "onion"}
    observation["partner"] = {"pos": [3, 2], "facing": "down", "held": None}
    observation["counters"] = [{"pos": [0, 2], "item": "dish"}]
    observation["pots"] = [
        {"pos": [2, 0], "ingredient": "onion", "count": 3, "cook_time": 7, "state": "cooking"}
    ]
    lines = make_env("overcooked").render_text(observation).splitlines()
    assert lines[1:5] == ["X X P X X", "O A . . O", "d . . B X", "X D X S X"]
    assert "player A at (1,1) facing left, holding onion" in lines
    assert "pot (2,0): cooking, 3 onion, cooked 7" in lines


def test_schema_rejects_what_the_layout_cannot_hold() -> None:
    spec = make_env("overcooked", layout="cramped_room")
    observation = kitchen()
    observation["player"]["pos"] = [7, 1]
    assert spec.observation_errors(observation)
    observation = kitchen()
    observation["layout"] = list(GRIDS["random0"])
    assert spec.observation_errors(observation)
    observation = kitchen()
    observation["partner"]["held"] = "fish"
    assert spec.observation_errors(observation)


def test_env_kwargs() -> None:
    assert make_env("overcooked").kwargs == {"layout": "cramped_room"}
    assert make_env("overcooked").action_names == (
        "up", "down", "left", "right", "stay", "interact"
    )  # fmt: skip
    assert not make_env("overcooked").simulated
    with pytest.raises(EnvError, match=r"env_kwargs\.layout: 'kitchen' is not one of"):
        make_env("overcooked", layout="kitchen")
    with pytest.raises(EnvError, match=r"'size' was unexpected\) \(allowed: layout\)"):
        make_env("overcooked", size=5)


@pytest.mark.skipif(not INSTALLED, reason="overcooked-ai (the `overcooked` extra) is not installed")
def test_every_row_of_a_recorded_game_is_a_valid_observation() -> None:
    from rote.data import load_overcooked

    first, second = load_overcooked("test", layout="random3")[:2]
    spec = make_env("overcooked", layout="random3")
    for trajectory in (first, second):
        assert len(trajectory.steps) > 1000
        for step in trajectory.steps:
            assert spec.observation_errors(step.observation) == []
    assert spec.render_text(first.steps[500].observation).strip()


def test_the_bc_encoder_is_fixed_size_and_round_trips_through_json() -> None:
    import json

    import numpy as np

    from rote.baselines.encoding import OvercookedEncoder, encoder_from_json, make_encoder

    spec = make_env("overcooked", layout="random3")
    observations = [kitchen("random3", seed) for seed in range(5)]
    encoder = make_encoder(spec, observations)
    assert isinstance(encoder, OvercookedEncoder)
    again = encoder_from_json(json.loads(json.dumps(encoder.to_json())))
    vectors = [encoder.encode(o) for o in observations]
    assert all(v.shape == (encoder.dim,) for v in vectors)
    for vector, observation in zip(vectors, observations, strict=True):
        assert np.array_equal(vector, again.encode(observation))
    empty, onion = kitchen("random3"), kitchen("random3")
    empty["player"]["held"], onion["player"]["held"] = None, "onion"
    assert not np.array_equal(encoder.encode(empty), encoder.encode(onion))
