"""rote.trajectory/1: the round trip, streaming, and every validation error path."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rote.envs.construction import ACTIONS, COLOURS
from rote.errors import MAX_MESSAGE_CHARS
from rote.trajectory import (
    MAX_DEPTH,
    MAX_INT,
    MAX_LINE_BYTES,
    Header,
    Step,
    Trajectory,
    TrajectoryError,
    TrajectoryReader,
    TrajectoryWriter,
    read_trajectory,
    write_trajectory,
)
from tests.conftest import HEADER, observation

cells = st.tuples(st.integers(1, 5), st.integers(1, 5))


@st.composite
def trajectories(draw: st.DrawFn) -> Trajectory:
    steps = []
    n = draw(st.integers(1, 8))
    for t in range(n):
        obs = observation(t=t, agent=draw(cells), held=draw(st.sampled_from([None, *COLOURS])))
        last = t == n - 1
        action = draw(st.sampled_from([None, *ACTIONS])) if last else draw(st.sampled_from(ACTIONS))
        steps.append(Step(obs, action))
    meta = draw(
        st.dictionaries(
            st.text(max_size=5), st.integers(-MAX_INT, MAX_INT) | st.text(max_size=5), max_size=3
        )
    )
    header = Header(env="construction", env_kwargs={"size": 7}, agent=draw(st.text()), meta=meta)
    return Trajectory(header, steps)


@settings(max_examples=40, deadline=None)
@given(trajectory=trajectories())
def test_round_trip(tmp_path_factory: pytest.TempPathFactory, trajectory: Trajectory) -> None:
    path = tmp_path_factory.mktemp("rt") / "traj.jsonl"
    write_trajectory(path, trajectory)
    assert read_trajectory(path) == trajectory


def test_reader_streams_steps(write_lines: Callable[..., Path]) -> None:
    path = write_lines(
        HEADER, {"observation": observation(0), "action": "up"}, {"observation": observation(1)}
    )
    with TrajectoryReader(path) as reader:
        assert reader.header.env == "construction"
        assert reader.spec.action_names == ACTIONS
        steps = iter(reader)
        assert next(steps).action == "up"
        assert next(steps).action is None


def test_blank_lines_are_skipped_but_counted(write_lines: Callable[..., Path]) -> None:
    path = write_lines(HEADER, "", {"observation": observation(), "action": "jump"})
    with pytest.raises(TrajectoryError, match=r"traj\.jsonl:3: "):
        read_trajectory(path)


def test_writer_flushes_each_line(tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl"
    with TrajectoryWriter(path, Header(env="construction")) as writer:
        writer.write(Step(observation(0), "up"))
        assert len(path.read_text().splitlines()) == 2


def test_writer_refuses_what_the_reader_would_reject(tmp_path: Path) -> None:
    with TrajectoryWriter(tmp_path / "w.jsonl", Header(env="construction")) as writer:
        with pytest.raises(TrajectoryError, match=r'w\.jsonl:2: action "jump" is not one of'):
            writer.write(Step(observation(0), "jump"))
        writer.write(Step(observation(0)))
        with pytest.raises(TrajectoryError, match=r"w\.jsonl:2: action: missing"):
            writer.write(Step(observation(1), "up"))


def test_write_trajectory_is_atomic(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    good = Trajectory(Header(env="construction"), [Step(observation(0), "up")])
    write_trajectory(path, good)
    bad = Trajectory(Header(env="construction"), [Step(observation(0), "fly")])
    with pytest.raises(TrajectoryError, match=r"t\.jsonl:2: "):
        write_trajectory(path, bad)
    assert read_trajectory(path) == good
    assert [p.name for p in tmp_path.iterdir()] == ["t.jsonl"]


STEP = {"observation": observation(), "action": "up"}


def nested(depth: int) -> str:
    """A header whose meta holds arrays nested so that the line is `depth` levels deep."""
    inner = "[" * (depth - 2) + "]" * (depth - 2)
    return json.dumps({**HEADER, "meta": {"x": "INNER"}}).replace('"INNER"', inner)


def with_t(t: str) -> str:
    """A step line whose time step is the JSON number `t`, written as it is."""
    return json.dumps({**STEP, "observation": {**observation(), "t": 0}}).replace(
        '"t": 0', f'"t": {t}'
    )


ERRORS: list[tuple[str, list[Any], str]] = [
    ("empty file", [], r"traj\.jsonl:1: empty file; expected a rote\.trajectory/1 header$"),
    ("bad JSON header", ["{not json"], r"traj\.jsonl:1: invalid JSON: .* \(column 2\)$"),
    ("NaN", [HEADER, '{"observation": NaN}'], r"traj\.jsonl:2: invalid JSON: NaN is not allowed$"),
    ("header not object", [[1, 2]], r"traj\.jsonl:1: header must be a JSON object, not array$"),
    (
        "format missing",
        [{"env": "construction"}],
        r'traj\.jsonl:1: format: missing; expected "rote\.trajectory/1"$',
    ),
    (
        "format wrong",
        [{**HEADER, "format": "rote.trajectory/9"}],
        r'traj\.jsonl:1: format: "rote\.trajectory/9" is not supported',
    ),
    ("env missing", [{"format": "rote.trajectory/1"}], r"traj\.jsonl:1: env: missing$"),
    (
        "env not string",
        [{**HEADER, "env": 3}],
        r"traj\.jsonl:1: env: must be a string, not number$",
    ),
    (
        "env unknown",
        [{**HEADER, "env": "chess"}],
        r'traj\.jsonl:1: env "chess" is not registered; known envs: .*construction',
    ),
    (
        "env_kwargs type",
        [{**HEADER, "env_kwargs": []}],
        r"traj\.jsonl:1: env_kwargs: must be an object, not array$",
    ),
    (
        "env_kwargs unknown",
        [{**HEADER, "env_kwargs": {"colour": 1}}],
        r'traj\.jsonl:1: env "construction": env_kwargs: .*\'colour\' was unexpected\) \(allowed',
    ),
    (
        "env_kwargs value",
        [{**HEADER, "env_kwargs": {"size": "big"}}],
        r"traj\.jsonl:1: env \"construction\": env_kwargs\.size: 'big' is not of type 'integer'$",
    ),
    (
        "env_kwargs out of range",
        [{**HEADER, "env_kwargs": {"size": 100_000}}],
        r'traj\.jsonl:1: env "construction": env_kwargs\.size: 100000 is greater than the maximum',
    ),
    (
        "meta type",
        [{**HEADER, "meta": "x"}],
        r"traj\.jsonl:1: meta: must be an object, not string$",
    ),
    (
        "agent type",
        [{**HEADER, "agent": None}],
        r"traj\.jsonl:1: agent: must be a string, not null$",
    ),
    ("header field", [{**HEADER, "envs": 1}], r'traj\.jsonl:1: unknown header field "envs"'),
    ("no steps", [HEADER], r"traj\.jsonl:1: no steps after the header$"),
    (
        "bad JSON step",
        [HEADER, STEP, '{"observation": }'],
        r"traj\.jsonl:3: invalid JSON: Expecting value \(column 17\)$",
    ),
    ("step not object", [HEADER, "3"], r"traj\.jsonl:2: step must be a JSON object, not number$"),
    (
        "step field",
        [HEADER, {**STEP, "actoin": "up"}],
        r'traj\.jsonl:2: unknown step field "actoin" \(expected observation, action\)$',
    ),
    ("observation missing", [HEADER, {"action": "up"}], r"traj\.jsonl:2: observation: missing$"),
    (
        "action type",
        [HEADER, {**STEP, "action": 1}],
        r"traj\.jsonl:2: action: must be a string, not number$",
    ),
    (
        "action unknown",
        [HEADER, STEP, {**STEP, "action": "jump"}],
        r'traj\.jsonl:3: action "jump" is not one of stay, up, down, left, right, interact$',
    ),
    (
        "action missing mid-file",
        [HEADER, {"observation": observation()}, STEP],
        r"traj\.jsonl:2: action: missing; only the last step may omit it$",
    ),
    (
        "observation field missing",
        [HEADER, {**STEP, "observation": {k: v for k, v in observation().items() if k != "held"}}],
        r"traj\.jsonl:2: observation: 'held' is a required property$",
    ),
    (
        "observation out of range",
        [HEADER, {**STEP, "observation": observation(agent=(9, 2))}],
        r"traj\.jsonl:2: observation\.agent\[0\]: 9 is greater than the maximum of 6$",
    ),
    (
        "observation integer with a fraction",
        [HEADER, {**STEP, "observation": {**observation(), "size": 7.0}}],
        r"traj\.jsonl:2: observation\.size: 7\.0 is not of type 'integer'$",
    ),
    (
        "observation list longer than the grid has cells",
        [HEADER, {**STEP, "observation": {**observation(), "walls": [[3, 3]] * 26}}],
        r"traj\.jsonl:2: observation\.walls: \[\[3, 3\], .* is too long$",
    ),
    (
        "observation colour",
        [HEADER, {**STEP, "observation": {**observation(), "held": "red"}}],
        r"traj\.jsonl:2: observation\.held: 'red' is not one of",
    ),
    (
        "observation nested",
        [HEADER, {**STEP, "observation": {**observation(), "blocks": [{"pos": [1, 1]}]}}],
        r"traj\.jsonl:2: observation\.blocks\[0\]: 'colour' is a required property$",
    ),
    (
        "truncated line",
        [HEADER, '{"observation": {"t": 0'],
        r"traj\.jsonl:2: invalid JSON: Expecting ',' delimiter \(column 24, where the line ends\)$",
    ),
    (
        "line truncated in a string",
        [HEADER, '{"observation": {"t": 0, "held'],
        r"traj\.jsonl:2: invalid JSON: the string from column 26 is not closed where the line "
        r"ends \(column 31\)$",
    ),
    (
        "nested too deep",
        [nested(MAX_DEPTH + 1), STEP],
        r"traj\.jsonl:1: arrays and objects nested deeper than 64 levels$",
    ),
    (
        "nested past Python's recursion limit",
        [HEADER, "[" * 100_000 + "]" * 100_000],
        r"traj\.jsonl:2: arrays and objects nested deeper than 64 levels$",
    ),
    (
        "5000-digit integer",
        [HEADER, with_t("9" * 5000)],
        r"traj\.jsonl:2: an integer of 5000 digits is beyond the 64-bit limit",
    ),
    (
        "integer just past 64 bits",
        [HEADER, with_t(str(-MAX_INT - 1))],
        rf"traj\.jsonl:2: an integer of 19 digits is beyond the 64-bit limit of ±{MAX_INT}$",
    ),
    (
        "number past floating point",
        [HEADER, with_t("1e400")],
        r"traj\.jsonl:2: a number beyond the range of 64-bit floating point$",
    ),
]


@pytest.mark.parametrize(("lines", "pattern"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_error_names_file_line_and_field(
    write_lines: Callable[..., Path], lines: list[Any], pattern: str
) -> None:
    path = write_lines(*lines)
    with pytest.raises(TrajectoryError) as caught:
        read_trajectory(path)
    message = str(caught.value)
    assert "\n" not in message
    assert caught.value.path == str(path)
    assert re.search(pattern, message.replace(str(path.parent) + "/", "")), message


def test_missing_file_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(TrajectoryError, match=r"nope\.jsonl: cannot read: No such file"):
        read_trajectory(tmp_path / "nope.jsonl")
    path = tmp_path / "latin.jsonl"
    path.write_bytes(b'{"format": "rote.trajectory/1", "env": "construction"}\n\xff\xfe\n')
    with pytest.raises(TrajectoryError, match=r"latin\.jsonl:2: not UTF-8 text \(byte 1\)$"):
        read_trajectory(path)


def test_limits_admit_what_they_name(write_lines: Callable[..., Path]) -> None:
    trajectory = read_trajectory(write_lines(nested(MAX_DEPTH), with_t(str(MAX_INT))))
    assert trajectory.steps[0].observation["t"] == MAX_INT
    trajectory = read_trajectory(write_lines({**HEADER, "meta": {"low": -MAX_INT}}, STEP))
    assert trajectory.header.meta["low"] == -MAX_INT


def test_a_line_past_the_length_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    with path.open("w") as file:
        file.write(json.dumps(HEADER) + "\n")
        file.write('{"observation": "' + "x" * MAX_LINE_BYTES + '"}\n')
    with pytest.raises(TrajectoryError, match=r"long\.jsonl:2: line longer than the limit of 4194"):
        read_trajectory(path)
    path.write_text(json.dumps(HEADER) + "\n" + json.dumps(STEP).ljust(MAX_LINE_BYTES - 1) + "\n")
    assert len(read_trajectory(path).steps) == 1  # exactly the limit, newline included


def test_a_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "excel.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + f"{json.dumps(HEADER)}\n{json.dumps(STEP)}\n".encode())
    assert read_trajectory(path).steps[0].action == "up"
    path.write_bytes(b"\xef\xbb\xbf{not json\n")
    with pytest.raises(TrajectoryError, match=r"excel\.jsonl:1: invalid JSON: .* \(column 2\)$"):
        read_trajectory(path)


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"seed": 2**64}, "an integer of 20 digits is beyond the 64-bit limit"),
        ({"score": float("inf")}, "a number beyond the range of 64-bit floating point"),
        ({"x": functools.reduce(lambda inner, _: [inner], range(MAX_DEPTH), [])}, "arrays and obj"),
        ({"x": "x" * MAX_LINE_BYTES}, "line longer than the limit"),
    ],
)
def test_the_writer_refuses_what_the_reader_would(
    tmp_path: Path, meta: dict[str, Any], message: str
) -> None:
    path = tmp_path / "w.jsonl"
    with pytest.raises(TrajectoryError, match=rf"w\.jsonl:1: {message}"):
        TrajectoryWriter(path, Header(env="construction", meta=meta))
    assert not path.exists()
    with (
        TrajectoryWriter(path, Header(env="construction")) as writer,
        pytest.raises(TrajectoryError, match=rf"w\.jsonl:2: {message}"),
    ):
        writer.write(Step({**observation(), **meta}, "up"))


def test_quoted_input_cannot_break_or_flood_the_error_line(
    write_lines: Callable[..., Path],
) -> None:
    path = write_lines({**HEADER, "line\nbreak" + "k" * 10_000: 1}, STEP)
    with pytest.raises(TrajectoryError) as caught:
        read_trajectory(path)
    message = str(caught.value)
    assert message.startswith(f'{path}:1: unknown header field "line\\nbreak')
    assert len(message.splitlines()) == 1 and len(message) <= MAX_MESSAGE_CHARS
    assert message.endswith("(expected format, env, env_kwargs, agent, meta)")
