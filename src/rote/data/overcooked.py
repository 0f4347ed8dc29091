"""Carroll et al. 2019's human-human Overcooked games as `overcooked` trajectories.

The data ship inside the `overcooked-ai` 1.1.0 source distribution (the `overcooked` extra) as
two pickled pandas DataFrames, `clean_train_trials.pickle` and `clean_test_trials.pickle`: one
row per game step, 1204 steps a game. Nothing of `overcooked_ai_py` is imported: its
dependencies are not installed, and the package's own parser rejects the 2019 state schema
(`order_list`, soups as [ingredient, count, cook_time], objects keyed "x,y"), which is parsed
here. The pickles are read by a restricted unpickler that resolves only the few pandas and
numpy names a DataFrame needs, so a pickle cannot run code; anything that then fails on the frame
is a one-line DataError naming the file, and messages quote values with reprlib, which stops a
few levels down where repr of a cell nested 5000 deep would raise RecursionError. The sdist
states no licence: read the installed files, never redistribute them.

A game is the rows of one `workerid_num` on one `layout_name` (39 train and 37 test games),
in `cur_gameloop` order; each game gives two trajectories, one per player's point of view.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.util
import json
import math
import os
import pickle
import reprlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rote.envs.overcooked import GRIDS, LAYOUTS
from rote.errors import RoteError
from rote.skills.grid import MOVES
from rote.skills.overcooked import ITEMS, Pot
from rote.trajectory import (
    Header,
    Step,
    Trajectory,
    WriteReport,
    read_existing,
    write_trajectory,
)

__all__ = [
    "LAYOUTS",
    "SPLITS",
    "DataError",
    "RestrictedUnpickler",
    "data_path",
    "default_path",
    "export_overcooked",
    "load_overcooked",
    "read_frame",
    "trajectories_from_frame",
    "trajectory_path",
]

SPLITS: tuple[str, ...] = ("train", "test")
PACKAGE = "overcooked_ai_py"
SOURCE = "Carroll et al. 2019 human-human play (overcooked-ai 1.1.0)"

_ALLOWED: dict[tuple[str, str], tuple[str, str]] = {
    ("pandas.core.frame", "DataFrame"): ("pandas.core.frame", "DataFrame"),
    ("pandas.core.internals.managers", "BlockManager"): (
        "pandas.core.internals.managers",
        "BlockManager",
    ),
    ("pandas.core.indexes.base", "Index"): ("pandas.core.indexes.base", "Index"),
    ("pandas.core.indexes.base", "_new_Index"): ("pandas.core.indexes.base", "_new_Index"),
    ("pandas.core.indexes.range", "RangeIndex"): ("pandas.core.indexes.range", "RangeIndex"),
    # pandas < 2 pickled integer indexes as Int64Index, since folded into Index
    ("pandas.core.indexes.numeric", "Int64Index"): ("pandas.core.indexes.base", "Index"),
    ("pandas._libs.internals", "_unpickle_block"): ("pandas._libs.internals", "_unpickle_block"),
    ("pandas.core.internals.blocks", "new_block"): ("pandas._libs.internals", "_unpickle_block"),
    ("numpy", "dtype"): ("numpy", "dtype"),
    ("numpy", "ndarray"): ("numpy", "ndarray"),
    ("numpy.core.multiarray", "_reconstruct"): ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"): ("numpy._core.multiarray", "_reconstruct"),
    ("builtins", "slice"): ("builtins", "slice"),
    # what pandas 3 itself writes, for files a user re-saved
    ("pandas", "DataFrame"): ("pandas", "DataFrame"),
    ("pandas", "Index"): ("pandas", "Index"),
    ("pandas", "RangeIndex"): ("pandas", "RangeIndex"),
    ("pandas", "StringDtype"): ("pandas", "StringDtype"),
    ("pandas.arrays", "StringArray"): ("pandas.arrays", "StringArray"),
    ("pandas._libs.arrays", "__pyx_unpickle_NDArrayBacked"): (
        "pandas._libs.arrays",
        "__pyx_unpickle_NDArrayBacked",
    ),
    ("numpy._core.numeric", "_frombuffer"): ("numpy._core.numeric", "_frombuffer"),
}
"""Every global a pickled DataFrame of the 2019 files or of pandas 3 names, and where it lives
now. Each builds data (frames, indexes, arrays) and nothing else."""

_ACTIONS: dict[tuple[int, int], str] = {delta: name for name, delta in MOVES.items()}
_ACTIONS[(0, 0)] = "stay"
_COLUMNS = ("state", "joint_action", "layout", "layout_name", "workerid_num", "cur_gameloop")


class DataError(RoteError):
    """A data file that cannot be read, or a row that does not parse: names file, row, field."""


@contextlib.contextmanager
def _as_data_error(path: str | os.PathLike[str]) -> Iterator[None]:
    """Turn any failure on an unpickled frame into a one-line DataError naming the file. The
    restricted unpickler lets only frame parts in, but their state can be anything (no data
    manager, a shadowed pandas method, arrays for strings), and pandas or numpy then fail in
    their own ways."""
    try:
        yield
    except DataError:
        raise
    except Exception as error:
        raise DataError(
            f"{path}: not a DataFrame of the 2019 data ({type(error).__name__})"
        ) from None


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles DataFrames and nothing else: any global outside `_ALLOWED` is refused, so
    a pickle cannot name os.system or any other callable to run."""

    def find_class(self, module: str, name: str) -> Any:
        target = _ALLOWED.get((module, name))
        if target is None:
            raise DataError(f"refusing to unpickle {module}.{name}: not a DataFrame part")
        return getattr(importlib.import_module(target[0]), target[1])


def default_path(split: str) -> Path:
    """Where the installed overcooked-ai package keeps a split's pickle."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise DataError(
            f"the {PACKAGE} package is not installed: pip install --no-deps "
            "overcooked-ai==1.1.0, or pass the pickle's path"
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    return root / "data" / "human_data" / f"clean_{split}_trials.pickle"


def data_path(split: str, path: str | os.PathLike[str] | None = None) -> Path:
    """The pickle of `split`: `path` itself if it is a file, `path`/clean_<split>_trials.pickle
    if it is a directory, else the installed package's."""
    if split not in SPLITS:
        raise DataError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    if path is None:
        found = default_path(split)
    else:
        given = Path(path)
        found = given / f"clean_{split}_trials.pickle" if given.is_dir() else given
    if not found.is_file():
        raise DataError(f"{found}: no such data file")
    return found


def read_frame(path: str | os.PathLike[str]) -> Any:
    """Unpickle a DataFrame with the restricted unpickler."""
    try:
        with open(path, "rb") as file:
            frame = RestrictedUnpickler(file).load()
    except DataError as error:
        raise DataError(f"{path}: {error}") from None
    except ModuleNotFoundError as error:
        raise DataError(f"{path}: needs {error.name} (the `overcooked` extra)") from None
    except Exception as error:  # a damaged pickle can fail in any of pickle's many ways
        raise DataError(f"{path}: not a readable pickle ({type(error).__name__})") from None
    if type(frame).__name__ != "DataFrame":
        raise DataError(f"{path}: holds a {type(frame).__name__}, not a DataFrame")
    with _as_data_error(path):
        missing = [column for column in _COLUMNS if column not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing columns {', '.join(missing)}")
    return frame


@dataclass(frozen=True)
class Row:
    """One step of a game as this module reads it: the raw columns it needs."""

    index: Any
    state: str
    joint_action: str
    layout: str
    layout_name: str
    workerid: int
    gameloop: float
    time_left: float
    score: float


def _rows(frame: Any) -> list[Row]:
    columns = {name: frame[name].tolist() for name in _COLUMNS}
    n = len(frame)
    time_left = frame["time_left"].tolist() if "time_left" in frame.columns else [0.0] * n
    score = frame["score"].tolist() if "score" in frame.columns else [0.0] * n
    return [
        Row(
            index,
            columns["state"][i],
            columns["joint_action"][i],
            columns["layout"][i],
            columns["layout_name"][i],
            columns["workerid_num"][i],
            columns["cur_gameloop"][i],
            time_left[i],
            score[i],
        )
        for i, index in enumerate(frame.index.tolist())
    ]


class _RowError(Exception):
    """A field of a row that does not parse; becomes a DataError naming the row."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")


_JSON_SPELLING = str.maketrans({"'": '"'})


def _literal(text: Any, field: str) -> Any:
    """A Python literal the data wrote with repr(). Read as JSON where the text is JSON but
    for its quotes and constants (every state is, and it is 20 times faster), else with
    ast.literal_eval."""
    if not isinstance(text, str):
        raise _RowError(field, f"expected a string, not {type(text).__name__}")
    spelled = text.translate(_JSON_SPELLING)
    spelled = spelled.replace("True", "true").replace("False", "false").replace("None", "null")
    try:
        return json.loads(spelled)
    except (ValueError, RecursionError):
        pass
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise _RowError(field, f"not a Python literal: {text[:60]!r}") from None


def _check(condition: bool, field: str, message: str, *quoted: Any) -> None:
    """Raise for `field` unless the condition holds; `quoted` values end the message, quoted
    with reprlib only on failure (quoting them at every check took most of a load's time)."""
    if not condition:
        raise _RowError(field, " ".join([message, *map(reprlib.repr, quoted)]))


def _cell(value: Any, field: str, grid: tuple[str, ...]) -> list[int]:
    if type(value) is list and len(value) == 2:
        x, y = value
        if type(x) is int and type(y) is int and 0 <= y < len(grid) and 0 <= x < len(grid[y]):
            return [x, y]
    raise _RowError(field, f"expected [x, y] on the layout, not {reprlib.repr(value)}")


def _item(value: Any, field: str) -> str:
    _check(isinstance(value, dict), field, "expected an object, not", value)
    name = value.get("name")
    _check(name in ITEMS, field, "unknown item", name)
    return str(name)


def _player(value: Any, field: str, grid: tuple[str, ...]) -> dict[str, Any]:
    _check(isinstance(value, dict), field, "expected an object, not", value)
    pos = _cell(value.get("position"), f"{field}.position", grid)
    orientation = value.get("orientation")
    facing = _ACTIONS.get(tuple(orientation) if isinstance(orientation, list | tuple) else ())
    _check(
        facing is not None and facing != "stay",
        f"{field}.orientation",
        "not a direction:",
        orientation,
    )
    held = value.get("held_object")
    return {
        "pos": pos,
        "facing": facing,
        "held": None if held is None else _item(held, f"{field}.held_object"),
    }


def _soup(value: Any, field: str) -> tuple[str, int, int]:
    state = value.get("state")
    _check(
        isinstance(state, list | tuple)
        and len(state) == 3
        and state[0] in ("onion", "tomato")
        and all(isinstance(v, int) and v >= 0 for v in state[1:]),
        f"{field}.state",
        "expected [ingredient, count, cook_time], not",
        state,
    )
    return state[0], state[1], state[2]


def _kitchen(
    state: Any, grid: tuple[str, ...]
) -> tuple[list[dict[str, Any]], list[Any], list[Any]]:
    """The players, pots and counter items of a parsed 2019 state dict."""
    _check(isinstance(state, dict), "state", "expected a dict")
    players = state.get("players")
    _check(isinstance(players, list) and len(players) == 2, "state.players", "expected two players")
    parsed = [_player(players[k], f"state.players[{k}]", grid) for k in (0, 1)]
    objects = state.get("objects")
    _check(isinstance(objects, dict), "state.objects", "expected a dict")
    in_pots: dict[tuple[int, int], tuple[str, int, int]] = {}
    counters = []
    for key, value in objects.items():
        field = f"state.objects[{reprlib.repr(key)}]"
        name = _item(value, field)
        x, y = _cell(value.get("position"), f"{field}.position", grid)
        if grid[y][x] == "P":
            _check(name == "soup", field, f"a {name} in the pot at {[x, y]}")
            in_pots[(x, y)] = _soup(value, field)
        else:
            counters.append({"pos": [x, y], "item": name})
    pots = []
    for y, line in enumerate(grid):
        for x, char in enumerate(line):
            if char == "P":
                ingredient, count, cooked = in_pots.get((x, y), (None, 0, 0))
                pots.append(
                    {
                        "pos": [x, y],
                        "ingredient": ingredient,
                        "count": count,
                        "cook_time": cooked,
                        "state": Pot((x, y), count, cooked).state,
                    }
                )
    counters.sort(key=lambda item: (item["pos"][1], item["pos"][0]))
    return parsed, pots, counters


def _action(value: Any) -> str:
    if value == "INTERACT":
        return "interact"
    action = _ACTIONS.get(tuple(value) if isinstance(value, list | tuple) else ())
    if action is None:
        raise _RowError("joint_action", f"unknown action {reprlib.repr(value)}")
    return action


def _joint(text: Any) -> tuple[str, str]:
    joint = _literal(text, "joint_action")
    _check(
        isinstance(joint, list | tuple) and len(joint) == 2,
        "joint_action",
        "expected two actions, not",
        joint,
    )
    return _action(joint[0]), _action(joint[1])


def _grid(row: Row) -> tuple[str, ...]:
    name = row.layout_name
    _check(name in GRIDS, "layout_name", "unknown layout", name)
    rows = _literal(row.layout, "layout")
    _check(
        isinstance(rows, list) and all(isinstance(line, str) for line in rows),
        "layout",
        "expected a list of strings",
    )
    cleared = tuple("".join(" " if c.isdigit() else c for c in line) for line in rows)
    _check(cleared == GRIDS[name], "layout", f"does not match the {name} layout")
    return GRIDS[name]


def _game_steps(rows: list[Row], where: Callable[[Row], str]) -> list[list[Step]]:
    """Both players' steps of one game's rows (already in time order)."""
    steps: list[list[Step]] = [[], []]
    grids: dict[tuple[str, str], tuple[str, ...]] = {}
    joints: dict[str, tuple[str, str]] = {}
    last: tuple[str, Any] = ("", None)  # people often stand still: a state repeats
    pressed: tuple[str | None, str | None] = (None, None)  # the joint action of the tick before
    for t, row in enumerate(rows):
        try:
            key = (row.layout_name, row.layout)
            grid = grids.get(key) or grids.setdefault(key, _grid(row))
            if row.state != last[0] or last[1] is None:
                last = (row.state, _kitchen(_literal(row.state, "state"), grid))
            players, pots, counters = last[1]
            joint = joints.get(row.joint_action) or joints.setdefault(
                row.joint_action, _joint(row.joint_action)
            )
            me_and_partner = [{**players[k], "last_action": pressed[k]} for k in (0, 1)]
            for k in (0, 1):
                observation = {
                    "t": t,
                    "time_left": float(row.time_left),
                    "layout": list(grid),
                    "player": me_and_partner[k],
                    "partner": me_and_partner[1 - k],
                    "pots": pots,
                    "counters": counters,
                    "score": float(row.score),
                }
                steps[k].append(Step(observation, joint[k]))
            pressed = joint
        except _RowError as error:
            raise DataError(f"{where(row)}: {error}") from None
    return steps


def trajectories_from_frame(
    frame: Any, split: str, *, layout: str | None = None, source: str = "data"
) -> list[Trajectory]:
    """Per-player, per-game trajectories of a DataFrame of the 2019 schema, in game order
    (worker id, then layout), each player 0 before player 1."""
    games: dict[tuple[int, str], list[Row]] = {}
    for row in _rows(frame):
        if not isinstance(row.workerid, int) or not isinstance(row.layout_name, str):
            raise DataError(f"{source} row {row.index}: workerid_num/layout_name: bad game key")
        for field, value in (
            ("cur_gameloop", row.gameloop),
            ("time_left", row.time_left),
            ("score", row.score),
        ):
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise DataError(
                    f"{source} row {row.index}: {field}: not a number: {reprlib.repr(value)}"
                )
        if layout is None or row.layout_name == layout:
            games.setdefault((row.workerid, row.layout_name), []).append(row)
    found = []
    for (worker, name), rows in sorted(games.items()):
        rows.sort(key=lambda row: row.gameloop)
        loops = [row.gameloop for row in rows]
        if len(set(loops)) != len(loops):
            raise DataError(
                f"{source}: game of worker {worker} on {name}: repeated cur_gameloop values"
            )
        steps = _game_steps(rows, lambda row: f"{source} row {row.index}")
        game = f"{split}-{worker}-{name}"
        for player in (0, 1):
            header = Header(
                env="overcooked",
                env_kwargs={"layout": name},
                agent=f"human-{worker}-p{player}",
                meta={
                    "source": SOURCE,
                    "split": split,
                    "game": game,
                    "player": player,
                    "workerid": worker,
                    "paper_layout": LAYOUTS[name],
                },
            )
            found.append(Trajectory(header, steps[player]))
    return found


def load_overcooked(
    split: str, *, layout: str | None = None, path: str | os.PathLike[str] | None = None
) -> list[Trajectory]:
    """Every game of `split` ("train" or "test") as two trajectories, one per player.

    `layout` keeps one of LAYOUTS; `path` is a pickle or a directory holding
    clean_<split>_trials.pickle (default: the installed overcooked-ai package's)."""
    if layout is not None and layout not in LAYOUTS:
        raise DataError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    found = data_path(split, path)
    frame = read_frame(found)
    with _as_data_error(found):
        return trajectories_from_frame(frame, split, layout=layout, source=str(found))


def trajectory_path(out_dir: Path, trajectory: Trajectory) -> Path:
    """<out_dir>/<split>-<worker>-<layout>-p<player>.jsonl"""
    meta = trajectory.header.meta
    return out_dir / f"{meta['game']}-p{meta['player']}.jsonl"


def export_overcooked(
    split: str,
    out_dir: str | os.PathLike[str],
    *,
    layout: str | None = None,
    path: str | os.PathLike[str] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[Path], None] | None = None,
) -> WriteReport:
    """Write one rote.trajectory/1 file per player per game of `split` into `out_dir`.

    Files are written atomically, and a file that already holds its trajectory exactly is
    kept, so a killed export resumes and a rerun redoes nothing."""
    trajectories = load_overcooked(split, layout=layout, path=path)
    if on_start is not None:
        on_start(len(trajectories))
    report = WriteReport([], [])
    for trajectory in trajectories:
        target = trajectory_path(Path(out_dir), trajectory)
        if _holds(target, trajectory):
            report.kept.append(target)
        else:
            write_trajectory(target, trajectory)
            report.written.append(target)
        if on_done is not None:
            on_done(target)
    return report


def _holds(target: Path, trajectory: Trajectory) -> bool:
    existing = read_existing(target)
    return (
        existing is not None
        and existing.header == trajectory.header
        and existing.steps == trajectory.steps
    )
