"""The Overcooked human-data loader: every game of both splits, the restricted unpickler, one-line
errors for malformed rows, and the action mapping. The data are read from the installed
overcooked-ai package (never copied here); synthetic rows are built in the tests themselves."""

from __future__ import annotations

import collections
import importlib.util
import os
import pickle
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy
import pytest

from rote.data import LAYOUTS, DataError, load_overcooked
from rote.data.overcooked import read_frame, trajectories_from_frame
from rote.envs import make_env
from rote.skills.grid import MOVES, step_cell
from rote.trajectory import Trajectory

INSTALLED = importlib.util.find_spec("overcooked_ai_py") is not None
needs_data = pytest.mark.skipif(
    not INSTALLED, reason="overcooked-ai (the `overcooked` extra) is not installed"
)
pandas = pytest.importorskip("pandas", reason="pandas comes with the `overcooked` extra")

ROWS = {
    "train": {
        "asymmetric_advantages": 10768,
        "coordination_ring": 9619,
        "cramped_room": 9564,
        "random0": 7151,
        "random3": 9627,
    },
    "test": {
        "asymmetric_advantages": 9617,
        "coordination_ring": 9562,
        "cramped_room": 9626,
        "random0": 7224,
        "random3": 8344,
    },
}
GAMES = {"train": 39, "test": 37}


@pytest.fixture(scope="module")
def splits() -> dict[str, list[Trajectory]]:
    if not INSTALLED:
        pytest.skip("overcooked-ai (the `overcooked` extra) is not installed")
    return {split: load_overcooked(split) for split in GAMES}


@needs_data
@pytest.mark.parametrize("split", list(GAMES))
def test_every_game_of_both_splits_loads_with_its_rows(
    splits: dict[str, list[Trajectory]], split: str
) -> None:
    trajectories = splits[split]
    games = {t.header.meta["game"] for t in trajectories}
    assert len(games) == GAMES[split]
    assert len(trajectories) == 2 * GAMES[split]
    rows: collections.Counter[str] = collections.Counter()
    for trajectory in trajectories:
        if trajectory.header.meta["player"] == 0:
            rows[trajectory.header.env_kwargs["layout"]] += len(trajectory.steps)
        assert [step.observation["t"] for step in trajectory.steps] == list(
            range(len(trajectory.steps))
        )
        assert all(step.action is not None for step in trajectory.steps)
    assert dict(rows) == ROWS[split]


@needs_data
def test_the_two_players_of_a_game_see_each_other(splits: dict[str, list[Trajectory]]) -> None:
    first, second = splits["test"][:2]
    assert first.header.meta["game"] == second.header.meta["game"]
    assert (first.header.meta["player"], second.header.meta["player"]) == (0, 1)
    assert first.header.agent.endswith("-p0") and second.header.agent.endswith("-p1")
    for mine, theirs in zip(first.steps[:200], second.steps[:200], strict=True):
        assert mine.observation["player"] == theirs.observation["partner"]
        assert mine.observation["partner"] == theirs.observation["player"]


@needs_data
def test_moves_go_where_their_names_say(splits: dict[str, list[Trajectory]]) -> None:
    """y grows downward: "up" ([0, -1] in the data) lowers y. A move either steps that way or,
    blocked, leaves the player in place facing that way."""
    stepped = 0
    for trajectory in splits["train"][:10]:
        for before, after in zip(trajectory.steps, trajectory.steps[1:], strict=False):
            if before.action in MOVES:
                here = tuple(before.observation["player"]["pos"])
                there = tuple(after.observation["player"]["pos"])
                assert there in (here, step_cell(here, before.action))
                assert after.observation["player"]["facing"] == before.action
                stepped += there != here
    assert stepped > 1000
    for trajectory in splits["train"][:10]:  # each game starts afresh: no key before it
        steps = trajectory.steps
        assert steps[0].observation["player"]["last_action"] is None
        assert [s.observation["player"]["last_action"] for s in steps[1:]] == [
            s.action for s in steps[:-1]
        ]


@needs_data
def test_a_layout_filter_keeps_its_games_only() -> None:
    found = load_overcooked("test", layout="random0")
    assert {t.header.env_kwargs["layout"] for t in found} == {"random0"}
    assert len(found) == 12
    assert found[0].header.meta["paper_layout"] == LAYOUTS["random0"] == "Forced Coordination"


class _Exploit:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return os.system, (f"touch {self.marker}",)


@pytest.mark.parametrize("payload", ["os.system", "builtins.eval", "subprocess"])
def test_the_unpickler_refuses_any_other_global(tmp_path: Path, payload: str) -> None:
    marker = tmp_path / "ran"
    if payload == "os.system":
        data = pickle.dumps(_Exploit(marker))
    elif payload == "builtins.eval":
        data = pickle.dumps({"frame": eval})
    else:
        import subprocess

        data = pickle.dumps([subprocess.Popen])
    path = tmp_path / "evil.pickle"
    path.write_bytes(data)
    with pytest.raises(DataError, match="refusing to unpickle") as raised:
        read_frame(path)
    assert "\n" not in str(raised.value)
    assert not marker.exists()


GRID = ["XXPXX", "O  2O", "X1  X", "XDXSX"]  # cramped_room's layout, as the data write it


def _state(p0: list[int], p1: list[int], objects: str = "{}") -> str:
    return (
        f"{{'players': [{{'position': {p0}, 'orientation': [0, -1]}}, "
        f"{{'position': {p1}, 'orientation': [1, 0], "
        f"'held_object': {{'name': 'onion', 'position': {p1}}}}}], "
        f"'objects': {objects}, 'order_list': ['onion'], 'pot_explosion': False}}"
    )


def _frame(states: list[str], actions: list[str], loops: list[float] | None = None) -> Any:
    n = len(states)
    return pandas.DataFrame(
        {
            "state": states,
            "joint_action": actions,
            "layout": [repr(GRID)] * n,
            "layout_name": ["cramped_room"] * n,
            "workerid_num": [7] * n,
            "cur_gameloop": loops if loops is not None else [float(i) for i in range(n)],
            "time_left": [180.0 - i for i in range(n)],
            "score": [0.0] * n,
        },
        dtype=object,
    )


def test_synthetic_rows_parse_into_both_points_of_view(tmp_path: Path) -> None:
    soup = "{'2,0': {'name': 'soup', 'position': [2, 0], 'state': ['onion', 3, 20]}, "
    soup += "'0,2': {'name': 'dish', 'position': [0, 2]}}"
    frame = _frame(
        [_state([2, 1], [1, 2], soup), _state([1, 1], [3, 1])],
        ["[[-1, 0], 'INTERACT']", "[[0, 0], [0, 1]]"],
        loops=[1.0, 0.0],  # out of order: sorted by the game loop
    )
    path = tmp_path / "clean_test_trials.pickle"
    frame.to_pickle(path)
    first, second = load_overcooked("test", path=tmp_path)
    assert first.actions == ["stay", "left"]
    assert second.actions == ["down", "interact"]
    early, late = first.steps[0].observation, first.steps[1].observation
    assert early["player"]["last_action"] is None and early["partner"]["last_action"] is None
    # each point of view carries the keys both players pressed at the tick before
    assert late["player"] == {"pos": [2, 1], "facing": "up", "held": None, "last_action": "stay"}
    assert late["partner"] == {
        "pos": [1, 2],
        "facing": "right",
        "held": "onion",
        "last_action": "down",
    }
    assert second.steps[1].observation["player"]["last_action"] == "down"
    assert second.steps[1].observation["partner"]["last_action"] == "stay"
    assert late["pots"] == [
        {"pos": [2, 0], "ingredient": "onion", "count": 3, "cook_time": 20, "state": "ready"}
    ]
    assert late["counters"] == [{"pos": [0, 2], "item": "dish"}]
    spec = make_env("overcooked", layout="cramped_room")
    for trajectory in (first, second):
        assert trajectory.header.env == "overcooked"
        assert trajectory.header.agent == f"human-7-p{trajectory.header.meta['player']}"
        for step in trajectory.steps:
            assert spec.observation_errors(step.observation) == []


@pytest.mark.parametrize(
    ("state", "action", "field"),
    [
        (_state([2, 1], [1, 2]), "[[0, 0], [2, 2]]", "joint_action"),
        (_state([2, 1], [1, 2]), "[[0, 0]]", "joint_action"),
        (_state([9, 1], [1, 2]), "[[0, 0], [0, 0]]", "state.players[0].position"),
        (_state([2, 1], [1, 2]).replace("[0, -1]", "[1, 1]"), "[[0, 0], [0, 0]]", "orientation"),
        (_state([2, 1], [1, 2], "{'1,1': {'name': 'fish'}}"), "[[0, 0], [0, 0]]", "objects"),
        ("{'players': [", "[[0, 0], [0, 0]]", "state: not a Python literal"),
    ],
)
def test_malformed_rows_give_one_line_errors_naming_row_and_field(
    state: str, action: str, field: str
) -> None:
    frame = _frame([_state([2, 1], [1, 2]), state], ["[[0, 0], [0, 0]]", action])
    with pytest.raises(DataError) as raised:
        trajectories_from_frame(frame, "test", source="demo.pickle")
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("demo.pickle row 1: ")
    assert field in message


def test_bad_arguments_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="split must be one of"):
        load_overcooked("validation", path=tmp_path)
    with pytest.raises(DataError, match="layout must be one of"):
        load_overcooked("test", layout="kitchen", path=tmp_path)
    with pytest.raises(DataError, match="no such data file"):
        load_overcooked("test", path=tmp_path)
    (tmp_path / "clean_test_trials.pickle").write_bytes(b"not a pickle")
    with pytest.raises(DataError, match="not a readable pickle"):
        load_overcooked("test", path=tmp_path)


def test_a_row_without_a_clock_is_a_one_line_error() -> None:
    frame = _frame([_state([2, 1], [1, 2])] * 2, ["[[0, 0], [0, 0]]"] * 2)
    frame.loc[1, "time_left"] = float("nan")
    with pytest.raises(DataError, match=r"^demo.pickle row 1: time_left: not a number"):
        trajectories_from_frame(frame, "test", source="demo.pickle")


def _game() -> Any:
    return _frame([_state([2, 1], [1, 2])] * 2, ["[[0, 0], [0, 0]]"] * 2)


def _new_frame(state: dict[str, Any] | None = None) -> bytes:
    """A pickle of DataFrame.__new__(DataFrame), given `state` by BUILD when there is one: what
    a crafted file can say with the restricted unpickler's globals (pickle.dumps never writes
    it)."""
    data = b"\x80\x03cpandas.core.frame\nDataFrame\n)\x81"
    if state is not None:
        data += pickle.dumps(state, protocol=3)[2:-1] + b"b"  # without its PROTO and STOP
    return data + b"."


def _deep_cells() -> bytes:
    nested: list[Any] = []
    for _ in range(5000):
        nested = [nested]
    frame = _game()
    frame["time_left"] = pandas.Series([nested, nested], dtype=object)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)  # pickle recurses once a level
    try:
        return pickle.dumps(frame)
    finally:
        sys.setrecursionlimit(limit)


def _crafted(case: str) -> bytes:
    frame = _game()
    if case == "no data manager":
        return _new_frame()
    if case == "a shadowed pandas method":
        return _new_frame({**frame.__getstate__(), "_get_item": 1})
    if case == "a state nested 5000 deep":
        frame.loc[1, "state"] = "[" * 5000 + "]" * 5000
    elif case == "cells nested 5000 deep":
        return _deep_cells()
    elif case == "arrays for strings":
        frame["state"] = pandas.Series([numpy.array([1, 2])] * 2, dtype=object)
    elif case == "a repeated column":
        frame = pandas.concat([frame, frame[["state"]]], axis=1)
    return pickle.dumps(frame)


CRAFTED = [
    ("no data manager", r": not a DataFrame of the 2019 data \(AttributeError\)$"),
    ("a shadowed pandas method", r": not a DataFrame of the 2019 data \(TypeError\)$"),
    ("a state nested 5000 deep", r" row 1: state: not a Python literal: '\[\[\["),
    (
        "cells nested 5000 deep",
        r" row 0: time_left: not a number: \[\[\[\[\[\[\[\.\.\.\]\]\]\]\]\]\]$",
    ),
    ("arrays for strings", r": not a DataFrame of the 2019 data \(ValueError\)$"),
    ("a repeated column", r": not a DataFrame of the 2019 data \(AttributeError\)$"),
]


@pytest.mark.parametrize(("case", "message"), CRAFTED, ids=[case for case, _ in CRAFTED])
def test_crafted_frames_are_one_line_errors_naming_the_file(
    tmp_path: Path, case: str, message: str
) -> None:
    path = tmp_path / "clean_test_trials.pickle"
    path.write_bytes(_crafted(case))
    with pytest.raises(DataError) as raised:
        load_overcooked("test", path=path)
    assert re.match(re.escape(str(path)) + message, str(raised.value)), str(raised.value)
