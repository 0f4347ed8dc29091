"""The `overcooked` spec: schema-valid observations for every row of a recorded game, the text
rendering, and its env_kwargs."""

from __future__ import annotations

import functools
import importlib.util
import json
import random
from typing import Any

import pytest

from rote.envs import make_env
from rote.envs.overcooked import GRIDS, LAYOUTS
from rote.envs.scene import POINTING, scene_errors
from rote.errors import EnvError
from rote.skills.overcooked import COOK_TIME, Pot

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


@functools.cache
def recorded_game(layout: str) -> list[dict[str, Any]]:
    """The observations of the longest recorded game on `layout` (player 0's of the test split,
    about 1200 steps); without the overcooked-ai data, 50 random kitchens of that layout."""
    if not INSTALLED:
        return [kitchen(layout, seed) for seed in range(50)]
    from rote.data import load_overcooked

    games = [
        game for game in load_overcooked("test", layout=layout) if game.header.meta["player"] == 0
    ]
    longest = max(games, key=lambda game: len(game.steps))
    return [step.observation for step in longest.steps]


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
    observation["partner"] = {"pos": [3, 2], "facing": "down", "held": None, "last_action": "up"}
    observation["counters"] = [{"pos": [0, 2], "item": "dish"}]
    observation["pots"] = [
        {"pos": [2, 0], "ingredient": "onion", "count": 3, "cook_time": 7, "state": "cooking"}
    ]
    lines = make_env("overcooked").render_text(observation).splitlines()
    assert lines[1:5] == ["X X P X X", "O A . . O", "d . . B X", "X D X S X"]
    assert "player A at (1,1) facing left, holding onion" in lines
    assert "partner B at (3,2) facing down, holding nothing, pressed up at the tick before" in lines
    assert "pot (2,0): cooking, 3 onion, cooked 7" in lines


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_draw_puts_each_player_where_it_stands_facing_its_way(layout: str) -> None:
    spec = make_env("overcooked", layout=layout)
    stations = sum(char != " " for row in GRIDS[layout] for char in row)
    bases = set()
    for seed in range(20):
        observation = kitchen(layout, seed)
        scene = spec.draw(observation)
        assert scene is not None and scene["kind"] == "grid" and scene_errors(scene) == []
        assert (scene["width"], scene["height"]) == (len(GRIDS[layout][0]), len(GRIDS[layout]))
        assert len(scene["base"]) == stations
        bases.add(json.dumps(scene["base"]))
        players = [item for item in scene["items"] if item["shape"] == "triangle"]
        assert [player.get("label") for player in players] == ["A", "B"]
        assert players[0]["fill"] != players[1]["fill"]
        for player, key in zip(players, ("player", "partner"), strict=True):
            who = observation[key]
            assert [player["x"], player["y"]] == who["pos"]
            assert POINTING[player["dir"]] == who["facing"]
            held = [
                item
                for item in scene["items"]
                if item["shape"] == "circle"
                and item.get("size") == 0.3
                and [item["x"], item["y"]] == who["pos"]
            ]
            assert len(held) == (who["held"] is not None)
            assert f"({key}) holds {who['held'] or 'nothing'}" in scene["caption"]
        on_counters = [[item["x"], item["y"]] for item in scene["items"] if item.get("size") == 0.5]
        assert on_counters == [thing["pos"] for thing in observation["counters"]]
    assert len(bases) == 1


def pot_labels(observation: dict[str, Any]) -> dict[tuple[float, float], str | None]:
    """Where the drawing puts a pot's contents (the items of pot size), and their labels."""
    scene = make_env("overcooked", layout="asymmetric_advantages").draw(observation)
    assert scene is not None and scene["kind"] == "grid"
    return {
        (item["x"], item["y"]): item.get("label")
        for item in scene["items"]
        if item.get("size") == 0.7
    }


def test_draw_labels_pots_by_what_they_hold() -> None:
    observation = kitchen("asymmetric_advantages")
    observation["pots"] = [
        {"pos": [4, 2], "ingredient": "onion", "count": 2, "cook_time": 0, "state": "filling"},
        {"pos": [4, 3], "ingredient": "onion", "count": 3, "cook_time": 7, "state": "cooking"},
    ]
    assert pot_labels(observation) == {(4, 2): "2/3", (4, 3): f"7/{COOK_TIME}"}
    observation["pots"] = [
        {"pos": [4, 2], "ingredient": None, "count": 0, "cook_time": 0, "state": "empty"},
        {"pos": [4, 3], "ingredient": "onion", "count": 3, "cook_time": 20, "state": "ready"},
    ]
    assert pot_labels(observation) == {(4, 3): "ready"}


@pytest.mark.skipif(not INSTALLED, reason="overcooked-ai (the `overcooked` extra) is not installed")
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_recorded_games_scenes_stay_small(layout: str) -> None:
    """A whole game's scenes, its one base stored once as the report does, fit well within the
    report's 5 MB: under 1 MB for about 1200 steps (0.56-0.87 MB measured, as json.dumps
    writes them)."""
    spec = make_env("overcooked", layout=layout)
    scenes = [spec.draw(observation) for observation in recorded_game(layout)]
    assert len(scenes) > 1000
    bases = {
        json.dumps(scene["base"])
        for scene in scenes
        if scene is not None and scene["kind"] == "grid"
    }
    steps = sum(len(json.dumps({**scene, "base": None})) for scene in scenes if scene is not None)
    assert len(bases) == 1
    assert sum(map(len, bases)) + steps < 1_000_000


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
    observation = kitchen()
    observation["player"]["last_action"] = "jump"
    assert spec.observation_errors(observation)
    observation["player"]["last_action"] = "interact"  # optional, but a key when given
    assert spec.observation_errors(observation) == []


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
