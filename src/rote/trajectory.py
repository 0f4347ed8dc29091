"""The trajectory format `rote.trajectory/1`: JSON Lines, read and written as a stream.

Line 1 is a header naming the env; every further line is one step, an observation and the
action taken after it (the last step may omit the action: "what happens next?"). Reading
validates every line against the env's action names and observation schema, and every problem
is a `TrajectoryError` whose message names the file, the line and the field. Files come from
anyone, so reading is bounded: a line's length is checked before it is held whole, then its
nesting depth and numbers. See docs/trajectory-format.md for the full specification.
"""

from __future__ import annotations

import codecs
import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

from rote.closing import Closeable
from rote.envs import EnvSpec, Observation, make_env
from rote.errors import EnvError, RoteError
from rote.files import atomic_write, make_directory

FORMAT = "rote.trajectory/1"
MAX_LINE_BYTES = 4 * 2**20
"""The longest line, newline included: 4 MiB, far above any real step (an 8x8 MiniGrid step takes
under 1 KB), and low enough that decoding one stays under 500 MB (the worst, 1.4 million empty
objects, takes 260 MB)."""
MAX_DEPTH = 64
"""The deepest nesting of arrays and objects in a line. Observations nest about 5 deep; code that
walks a value recursively (the JSON decoder itself, at about 1000) fails far deeper."""
MAX_INT = 2**63 - 1
"""The largest integer magnitude: 64 bits, as numpy and most JSON producers hold them."""
_MAX_INT_CHARS = len(str(-MAX_INT))
_TOO_LONG = f"line longer than the limit of {MAX_LINE_BYTES} bytes"
_TOO_DEEP = f"arrays and objects nested deeper than {MAX_DEPTH} levels"
_HEADER_FIELDS = ("format", "env", "env_kwargs", "agent", "meta")
_STEP_FIELDS = ("observation", "action")


class TrajectoryError(RoteError):
    """A problem in a trajectory file, located by path and 1-based line (0 = the whole file)."""

    def __init__(self, path: str | os.PathLike[str], line: int, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Header:
    """Which env the trajectory lives in, who acted, and free-form metadata."""

    env: str
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    agent: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "env": self.env,
            "env_kwargs": self.env_kwargs,
            "agent": self.agent,
            "meta": self.meta,
        }


@dataclass(frozen=True)
class Step:
    """One observation and the action taken after it (None: not yet known)."""

    observation: Observation
    action: str | None = None

    def to_json(self) -> dict[str, Any]:
        if self.action is None:
            return {"observation": self.observation}
        return {"observation": self.observation, "action": self.action}


@dataclass
class Trajectory:
    """A whole trajectory in memory."""

    header: Header
    steps: list[Step]

    @property
    def actions(self) -> list[str | None]:
        return [step.action for step in self.steps]


def _type_name(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number"
    )


def _int_error(digits: int) -> str:
    return f"an integer of {digits} digits is beyond the 64-bit limit of ±{MAX_INT}"


def _parse_int(text: str) -> int:
    # The decoder calls this before converting: a 5000-digit integer is refused by its length,
    # never converted (Python refuses over 4300 digits with its own message, and is slow below).
    if len(text) > _MAX_INT_CHARS:
        raise ValueError(_int_error(len(text.lstrip("-"))))
    return int(text)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON: {name} is not allowed")


def _limit_error(value: Any) -> str | None:
    """What in a JSON-like value is beyond rote's limits (MAX_DEPTH, MAX_INT, a non-finite
    number), or None. Iterative, so it measures a value of any depth without recursing."""
    stack: list[tuple[Any, int]] = [((value,), -1)]  # the value itself is a child at depth 0
    while stack:
        container, depth = stack.pop()
        for child in container.values() if isinstance(container, dict) else container:
            if isinstance(child, (dict, list, tuple)):
                if depth + 1 == MAX_DEPTH:
                    return _TOO_DEEP
                stack.append((child, depth + 1))
            elif type(child) is int and not -MAX_INT <= child <= MAX_INT:
                return _int_error(len(str(abs(child))))
            elif type(child) is float and not math.isfinite(child):
                return "a number beyond the range of 64-bit floating point"
    return None


def parse_json(text: str) -> Any:
    """Decode one JSON value within rote's limits, or raise ValueError with a one-line reason.

    NaN and Infinity are refused (they are not JSON); a syntax error names its column in `text`,
    which is one line without its line break."""
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
    except json.JSONDecodeError as error:
        if error.msg.startswith("Unterminated string"):  # json names where the string began
            raise ValueError(
                f"invalid JSON: the string from column {error.pos + 1} is not closed where "
                f"the line ends (column {len(text) + 1})"
            ) from None
        ends = ", where the line ends" if error.pos >= len(text) else ""
        raise ValueError(f"invalid JSON: {error.msg} (column {error.pos + 1}{ends})") from None
    except RecursionError:  # nested past Python's recursion limit, far beyond MAX_DEPTH
        raise ValueError(_TOO_DEEP) from None
    problem = _limit_error(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _parse_line(text: str, path: str, line: int) -> Any:
    try:
        return parse_json(text)
    except ValueError as error:
        raise TrajectoryError(path, line, str(error)) from None


def parse_header(value: Any, path: str, line: int = 1) -> tuple[Header, EnvSpec]:
    """Validate a decoded header line and build its env spec."""
    if not isinstance(value, dict):
        raise TrajectoryError(path, line, f"header must be a JSON object, not {_type_name(value)}")
    for key in value:
        if key not in _HEADER_FIELDS:
            raise TrajectoryError(
                path, line, f'unknown header field "{key}" (expected {", ".join(_HEADER_FIELDS)})'
            )
    if "format" not in value:
        raise TrajectoryError(path, line, f'format: missing; expected "{FORMAT}"')
    if value["format"] != FORMAT:
        raise TrajectoryError(
            path,
            line,
            f'format: {json.dumps(value["format"])} is not supported; expected "{FORMAT}"',
        )
    if not isinstance(value.get("env"), str):
        found = (
            "missing" if "env" not in value else f"must be a string, not {_type_name(value['env'])}"
        )
        raise TrajectoryError(path, line, f"env: {found}")
    for key, kind in (("env_kwargs", dict), ("meta", dict), ("agent", str)):
        if key in value and not isinstance(value[key], kind):
            expected = "an object" if kind is dict else "a string"
            raise TrajectoryError(
                path, line, f"{key}: must be {expected}, not {_type_name(value[key])}"
            )
    header = Header(
        env=value["env"],
        env_kwargs=value.get("env_kwargs", {}),
        agent=value.get("agent", ""),
        meta=value.get("meta", {}),
    )
    try:
        spec = make_env(header.env, **header.env_kwargs)
    except EnvError as error:
        raise TrajectoryError(path, line, str(error)) from None
    return header, spec


def parse_step(value: Any, spec: EnvSpec, path: str, line: int) -> Step:
    """Validate a decoded step line against the env spec."""
    if not isinstance(value, dict):
        raise TrajectoryError(path, line, f"step must be a JSON object, not {_type_name(value)}")
    for key in value:
        if key not in _STEP_FIELDS:
            raise TrajectoryError(
                path, line, f'unknown step field "{key}" (expected {", ".join(_STEP_FIELDS)})'
            )
    if "observation" not in value:
        raise TrajectoryError(path, line, "observation: missing")
    observation = value["observation"]
    problems = spec.observation_errors(observation)
    if problems:
        where, message = problems[0]
        raise TrajectoryError(path, line, f"{where}: {message}")
    action = value.get("action")
    if "action" in value:
        if not isinstance(action, str):
            raise TrajectoryError(path, line, f"action: must be a string, not {_type_name(action)}")
        if action not in spec.action_names:
            raise TrajectoryError(
                path,
                line,
                f"action {json.dumps(action)} is not one of {', '.join(spec.action_names)}",
            )
    return Step(observation=observation, action=action)


class _OpenFile(Closeable):
    """An open trajectory file."""

    _file: IO[Any]

    def close(self) -> None:
        self._file.close()


class TrajectoryReader(_OpenFile):
    """Stream the steps of a trajectory file, validating each line as it is read.

    The header is read and validated on opening; `spec` is the env spec it names. Iterating
    yields steps; a step without an action that is not the last raises TrajectoryError.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = str(path)
        try:
            self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as error:
            raise TrajectoryError(path, 0, f"cannot read: {error.strerror}") from None
        self._lines = self._numbered_lines()
        try:
            first = next(self._lines, None)
            if first is None:
                raise TrajectoryError(self.path, 1, f"empty file; expected a {FORMAT} header")
            line, text = first
            self.header, self.spec = parse_header(_parse_line(text, self.path, line), self.path)
        except BaseException:
            self.close()
            raise

    def _numbered_lines(self) -> Iterator[tuple[int, str]]:
        """Non-blank lines without their line breaks, and their 1-based numbers, decoded one by
        one so errors point exactly. A line is read at most MAX_LINE_BYTES + 1 bytes at a time,
        so an endless line is refused without being held; a UTF-8 byte order mark (Windows and
        Excel write one) is skipped."""
        number = 0
        while raw := self._file.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES:
                raise TrajectoryError(self.path, number, _TOO_LONG)
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                text = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as error:
                raise TrajectoryError(
                    self.path, number, f"not UTF-8 text (byte {error.start + 1})"
                ) from None
            if text.strip():
                yield number, text

    def __iter__(self) -> Iterator[Step]:
        pending: tuple[int, Step] | None = None
        for line, text in self._lines:
            if pending is not None and pending[1].action is None:
                raise TrajectoryError(
                    self.path, pending[0], "action: missing; only the last step may omit it"
                )
            step = parse_step(_parse_line(text, self.path, line), self.spec, self.path, line)
            if pending is not None:
                yield pending[1]
            pending = (line, step)
        if pending is None:
            raise TrajectoryError(self.path, 1, "no steps after the header")
        yield pending[1]


def read_trajectory(path: str | os.PathLike[str]) -> Trajectory:
    """Read and validate a whole trajectory file."""
    with TrajectoryReader(path) as reader:
        return Trajectory(reader.header, list(reader))


class TrajectoryWriter(_OpenFile):
    """Write a trajectory line by line, flushing each, so a killed recorder loses nothing.

    Steps are validated against the header's env spec as they are written, so a writer never
    produces a file the reader would reject.
    """

    def __init__(self, path: str | os.PathLike[str], header: Header) -> None:
        self.path = str(path)
        _, self.spec = parse_header(header.to_json(), self.path)
        first = self._encode(header.to_json(), 1)
        self._file = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by close()
        self._lines_written = 0
        self._last_action_missing = False
        self._write_line(first)

    def write(self, step: Step) -> None:
        if self._last_action_missing:
            raise TrajectoryError(
                self.path, self._lines_written, "action: missing; only the last step may omit it"
            )
        value = step.to_json()
        text = self._encode(value, self._lines_written + 1)
        parse_step(value, self.spec, self.path, self._lines_written + 1)
        self._last_action_missing = step.action is None
        self._write_line(text)

    def _encode(self, value: dict[str, Any], line: int) -> str:
        """The line as written, refused as the reader would refuse it: beyond the limits."""
        problem = _limit_error(value)
        if problem is None:
            text = json.dumps(value, ensure_ascii=False) + "\n"
            if len(text.encode("utf-8")) <= MAX_LINE_BYTES:
                return text
            problem = _TOO_LONG
        raise TrajectoryError(self.path, line, problem)

    def _write_line(self, text: str) -> None:
        self._file.write(text)
        self._file.flush()
        self._lines_written += 1


def write_trajectory(path: str | os.PathLike[str], trajectory: Trajectory) -> None:
    """Write a whole trajectory atomically: readers see the old file or the complete new one."""
    target = Path(path)
    make_directory(target.parent)
    try:
        with atomic_write(target) as tmp, TrajectoryWriter(tmp, trajectory.header) as writer:
            for step in trajectory.steps:
                writer.write(step)
    except TrajectoryError as error:
        raise TrajectoryError(target, error.line, error.message) from None


def read_existing(path: Path) -> Trajectory | None:
    """The trajectory a file holds, or None when there is no file or no valid trajectory in it
    (a run killed mid-write): what resumable writers check before redoing a file."""
    if not path.exists():
        return None
    try:
        return read_trajectory(path)
    except TrajectoryError:
        return None


class WriteReport(NamedTuple):
    """Files a resumable writer wrote, and files it found already complete and kept."""

    written: list[Path]
    kept: list[Path]
