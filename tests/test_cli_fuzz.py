"""Fuzzed `rote` command lines (issue 18): whatever a user types ends with exit code 0, or with
exit code 2 and one line on stderr; never a traceback.

The command lines come from `build_parser()` itself: every subcommand, every flag with its
choices, nargs and type, and the global --plugin, so a new flag is fuzzed without a change here.
A value is drawn by what the parser says the flag takes (a choice, a number, a JSON object) and,
for strings, by its dest (--out gets directories, --trajectory trajectory files, an unknown one
anything): good values, boundary and invalid ones, random text, and paths to files written here,
with fixed and with random contents.

main() runs in this process: a subprocess costs a second to start, and 500 would take ten
minutes. An exception escaping main() is exactly what would print a traceback; output is
captured as a terminal would take it (stdout strict UTF-8, stderr backslash-escaped, warnings and
log records shown, and worker processes' file descriptors), and the state a plugin leaves in the
process is undone after each example, as a fresh process would have it.

How long runs are bounded. A fully valid command does real work: inference, generation, a bench
with its process pool. A timer that interrupts a slow example and counts it as fine would be
unsound: what the command would have done after the deadline (write results, print the report)
goes unchecked, a slower machine checks less (so a derandomized run is no longer reproducible),
and an exception raised at an arbitrary point can leave a process pool waiting for its workers.
So the strategies keep every run small instead:
- a number the parser accepts is small (at most SMALL); larger ones are drawn only where the
  parser refuses them (its bound + 1, 10**30), and a flag whose type has an upper bound is a size
  of work (--steps, --budget, --particles), always given so that its default never runs;
- ALWAYS_GIVEN names the defaults that start long work the types cannot show: a bench runs only
  the reference methods on the quick suite, and the Overcooked export reads only files written
  here, never the installed dataset;
- an LLM is a stub server that refuses every request at once (ROTE_LLM_BASE_URL), never the
  embedded model nor an unreachable server retried with backoff.
A watchdog (SIGALRM) fails an example that runs over WATCHDOG_SECONDS, so a hang fails with its
command line instead of stalling CI.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import logging
import os
import pickle
import shlex
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path
from types import FrameType
from typing import Any

import gymnasium
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import rote.envs.registry
import rote.plugins
import rote.skills
from rote.agents import agent_source
from rote.cli import build_parser, main
from rote.envs import agent_names, make_env, registered_envs
from rote.evaluation.suites import REFERENCES, suite_builders
from rote.library import Library, LibraryProgram, save_library
from tests.conftest import HEADER, observation

SMALL = 3
"""The largest number the parser accepts that a command line gets: sizes of work stay tiny."""
WATCHDOG_SECONDS = 60
ALWAYS_GIVEN: dict[tuple[str, ...], dict[str, st.SearchStrategy[str] | None]] = {
    ("bench",): {
        "--quick": None,
        "--suite": st.sampled_from(
            [*(name for name in suite_builders() if name != "overcooked-human"), "nope", "conveyor"]
        ),
        "--methods": st.sampled_from([*REFERENCES, "nope", ",", "rote@0", "rote@x", "uniform,x"]),
        "--episodes": st.sampled_from(["1", "2", "0", "x"]),
    },
}
"""Per subcommand, flags whose default starts long work, with the values they get instead (None:
a flag without a value): a bench of the reference methods on a quick suite takes a few seconds,
of rote, bc or bip minutes, and the overcooked-human suite reads the installed dataset (45 s)."""
SLOW_CHOICES = {"ray"}
"""Choices never given: `--executor ray` starts a Ray cluster (15 s) per example;
tests/evaluation/test_executors.py runs it."""
PATH_DESTS = {("data", "overcooked"): "path"}
"""Flags always given a path written here, since without one the command reads installed data."""


class Hung(BaseException):
    """Raised by the watchdog: not an Exception, so that no `except Exception` in rote eats it."""


def _leaves(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every runnable subcommand, as its words and its parser."""
    subcommands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subcommands and path:
        yield path, parser
    for action in subcommands:
        for name, sub in action.choices.items():
            yield from _leaves(sub, (*path, name))


PARSER = build_parser()
COMMANDS = sorted(_leaves(PARSER))
WEIGHTED_COMMANDS = [command for command in COMMANDS for _ in command[1]._actions]
"""Each subcommand once per flag it takes."""
GLOBAL_OPTIONS = [
    a for a in PARSER._actions if not isinstance(a, argparse._SubParsersAction) and a.option_strings
]


@functools.cache
def _parses(action: argparse.Action, text: str) -> tuple[bool, Any]:
    """Whether the flag's type accepts `text`, and what it makes of it."""
    if action.type is None:
        return True, text
    try:
        return True, action.type(text)  # type: ignore[operator]
    except (argparse.ArgumentTypeError, TypeError, ValueError):
        return False, None


INTS = ["-2", "-1", "0", "1", "2", "3", "4", "", "x", "1.5", "1e3", "0x10", " 2", "+1", "-0"]
INTS += ["\u0663", "1_0", "nan", str(10**30), "9" * 5000]
FLOATS = ["0", "0.5", "1", "1.5", "-1", "nan", "inf", "-inf", "1e400", "1e-400", "x", "", "2"]
"""The first three are good for any float flag so far (--noise, --llm-temperature)."""
JSONS = [
    "{}",
    '{"size": 5}',
    '{"size": 32}',
    '{"rounds": 3}',
    "{",
    "[]",
    "null",
    '{"size": 2}',
    '{"size": 1e400}',
    '{"size": NaN}',
    "[" * 100_000,
    '{"size": ' + "9" * 5000 + "}",
    '{"size": "7"}',
    '{"self": 1}',
]
"""The first four are env kwargs that work for some env, the rest JSON fragments that do not."""


@functools.cache
def _upper_bound(action: argparse.Action) -> int | None:
    """The largest whole number the flag's type accepts, if it has a bound below 10**30."""
    if _parses(action, str(10**30))[0]:
        return None
    low, high = SMALL, 10**30  # accepted, refused
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if _parses(action, str(middle))[0] else (low, middle)
    return low


@functools.cache
def _kind(action: argparse.Action) -> str:
    """What the flag's type makes of a value: "int", "float", "json" or "text"."""
    for probe, kind in (("1", int), ("{}", dict)):
        accepted, value = _parses(action, probe)
        if accepted and type(value) is kind:
            return {int: "int", dict: "json"}[kind]
        if accepted and type(value) is float:
            return "float"
    return "text"


@functools.cache
def _numbers(action: argparse.Action) -> tuple[list[str], list[str]]:
    """The small numbers the flag accepts, and those it refuses (its bound + 1 among them):
    sizes of work never grow large."""
    bound = _upper_bound(action)
    accepted, refused = [], []
    for text in [*INTS, *([str(bound + 1)] if bound is not None else [])]:
        ok, value = _parses(action, text)
        if not ok:
            refused.append(text)
        elif abs(value) <= SMALL:
            accepted.append(text)
    return accepted, refused


def is_bounded_size(action: argparse.Action) -> bool:
    return _kind(action) == "int" and _parses(action, "1")[0] and _upper_bound(action) is not None


# -- files -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """What command lines point at, by kind: values that work and values that do not."""

    tmp: Path
    valid_bytes: list[bytes]
    good: dict[str, list[str]]
    bad: dict[str, list[str]]

    def __repr__(self) -> str:  # in Hypothesis's report of a failing example
        return f"World({self.tmp})"


def _run_quietly(argv: list[str]) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(argv) == 0, argv


def _write(path: Path, data: str | bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data)
    else:
        path.write_bytes(data)
    return str(path)


def _trajectory_variants(tmp: Path, valid: Path) -> list[str]:
    """Damaged and odd trajectory files, and paths that are no file at all."""
    data = valid.read_bytes()
    lines = data.splitlines(keepends=True)
    step = json.dumps({"observation": observation(), "action": "up"})
    no_action = json.dumps({"observation": observation()})
    variants: dict[str, bytes] = {
        "truncated": data[: len(data) // 2],
        "garbled": bytes(b ^ 0x20 if i % 97 == 5 else b for i, b in enumerate(data)),
        "bom": b"\xef\xbb\xbf" + data,
        "crlf": data.replace(b"\n", b"\r\n"),
        "empty": b"",
        "blank": b" \n\n",
        "binary": bytes(range(256)) * 4,
        "latin1": "caf\xe9\n".encode("latin-1"),
        "deep": json.dumps(HEADER).encode() + b"\n" + b"[" * 50_000 + b"]" * 50_000 + b"\n",
        "header-only": lines[0],
        "array-header": b"[1, 2]\n" + b"".join(lines[1:]),
        "other-env": data.replace(b'"construction"', b'"repeated-game"', 1),
        "unknown-env": data.replace(b'"construction"', b'"nope"', 1),
        "no-action-midway": "\n".join([json.dumps(HEADER), no_action, step, ""]).encode(),
        "huge-int": data.replace(b'"t": 1', b'"t": ' + b"9" * 400, 1),
        "nan": data.replace(b'"t": 1', b'"t": NaN', 1),
        "surrogate": data.replace(b'"up"', b'"\\ud800"'),
        "meta-swap": data.replace(b'"meta": {', b'"meta": {"swap_at": "x", ', 1),
    }
    paths = [_write(tmp / "variants" / f"{name}.jsonl", raw) for name, raw in variants.items()]
    (tmp / "variants" / "a-directory.jsonl").mkdir()
    loop = tmp / "variants" / "loop.jsonl"
    loop.symlink_to(loop)
    return [*paths, str(tmp / "variants" / "a-directory.jsonl"), str(loop), "/dev/null", "/nope"]


PLUGINS = {
    "quiet.py": "x = 1\n",
    "syntax.py": "def (:\n",
    "raises.py": "raise RuntimeError('plugin says no')\n",
    "exits.py": "import sys\nsys.exit(3)\n",
    "imports.py": "import no_such_module_here\n",
    "empty.py": "",
}


def _libraries(root: Path) -> list[str]:
    """Program libraries: a good one of Construction, then one of another env, one with a
    damaged index and one whose program file is gone."""
    paths = []
    for name, env in (("good", "construction"), ("game", "repeated-game"), ("damaged", ""),
                      ("gone", "")):  # fmt: skip
        spec = make_env(env or "construction")
        source = agent_source(spec.id, agent_names(spec.id)[0])
        library = Library(spec.id, (LibraryProgram(source, 1.0),), dict(spec.kwargs))
        save_library(library, root / name)
        paths.append(str(root / name))
    (root / "damaged" / "index.json").write_text('{"format": "rote.library/1", "programs": 3}')
    for program in (root / "gone" / "programs").glob("*.py"):
        program.unlink()
    return paths


def _make_world(tmp: Path, stub_url: str) -> World:
    generated = tmp / "generated"
    for out, flags in [
        ("long", "--agent snake --steps 8 --swap-at 4"),  # swap_at in the header's meta
        ("short", "--agent left-right --steps 2"),
        ("game", "--env repeated-game --agent tit-for-tat --steps 4"),
    ]:
        _run_quietly(["generate", *flags.split(), "--episodes", "1", "--out", str(generated / out)])
    valid = sorted(generated.rglob("*.jsonl"))
    existing = _write(tmp / "existing.txt", "I am a file\n")
    programs = tmp / "programs"
    _write(programs / "good" / "left_right.py", agent_source("construction", "left-right"))
    bad = {
        "raises.py": "class Agent:\n    def act(self, observation):\n        raise ValueError(1)\n",
        "wrong.py": "class Agent:\n    def act(self, observation):\n        return 'fly'\n",
        "syntax.py": "class Agent(:\n",
        "empty.py": "",
        "binary.py": b"\xff\xfe\x00" * 100,
    }
    for name, text in bad.items():
        _write(programs / "bad" / name, text)
    libraries = _libraries(tmp / "libraries")
    configs = {
        "fast.toml": "timeout = 2\nretries = 0\n",
        "bad.toml": "this is = = not toml\n",
        "types.toml": 'temperature = "hot"\nretries = -1\n',
        "key.toml": 'api_key = "sk-123"\n',
        "unknown.toml": "colour = 1\n",
        "binary.toml": b"\xff\xfe\x00garbage",
        "empty.toml": "",
    }
    columns = ("state", "joint_action", "layout", "layout_name", "workerid_num", "cur_gameloop")
    frame = pd.DataFrame({column: ["x"] for column in columns})  # values that do not parse
    data_files = {
        "frame.pickle": pickle.dumps(frame),
        "list.pickle": pickle.dumps([1, 2]),
        "no-columns.pickle": pickle.dumps(pd.DataFrame({"a": [1]})),
        "garbage.pickle": b"\x80\x04garbage",
        "dir/clean_test_trials.pickle": pickle.dumps(frame),
    }
    names = [*registered_envs(), "minigrid:MiniGrid-Empty-5x5-v0"]
    names += [*agent_names("construction"), *agent_names("repeated-game"), *suite_builders()]
    plugins = [_write(tmp / "plugins" / name, text) for name, text in PLUGINS.items()]
    return World(
        tmp=tmp,
        valid_bytes=[path.read_bytes() for path in valid],
        good={
            "trajectory": [str(path) for path in valid],
            "out": [str(tmp / "out" / "new"), str(tmp / "out" / "new" / "deeper"), "out"],
            "programs": [str(programs / "good"), str(programs / "good" / "left_right.py")],
            "plugin": [plugins[0], str(Path(__file__).parents[1] / "docs/examples/conveyor.py")],
            "llm_config": [
                _write(tmp / "configs" / name, configs.pop(name))
                for name in ("fast.toml", "empty.toml")
            ],
            "cache": [str(tmp / "cache" / "llm.sqlite")],
            "path": [],
            "llm_base_url": [stub_url],
            "name": names,
            "library": libraries[:1],
        },
        bad={
            "trajectory": [
                *_trajectory_variants(tmp, generated / "long" / "snake-000.jsonl"),
                existing,
            ],
            "out": [existing, f"{existing}/below", "/proc/nope", "/dev/null", "", str(programs)],
            "programs": [
                str(programs / "bad"),
                *(str(p) for p in sorted(programs.rglob("*.py"))),
                str(valid[0]),
                existing,
                "/nope",
            ],
            "plugin": [
                *plugins[1:],
                str(tmp / "plugins" / "missing.py"),
                "no_such_module",
                existing,
            ],
            "llm_config": [
                *(_write(tmp / "configs" / name, text) for name, text in configs.items()),
                str(tmp / "configs"),
                "/nope.toml",
            ],
            "cache": [existing, str(programs), "/proc/nope/c.sqlite", str(valid[0])],
            "path": [
                *(_write(tmp / "data" / name, raw) for name, raw in data_files.items()),
                str(tmp / "data" / "dir"),
                str(tmp / "data"),
                existing,
                "/nope",
            ],
            "llm_base_url": [
                "not a url",
                "ftp://127.0.0.1/v1",
                "http://[::1",
                "http://x:99999/v1",
                "",
            ],
            "name": ["nope", "", "minigrid:Nope-v0", "CONSTRUCTION", "all"],
            "library": [*libraries[1:], existing, str(programs), "/nope"],
        },
    )


class _Refuse(BaseHTTPRequestHandler):
    """An OpenAI-compatible server that refuses every request at once (no retry follows)."""

    def do_POST(self) -> None:
        body = b'{"error": {"message": "no model here"}}'
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the base writes to sys.stderr, which is the command's captured stderr."""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    tmp = tmp_path_factory.mktemp("fuzz")
    with pytest.MonkeyPatch.context() as patch:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        patch.setenv("ROTE_LLM_BASE_URL", url)
        patch.setenv("ROTE_LLM_MODEL", "stub")  # as a user with a server set up has it
        patch.setenv("XDG_CACHE_HOME", str(tmp / "xdg-cache"))
        for variable in ("ROTE_LLM_CONFIG", "ROTE_LLM_API_KEY"):
            patch.delenv(variable, raising=False)
        patch.chdir(tmp)  # `demo` writes demo-out/ here when not told where
        yield _make_world(tmp, url)
    server.shutdown()
    server.server_close()


# -- strategies --------------------------------------------------------------------------------

TEXT = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=20),
    # what a shell passes for bytes that are not UTF-8: lone surrogates, as os.fsdecode makes them
    st.binary(max_size=12).filter(lambda raw: b"\x00" not in raw).map(os.fsdecode),
)
"""Random text that could be an argument: anything but NUL, which no command line can hold."""


def _json_values() -> st.SearchStrategy[str]:
    leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8))
    value = st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.sampled_from(["size", "rounds", "x", "self"]), inner, max_size=3)
        ),
        max_leaves=8,
    )
    return value.map(json.dumps)


_FRESH = count()
"""Numbers the files written for examples."""


def _fresh_file(world: World) -> st.SearchStrategy[str]:
    """A file written for this example: random bytes, or a valid trajectory cut, patched or
    extended with a random line."""

    @st.composite
    def draw_file(draw: st.DrawFn) -> str:
        data = draw(st.sampled_from(world.valid_bytes))
        where = draw(st.integers(0, len(data)))
        line = draw(_json_values()).encode("utf-8", "surrogatepass")
        contents = draw(
            st.sampled_from(
                [
                    data[:where],
                    data[:where] + draw(st.binary(max_size=8)) + data[where:],
                    data[:where] + b"\n" + line + b"\n" + data[where:],
                    data + line + b"\n",
                    draw(st.binary(max_size=200)),
                ]
            )
        )
        return _write(world.tmp / "fresh" / f"{next(_FRESH)}.jsonl", contents)

    return draw_file()


def _one_in(n: int) -> st.SearchStrategy[bool]:
    """True about once in `n` draws. Hypothesis favours small integers and shrinks towards
    them, so the rare case is the largest: shrinking leaves it out."""
    return st.integers(1, n).map(lambda roll: roll == n)


def _mostly(
    good: st.SearchStrategy[str], odd: st.SearchStrategy[str], n: int = 4
) -> st.SearchStrategy[str]:
    """`odd` about once in `n` draws, else `good`."""
    return _one_in(n).flatmap(lambda rare: odd if rare else good)


POOLS = {
    "file": "trajectory",
    "files": "trajectory",
    "plugin_after": "plugin",
    "env": "name",
    "suite": "name",
    "agent": "name",
}
"""The pool of each flag's dest that is not itself a pool's name."""


def _strings(world: World, dest: str) -> tuple[list[str], st.SearchStrategy[str]]:
    """Values of a flag that takes a string, by its dest, that work and that do not; an
    unknown dest gets any of them as bad ones."""
    pool = POOLS.get(dest, dest)
    fresh = _fresh_file(world)
    if pool not in world.good:
        anything = [
            value for values in (*world.good.values(), *world.bad.values()) for value in values
        ]
        return [], st.sampled_from(anything) | fresh | TEXT
    bad = st.sampled_from(world.bad[pool]) | TEXT
    return world.good[pool], bad | fresh if pool == "trajectory" else bad


def _values(world: World, action: argparse.Action, odds: int) -> st.SearchStrategy[str]:
    """One value for the flag, from its choices or by its type: a bad one once in `odds`
    (0: never, 1: always)."""
    kind = _kind(action)
    good: list[str]
    if action.choices is not None:
        good = [str(choice) for choice in action.choices if str(choice) not in SLOW_CHOICES]
        bad = TEXT
    elif kind == "int":
        good, refused = _numbers(action)
        bad = st.sampled_from(refused) | TEXT
    elif kind == "float":
        good, bad = FLOATS[:3], st.sampled_from(FLOATS[3:]) | TEXT
    elif kind == "json":
        good, bad = JSONS[:4], st.sampled_from(JSONS[4:]) | _json_values() | TEXT
    else:
        good, bad = _strings(world, action.dest)
    if not good or odds == 1:
        return bad
    return _mostly(st.sampled_from(good), bad, odds) if odds else st.sampled_from(good)


def _arity(action: argparse.Action) -> st.SearchStrategy[int]:
    nargs = action.nargs
    if isinstance(nargs, int):
        return st.just(nargs)
    return {None: st.just(1), "?": st.integers(0, 1), "*": st.integers(0, 3)}.get(
        nargs, st.integers(1, 3)
    )


@st.composite
def _given(draw: st.DrawFn, world: World, action: argparse.Action, odds: int) -> list[str]:
    """The flag (or positional) with its values, as one group of words; a value is bad once in
    `odds` (0: never)."""
    values = [draw(_values(world, action, odds)) for _ in range(draw(_arity(action)))]
    if not action.option_strings:
        return values
    flag = draw(st.sampled_from(action.option_strings))
    if len(values) == 1 and draw(_one_in(5)):
        return [f"{flag}={values[0]}"]
    return [flag, *values]


@st.composite
def command_lines(draw: st.DrawFn, world: World) -> tuple[tuple[str, ...], list[str]]:
    """The words of a subcommand, and a command line: the subcommand with some of its flags in
    random order. A third are `wild`: values are often bad, and now and then -h, a missing value
    or a stray word comes in; the others have good values but for at most one flag, to reach the
    checks that come after argument parsing (and the work, kept small). A subcommand with more
    flags is drawn more often."""
    words, parser = draw(st.sampled_from(WEIGHTED_COMMANDS))
    mode = draw(st.sampled_from(["one bad", "all good", "wild"]))
    wild = mode == "wild"
    always = ALWAYS_GIVEN.get(words, {})
    groups: list[list[str]] = []
    bounding: list[list[str]] = []  # what keeps the run short: never left out
    chosen: list[argparse.Action] = []
    for action in parser._actions:
        flag = action.option_strings[-1] if action.option_strings else None
        if isinstance(action, argparse._HelpAction):
            if wild and draw(_one_in(30)):
                groups.append([draw(st.sampled_from(action.option_strings))])
        elif flag in always:
            value = always[flag]
            bounding.append([flag] if value is None else [flag, draw(value)])
        elif PATH_DESTS.get(words) == action.dest:
            assert flag is not None
            bounding.append([flag, draw(st.sampled_from(world.bad["path"]))])
        elif action.required or is_bounded_size(action) or draw(_one_in(4)):
            chosen.append(action)
    bad = draw(st.sampled_from(chosen)) if mode == "one bad" and chosen else None
    for action in chosen:
        groups.append(draw(_given(world, action, 1 if action is bad else 3 if wild else 0)))
    if wild and draw(_one_in(8)):  # a required flag or a value left out
        groups = [group[:-1] for group in groups] if draw(st.booleans()) else groups[1:]
    if wild and draw(_one_in(15)):
        groups.append([draw(st.sampled_from(["--nope", "extra", "-", "--"]))])
    groups += bounding
    groups = draw(st.permutations(groups))
    before: list[list[str]] = []
    for action in GLOBAL_OPTIONS:
        if action.nargs == 0:  # -h and --version: they end the command before it starts
            if wild and draw(_one_in(40)):
                before.append([draw(st.sampled_from(action.option_strings))])
        elif draw(_one_in(8)):
            before.append(draw(_given(world, action, 3 if wild else 0)))
    return words, [word for group in [*before, [*words], *groups] for word in group]


# -- running -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    code: object
    stdout: str
    stderr: str


@contextlib.contextmanager
def _as_a_fresh_process() -> Iterator[None]:
    """Undo what plugins register (envs, gym ids, sandbox skills, modules), so that each
    example starts as a new `rote` process would."""
    envs = dict(rote.envs.registry._REGISTRY)
    loaded = list(rote.plugins._LOADED)
    skills = list(rote.skills._ALLOWED)
    gym_ids = dict(gymnasium.registry)
    modules = set(sys.modules)
    try:
        yield
    finally:
        rote.envs.registry._REGISTRY.clear()
        rote.envs.registry._REGISTRY.update(envs)
        rote.plugins._LOADED[:] = loaded
        rote.skills._ALLOWED[:] = skills
        gymnasium.registry.clear()
        gymnasium.registry.update(gym_ids)
        for name in set(sys.modules) - modules:
            if name.startswith("rote_plugin_"):
                del sys.modules[name]


def _watchdog(signum: int, frame: FrameType | None) -> None:
    raise Hung


def run_in_process(argv: list[str], capfd: pytest.CaptureFixture[str]) -> Outcome:
    """main(argv) with output as a terminal would show it, and its exit code."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(
        io.BytesIO(), encoding="utf-8", errors="backslashreplace", write_through=True
    )
    log = logging.StreamHandler(err)  # what Python's last-resort handler prints without pytest
    log.setLevel(logging.WARNING)
    previous = signal.signal(signal.SIGALRM, _watchdog)
    signal.alarm(WATCHDOG_SECONDS)
    try:
        with (
            _as_a_fresh_process(),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            warnings.catch_warnings(record=True) as caught,
        ):
            warnings.simplefilter("default")  # Python's own filters, as in a fresh process
            for category in (
                DeprecationWarning,
                PendingDeprecationWarning,
                ImportWarning,
                ResourceWarning,
            ):
                warnings.simplefilter("ignore", category)
            logging.getLogger().addHandler(log)
            try:
                code: object = main(argv)
            except SystemExit as exit_:
                code = 0 if exit_.code is None else exit_.code
            finally:
                logging.getLogger().removeHandler(log)
    except Hung:
        pytest.fail(f"ran over {WATCHDOG_SECONDS} s: rote {shlex.join(argv)}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    shown = "".join(
        warnings.formatwarning(w.message, w.category, w.filename, w.lineno) for w in caught
    )
    workers = capfd.readouterr()  # worker processes write to the file descriptors
    return Outcome(
        code,
        out.buffer.getvalue().decode() + workers.out,  # type: ignore[attr-defined]
        err.buffer.getvalue().decode() + shown + workers.err,  # type: ignore[attr-defined]
    )


def check(command: tuple[str, ...], outcome: Outcome) -> None:
    """The promise: exit 0, or exit 2 with one line on stderr (`validate` says one line per
    file it rejects); never a traceback."""
    assert "Traceback" not in outcome.stderr, outcome.stderr
    assert outcome.code in (0, 2), (outcome.code, outcome.stderr)
    if outcome.code == 2:
        lines = outcome.stderr.splitlines()
        assert lines, "exit 2 without a word on stderr"
        if command == ("validate",) and all(line.startswith("error: ") for line in lines):
            return
        assert len(lines) == 1, outcome.stderr


@settings(
    max_examples=500,
    deadline=None,
    derandomize=True,  # CI runs the same 500 command lines every time
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        # capfd is read and emptied by every example
        HealthCheck.function_scoped_fixture,
    ],
)
@given(data=st.data())
def test_no_command_line_ends_in_a_traceback_or_an_odd_exit_code(
    world: World, capfd: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    command, argv = data.draw(command_lines(world), label="command line")
    note(f"rote {shlex.join(argv)}")
    check(command, run_in_process(argv, capfd))
