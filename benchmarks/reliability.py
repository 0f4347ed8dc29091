"""Reliability figures: hostile programs contained, fuzzed inputs without tracebacks or hangs,
LLM faults handled, bench kills survived.

    python -m benchmarks.reliability [--seed 15] [--files 240] [--invocations 200] [--jobs 2]
                                     [--out FILE]

Run from the repository root, with `-m` (`make reliability` does): the hostile corpus, the OS-layer
attacks, the scripted LLM server and the bench-kill harness live with the tests, in tests/, and
are imported from there. Every figure comes from a fixed seed; the whole run takes 10-15 minutes
on two cores. Writes JSON (benchmarks/results/reliability.json by default) and prints one line
per figure. Every CLI run is a subprocess with a timeout: a run that outlives it is a hang.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rote
from rote.agents import agent_source
from rote.files import atomic_write
from rote.programs import Sandbox
from rote.programs.confinement import detect
from tests.evaluation.kills import kill_and_resume
from tests.programs import attacks, hostile
from tests.proposers.llm.fake_server import (
    Delay,
    FakeLLMServer,
    Gzip,
    Malformed,
    Raw,
    Reply,
    Response,
    Status,
    Trickle,
    gzip_bomb,
)

ROTE = [sys.executable, "-m", "rote.cli"]
ENVIRONMENT = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(
        [str(Path(rote.__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]
    ),
}
"""The CLI runs are of the rote this benchmark imported, whatever their working directory."""
TRACEBACK = "Traceback (most recent call last)"
SECONDS = {"predict": 120.0, "bench": 180.0, "demo": 120.0, "doctor": 60.0}
"""Timeouts per subcommand, beyond which a run counts as a hang; others get DEFAULT_SECONDS."""
DEFAULT_SECONDS = 60.0
BUDGET = ["--budget", "200", "--particles", "5"]
"""Small budgets for `rote predict` of each fuzzed trajectory file."""


# -- running the CLI -------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    argv: list[str]
    code: int | None
    """Exit code (negative: killed by that signal); None for a hang, killed at the timeout."""
    stderr: str
    max_rss_kb: int
    """Peak resident memory of the run and of the processes it waited for."""

    @property
    def traceback(self) -> bool:
        return TRACEBACK in self.stderr

    @property
    def multi_line(self) -> bool:
        """A failure whose message takes more than the one line rote promises (`validate`
        promises one per file)."""
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        files = self.argv[self.argv.index("validate") + 1 :] if "validate" in self.argv else []
        return self.code not in (0, None) and len(lines) > max(1, len(files))


def run(argv: Sequence[str], timeout: float, cwd: Path) -> Run:
    """One CLI run, its peak memory from wait4, killed (with its process group) at the
    timeout."""
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            [*ROTE, *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd=cwd,
            env=ENVIRONMENT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                code: int | None = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
                _, status, usage = os.wait4(process.pid, 0)
                code = None
                break
            time.sleep(0.01)
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return Run(list(argv), code, stderr, usage.ru_maxrss)


@dataclass
class Tally:
    """What a set of runs came to."""

    runs: list[Run] = field(default_factory=list)

    def add(self, done: Run) -> None:
        self.runs.append(done)

    def figures(self) -> dict[str, Any]:
        def shown(runs: list[Run]) -> list[dict[str, Any]]:
            return [{"argv": r.argv, "code": r.code, "stderr": r.stderr[-2000:]} for r in runs[:20]]

        codes = Counter("hang" if r.code is None else str(r.code) for r in self.runs)
        tracebacks = [r for r in self.runs if r.traceback]
        hangs = [r for r in self.runs if r.code is None]
        multi = [r for r in self.runs if r.multi_line and not r.traceback]
        odd = [r for r in self.runs if r.code not in (0, 2, None) and not r.traceback]
        peak = max(self.runs, key=lambda r: r.max_rss_kb, default=None)
        return {
            "tried": len(self.runs),
            "exit_codes": dict(sorted(codes.items())),
            "tracebacks": len(tracebacks),
            "hangs": len(hangs),
            "multi_line_errors": len(multi),
            "other_exit_codes": len(odd),
            "peak_memory_mb": round(peak.max_rss_kb / 1024) if peak else 0,
            "peak_memory_argv": peak.argv if peak else None,
            "failures": shown(tracebacks + hangs + multi + odd),
        }


def run_all(jobs: list[tuple[list[str], float]], cwd: Path, workers: int, tally: Tally) -> None:
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for done in pool.map(lambda job: run(job[0], job[1], cwd), jobs):
            tally.add(done)


def timeout_for(argv: Sequence[str]) -> float:
    command = next((arg for arg in argv if not arg.startswith("-")), "")
    return SECONDS.get(command, DEFAULT_SECONDS)


# -- 1. hostile programs -----------------------------------------------------------------------


def hostile_figures() -> dict[str, Any]:
    """Every case of the corpus replayed, the live ones also stepped, the Python layer on; then
    the OS-layer attacks with it off."""
    problems: dict[str, str] = {}
    live_problems: dict[str, str] = {}
    live = [case for case in hostile.CORPUS if case.live]
    with attacks.planted() as targets, Sandbox(workers=2, limits=hostile.LIMITS) as box:
        for case in hostile.CORPUS:
            if (problem := hostile.check_replay(box, case, targets)) is not None:
                problems[case.name] = problem
        for case in live:
            if (problem := hostile.check_live(box, case, targets)) is not None:
                live_problems[case.name] = problem
    escaped = sorted(
        {name for name, p in [*problems.items(), *live_problems.items()] if hostile.escaped(p)}
    )
    confinement = detect()
    outcomes = attacks.run(confinement)
    return {
        "python_layer": {
            "tried": len(hostile.CORPUS),
            "contained": len(hostile.CORPUS) - len(problems),
            "escaped": len(escaped),
            "live": {"tried": len(live), "contained": len(live) - len(live_problems)},
            "escapes": escaped,
            "problems": {**problems, **{f"{k} (live)": v for k, v in live_problems.items()}},
        },
        "os_layer": {
            "confinement": confinement.describe(),
            "tried": len(outcomes),
            "contained": sum(o.contained for o in outcomes),
            "escaped": [o._asdict() for o in outcomes if not o.contained],
        },
    }


# -- 2. fuzzed trajectory files -----------------------------------------------------------------

WEIRD_VALUES: list[Any] = [
    None,
    True,
    -1,
    0,
    10**30,
    -(10**30),
    1e308,
    -1e-308,
    1.5,
    "",
    "x" * 10_000,
    "\ud800",
    "up\u0000",
    [],
    {},
    [[[[[]]]]],
    {"a": {"b": {"c": None}}},
    list(range(1000)),
    "🙂",
]
"""Values a mutation puts where another value was."""


def _walk(value: Any, rng: random.Random) -> Any:
    """`value` with one nested element (or itself) replaced by a weird one."""
    if isinstance(value, dict) and value and rng.random() < 0.7:
        key = rng.choice(list(value))
        return {**value, key: _walk(value[key], rng)}
    if isinstance(value, list) and value and rng.random() < 0.7:
        index = rng.randrange(len(value))
        return [*value[:index], _walk(value[index], rng), *value[index + 1 :]]
    return rng.choice(WEIRD_VALUES)


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _join(lines: list[bytes]) -> bytes:
    return b"\n".join(lines)


def _on_line(data: bytes, rng: random.Random, change: Callable[[Any], Any]) -> bytes:
    """Decode one line (the header or a step), change its value, encode it back."""
    lines = _lines(data)
    candidates = [i for i, line in enumerate(lines) if line.strip()]
    if not candidates:  # emptied by an earlier mutation
        return data
    index = rng.choice(candidates)
    try:
        value = json.loads(lines[index])
    except ValueError:
        return data
    lines[index] = json.dumps(change(value), ensure_ascii=rng.random() < 0.5).encode(
        "utf-8", "surrogatepass"
    )
    return _join(lines)


def _replace_line(data: bytes, rng: random.Random, line: bytes) -> bytes:
    lines = _lines(data)
    lines[rng.randrange(len(lines))] = line
    return _join(lines)


def _header(data: bytes, rng: random.Random, change: Callable[[dict[str, Any]], Any]) -> bytes:
    lines = _lines(data)
    try:
        header = json.loads(lines[0])
    except ValueError:
        return data
    lines[0] = json.dumps(change(header)).encode()
    return _join(lines)


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "flip bytes": lambda d, r: bytes(
        b ^ (1 << r.randrange(8)) if r.random() < 3 / max(len(d), 1) else b for b in d
    ),
    "truncate": lambda d, r: d[: r.randrange(len(d) + 1)],
    "delete a line": lambda d, r: _join(
        (lines := _lines(d))[: (i := r.randrange(len(lines)))] + lines[i + 1 :]
    ),
    "duplicate a line": lambda d, r: _join(
        (lines := _lines(d))[: (i := r.randrange(len(lines))) + 1] + lines[i:]
    ),
    "swap two lines": lambda d, r: _join(
        r.sample(lines := _lines(d), len(lines)) if r.random() < 0.2 else _swap(_lines(d), r)
    ),
    "a weird value": lambda d, r: _on_line(d, r, lambda v: _walk(v, r)),
    "a wrong top-level type": lambda d, r: _on_line(d, r, lambda v: r.choice([[v], "x", 1, None])),
    "deep nesting": lambda d, r: _replace_line(
        d, r, b'{"observation": ' + b"[" * (n := r.choice([70, 5000])) + b"]" * n + b"}"
    ),
    "huge numbers": lambda d, r: d.replace(b"1", r.choice([b"9" * 400, b"1e400", b"-0"]), 3),
    "NaN and Infinity": lambda d, r: d.replace(
        b"0", r.choice([b"NaN", b"Infinity", b"-Infinity"]), 2
    ),
    "a BOM": lambda d, r: b"\xef\xbb\xbf" + d,
    "CRLF": lambda d, r: d.replace(b"\n", b"\r\n"),
    "a lone CR": lambda d, r: d.replace(b"\n", b"\r"),
    "a very long line": lambda d, r: (
        d + b'{"observation": "' + b"x" * r.choice([2**20, 5 * 2**20]) + b'"}\n'
    ),
    "a bad format": lambda d, r: _header(
        d, r, lambda h: {**h, "format": r.choice(["rote.trajectory/2", 1, None])}
    ),
    "an unknown env": lambda d, r: _header(
        d, r, lambda h: {**h, "env": r.choice(["nope", "", "minigrid:Nope-v0", "overcooked"])}
    ),
    "env kwargs out of range": lambda d, r: _header(
        d,
        r,
        lambda h: {
            **h,
            "env_kwargs": r.choice(
                [
                    {"size": -1},
                    {"size": 10**9},
                    {"size": 2},
                    {"nope": 1},
                    {"size": "7"},
                    {"rounds": 0},
                    {"payoffs": [[1]]},
                    {"size": 1.5},
                ]
            ),
        },
    ),
    "unknown header fields": lambda d, r: _header(d, r, lambda h: {**h, "extra": 1}),
    "a huge meta": lambda d, r: _header(d, r, lambda h: {**h, "meta": {"blob": "x" * 10**6}}),
    "invalid UTF-8": lambda d, r: (
        d[: (i := r.randrange(len(d) + 1))] + r.choice([b"\xff", b"\xc3(", b"\xed\xa0\x80"]) + d[i:]
    ),
    "NUL bytes": lambda d, r: d.replace(b'"', b'"\x00', 2),
    "escaped surrogates": lambda d, r: d.replace(b'"up"', b'"\\ud800"').replace(
        b'"C"', b'"\\udfff"'
    ),
    "empty": lambda d, r: b"",
    "whitespace only": lambda d, r: b" \n\t\n\r\n",
    "header only": lambda d, r: _lines(d)[0] + b"\n",
    "binary garbage": lambda d, r: r.randbytes(r.randrange(1, 5000)),
    "duplicate keys": lambda d, r: d.replace(
        b'{"observation"', b'{"action": "up", "observation"', 1
    ),
}
"""Each takes a valid file's bytes and a seeded generator; a fuzzed file gets one to three."""


def _swap(lines: list[bytes], rng: random.Random) -> list[bytes]:
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return lines


SPECIAL_PATHS = ["/dev/null", "/dev/zero", "/nonexistent/file.jsonl", "/proc/self/status"]
"""Not regular files, or not there; a directory and a symlink loop are made in the work dir."""


def trajectory_files(work: Path, rng: random.Random, count: int) -> tuple[list[Path], list[str]]:
    """Valid files from `rote generate`, then `count` mutations of them; and special paths."""
    base = work / "base"
    for env in ("construction", "repeated-game"):
        done = run(
            [
                "generate",
                "--env",
                env,
                "--episodes",
                "1",
                "--steps",
                "30",
                "--out",
                str(base / env),
            ],
            60,
            work,
        )
        assert done.code == 0, done.stderr
    valid = sorted(base.rglob("*.jsonl"))
    fuzzed = work / "fuzzed"
    fuzzed.mkdir()
    files = []
    for index in range(count):
        data = rng.choice(valid).read_bytes()
        names = rng.sample(sorted(MUTATIONS), rng.randint(1, 3))
        for name in names:
            data = MUTATIONS[name](data, rng)
        path = fuzzed / f"{index:04d}-{'+'.join(names).replace(' ', '_')}.jsonl"
        path.write_bytes(data)
        files.append(path)
    (work / "a-directory.jsonl").mkdir()
    (work / "loop.jsonl").symlink_to(work / "loop.jsonl")
    specials = [*SPECIAL_PATHS, str(work / "a-directory.jsonl"), str(work / "loop.jsonl")]
    return files, specials


def file_jobs(paths: Sequence[str], rng: random.Random) -> list[tuple[list[str], float]]:
    """validate, render and predict (small budgets) of each path."""
    jobs = []
    for path in paths:
        observe = str(rng.choice([1, 5, 20, 29, 30, 100]))
        for argv in (
            ["validate", path],
            ["render", path, "--step", str(rng.choice([0, 3, 29, 1000]))],
            ["predict", "--trajectory", path, "--observe", observe, *BUDGET],
        ):
            jobs.append((argv, timeout_for(argv)))
    return jobs


# -- 2. fuzzed CLI invocations -----------------------------------------------------------------

NUMBERS = [
    "0",
    "-1",
    "-7",
    "1",
    "3",
    "abc",
    "",
    "2.5",
    "1e3",
    "0x10",
    "nan",
    "inf",
    "1000000000",
    "99999999999999999999999",
    " 4",
    "4 ",
]
FLOATS = ["-1", "0", "0.5", "1", "2", "nan", "inf", "-inf", "abc", "", "1e400"]
JSONS = [
    "{",
    "[]",
    "null",
    "{}",
    '{"size": -1}',
    '{"size": 1000000000}',
    '{"nope": 1}',
    '{"size": "7"}',
    '{"size": 1e400}',
    '{"size": NaN}',
    '{"rounds": 0}',
    '{"size": 7}',
    "[" * 100_000,
    '{"payoffs": {"C": 1}}',
    '{"size": 9}',
    "\\ud800",
]
ENVS = [
    "construction",
    "repeated-game",
    "overcooked",
    "nope",
    "",
    "minigrid:MiniGrid-Empty-5x5-v0",
    "minigrid:Nope-v0",
    "minigrid:",
    "CONSTRUCTION",
    "dupes",
]
URLS = ["http://127.0.0.1:9/v1", "not a url", "ftp://127.0.0.1/v1", "http://[::1", ""]


@dataclass(frozen=True)
class Paths:
    """What invocations point at: good files and bad ones, made in the work dir."""

    trajectory: str
    existing_file: str
    new_dir: str
    programs: str
    garbage_programs: str
    plugins: list[str]
    llm_configs: list[str]
    outs: list[str]


def make_paths(work: Path, trajectory: Path) -> Paths:
    cli = work / "cli"
    cli.mkdir()
    existing = cli / "existing.txt"
    existing.write_text("I am a file\n")
    programs = cli / "programs"
    programs.mkdir()
    (programs / "left_right.py").write_text(agent_source("construction", "left-right"))
    (programs / "hostile.py").write_text(hostile.acting("while True:\n    pass"))
    garbage = cli / "garbage"
    garbage.mkdir()
    (garbage / "binary.py").write_bytes(b"\xff\xfe\x00" * 100)
    (garbage / "syntax.py").write_text("class Agent(:\n")
    (garbage / "empty.py").write_text("")
    plugins = {
        "syntax.py": "def (:\n",
        "raises.py": "raise RuntimeError('plugin says no')\n",
        "exits.py": "raise SystemExit(3)\n",
        # the example env with an action twice: a plugin's mistake, to be reported as such
        "dupes.py": Path("docs/examples/conveyor.py")
        .read_text()
        .replace('ACTIONS = ("left", "right", "pass")', 'ACTIONS = ("left", "left", "pass")')
        .replace("Conveyor-v0", "Dupes-v0")
        .replace('id: ClassVar[str] = "conveyor"', 'id: ClassVar[str] = "dupes"'),
    }
    for name, text in plugins.items():
        (cli / name).write_text(text)
    configs = {
        "bad.toml": "this is = = not toml\n",
        "types.toml": 'temperature = "hot"\nretries = "many"\ntimeout = 2\n',
        "key.toml": 'api_key = "sk-123"\n',
        "unknown.toml": "colour = 1\n",
        "fast.toml": "timeout = 2\nretries = 0\n",
        "negative.toml": "timeout = -1\nretries = -3\n",
    }
    for name, text in configs.items():
        (cli / name).write_text(text)
    return Paths(
        trajectory=str(trajectory),
        existing_file=str(existing),
        new_dir=str(cli / "out" / "new"),
        programs=str(programs),
        garbage_programs=str(garbage),
        plugins=[str(cli / name) for name in plugins] + ["no_such_module", str(cli / "none.py")],
        llm_configs=[str(cli / name) for name in configs] + [str(cli / "missing.toml")],
        outs=[str(cli / "out" / "new"), str(existing), "/proc/nope", "/dev/null", "", str(cli)],
    )


DROP = "<drop>"
"""A flag's value that removes the flag (a required one, say)."""


def invocations(rng: random.Random, count: int, paths: Paths) -> list[list[str]]:
    """`count` invocations: a subcommand's working flags with one to three of them set to odd
    or bad values, so that most get past argument parsing. The slow subcommands (bench, demo)
    always get a value that fails fast, but for one bench run with cheap methods; the
    Overcooked export is invoked once; `--proposer llm` always points at a server that fails
    fast, never at the embedded model."""

    def varied(
        command: str, base: dict[str, str | None], options: dict[str, list[str | None]]
    ) -> list[str]:
        flags = dict(base)
        for flag in rng.sample(sorted(options), rng.randint(1, min(3, len(options)))):
            value = rng.choice(options[flag])
            if value == DROP:
                flags.pop(flag, None)
            else:
                flags[flag] = value
        argv = [command]
        for flag, value in flags.items():
            argv += [flag] if value is None else [flag, value] if flag else [value]
        return argv

    numbers: list[str | None] = [*NUMBERS, DROP]
    outs: list[str | None] = [*paths.outs]

    def generate() -> list[str]:
        base: dict[str, str | None] = {
            "--out": paths.new_dir + "/generated",
            "--env": "construction",
            "--agent": "snake",
            "--episodes": "1",
            "--steps": "20",
        }
        return varied(
            "generate",
            base,
            {
                "--out": [*outs, DROP],
                "--env": [*ENVS, DROP],
                "--agent": ["all", "snake", "tit-for-tat", "nope", "", DROP],
                "--episodes": numbers,
                "--steps": numbers,
                "--swap-at": numbers,
                "--seed": numbers,
                "--noise": [*FLOATS],
                "--env-kwargs": [*JSONS],
            },
        )

    def predict() -> list[str]:
        base: dict[str, str | None] = {
            "--trajectory": paths.trajectory,
            "--observe": "10",
            "--budget": "200",
            "--particles": "5",
        }
        options: dict[str, list[str | None]] = {
            "--trajectory": [paths.existing_file, "/dev/zero", "/nope", paths.programs, DROP],
            "--observe": numbers,
            "--mode": ["frozen", "online", "nope"],
            "--budget": numbers,
            "--particles": numbers,
            "--seed": numbers,
            "--top": numbers,
            "--json": [None],
            "--proposer": ["synth", "list", "nope"],
            "--programs": [
                paths.programs,
                paths.garbage_programs,
                "/nope",
                paths.existing_file,
                paths.trajectory,
            ],
        }
        if rng.random() < 0.3:  # an LLM that fails fast: a closed port or a bad URL
            base |= {
                "--proposer": rng.choice(["llm", "hybrid"]),
                "--llm-base-url": URLS[0],
                "--llm-model": "fake",
                "--llm-config": paths.llm_configs[4],
            }
            options = {
                "--llm-base-url": [*URLS],
                "--llm-model": ["", DROP],
                "--llm-variant": ["plain", "fsm", "nope"],
                "--llm-temperature": [*FLOATS],
                "--llm-max-tokens": numbers,
                "--llm-repairs": numbers,
                "--llm-config": [*paths.llm_configs],
                "--cache": ["/proc/nope/llm.sqlite", paths.existing_file, paths.programs],
                "--cache-only": [None],
                "--observe": numbers,
                "--particles": numbers,
            }
        return varied("predict", base, options)

    def bench() -> list[str]:
        fail_fast = rng.choice(
            [
                ["--suite", "nope"],
                ["--methods", rng.choice(["nope", ",", "rote@0", "rote@x"])],
                ["--jobs", "0"],
                ["--observe", rng.choice(["0", "1000", "-1"])],
                ["--episodes", "0"],
                ["--out", rng.choice(["/proc/nope", paths.existing_file])],
            ]
        )
        base: dict[str, str | None] = {"--quick": None, "--out": paths.new_dir + "/bench"}
        return [
            *varied(
                "bench",
                base,
                {
                    "--suite": ["construction", "repeated-game", "overcooked", "nope"],
                    "--methods": ["frequency", "ngram,uniform", "nope"],
                    "--observe": numbers,
                    "--episodes": numbers,
                    "--jobs": numbers,
                },
            ),
            *fail_fast,
        ]

    def demo() -> list[str]:
        fail_fast = rng.choice(
            [["--agent", "nope"], ["--out", rng.choice(["/proc/nope", paths.existing_file])]]
        )
        return [
            *varied(
                "demo",
                {},
                {"--steps": numbers, "--swap-at": numbers, "--seed": numbers, "--observe": numbers},
            ),
            *fail_fast,
        ]

    def validate() -> list[str]:
        files = [
            paths.trajectory,
            paths.existing_file,
            paths.new_dir,
            "/dev/null",
            "/nope",
            paths.programs,
        ]
        return ["validate", *rng.sample(files, rng.randint(0, 3))]

    def render() -> list[str]:
        base: dict[str, str | None] = {"": paths.trajectory, "--step": "3"}
        return varied(
            "render",
            base,
            {
                "": [paths.existing_file, "/nope", "/dev/zero", DROP],
                "--step": numbers,
            },
        )

    makers: list[tuple[float, Callable[[], list[str]]]] = [
        (0.3, generate),
        (0.3, predict),
        (0.08, validate),
        (0.08, render),
        (0.05, lambda: varied("agents", {}, {"--env": [*ENVS]})),
        (0.03, lambda: ["envs"]),
        (0.08, bench),
        (0.04, demo),
        (
            0.04,
            lambda: rng.choice(
                [
                    [],
                    ["nope"],
                    ["--version"],
                    ["-h"],
                    ["predict", "-h"],
                    ["--plugin"],
                    ["data"],
                    ["data", "nope"],
                ]
            ),
        ),
    ]
    dupes = next(plugin for plugin in paths.plugins if plugin.endswith("dupes.py"))
    found: list[list[str]] = [
        ["doctor"],
        ["--plugin", rng.choice(paths.plugins), "doctor"],
        ["--plugin", dupes, "generate", "--env", "dupes", "--out", paths.new_dir + "/dupes"],
        ["bench", "--quick", "--methods", "frequency,ngram", "--out", paths.new_dir + "/quick"],
        [
            "data",
            "overcooked",
            "--split",
            "test",
            "--layout",
            "cramped_room",
            "--path",
            "/nope",
            "--out",
            paths.new_dir + "/overcooked",
        ],
    ]
    weights = [weight for weight, _ in makers]
    while len(found) < count:
        (maker,) = rng.choices([make for _, make in makers], weights)
        argv = maker()
        if rng.random() < 0.1:
            argv = ["--plugin", rng.choice(paths.plugins), *argv]
        found.append(argv)
    return found


# -- 3. LLM fault modes -----------------------------------------------------------------------

PROGRAM = f"```python\n{agent_source('construction', 'left-right')}```"
"""What the scripted server answers once its faults are spent: a program that fits."""
MANY = 50
"""Enough of a fault that every request of a run meets it."""


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def fault_modes() -> dict[str, tuple[list[Response], str | None]]:
    """name -> (the server's script, the answer once it runs out: None for HTTP 500)."""
    usage = {"choices": [{"message": {"content": PROGRAM}}]}
    return {
        "HTTP 429 with Retry-After, then answers": ([Status(429, retry_after="1")], PROGRAM),
        "HTTP 500, then answers": ([Status(500)], PROGRAM),
        "HTTP 503 with Retry-After as a date, then answers": (
            [Status(503, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")],
            PROGRAM,
        ),
        "HTTP 503 for good": ([Status(503)] * MANY, None),
        "HTTP 500 for good": ([], None),
        "HTTP 400": ([Status(400)], PROGRAM),
        "HTTP 401 with a key in the message": ([Status(401, message="bad key sk-1\nsecret")], None),
        "HTTP 404": ([Status(404)] * MANY, None),
        "HTTP 422": ([Status(422)], PROGRAM),
        "a timeout, then answers": ([Delay(5.0, [PROGRAM])], PROGRAM),
        "timeouts for good": ([Delay(5.0, [PROGRAM])] * MANY, None),
        "a trickling body": ([Trickle(0.2, [PROGRAM])] * MANY, None),
        "trickling headers": ([Trickle(0.2, [PROGRAM], headers=True)] * MANY, None),
        "HTML instead of JSON, then answers": ([Malformed()], PROGRAM),
        "HTML for good": ([Malformed()] * MANY, None),
        "JSON nested too deeply": ([Malformed("[" * 100_000 + "]" * 100_000)] * MANY, None),
        "a body that is not an object": ([Raw(None), Raw([1, 2]), Raw("x")], PROGRAM),
        "no choices": ([Raw({"id": "no choices"})] * MANY, None),
        "empty choices, then answers": ([[], []], PROGRAM),
        "null content": ([[None], [None, None]], PROGRAM),
        "malformed choices": ([Raw({"choices": [{"index": 0}, {"message": 3}, 7]})], PROGRAM),
        "no usage": ([Reply([PROGRAM], usage=False)], PROGRAM),
        "absurd usage": (
            [
                Raw({**usage, "usage": {"prompt_tokens": 10**30, "completion_tokens": -1}}),
                Raw({**usage, "usage": {"prompt_tokens": "3", "completion_tokens": True}}),
            ],
            PROGRAM,
        ),
        "lone surrogates": (
            [Raw({"choices": [{"message": {"content": "\ud800" + PROGRAM}}]})],
            PROGRAM,
        ),
        "a gzip bomb": ([Gzip(gzip_bomb(64 * 2**20))] * MANY, None),
        "a gzip bomb in an error": ([Gzip(gzip_bomb(64 * 2**20), status=500)] * MANY, None),
        "gzip that is not gzip": ([Gzip(b"not gzip at all")] * MANY, None),
        "a huge program": ([["```python\n" + "x = 1\n" * 2**20 + "```"]] * MANY, None),
        "answers without a program": ([["I cannot help with that."]] * MANY, None),
        "a hostile program": (
            [["```python\n" + hostile.acting("while True:\n    pass") + "```"]] * MANY,
            PROGRAM,
        ),
        "more choices than asked": ([[PROGRAM] * 40], PROGRAM),
    }


def llm_figures(work: Path, trajectory: Path) -> dict[str, Any]:
    """Each fault mode against `rote predict --proposer llm` (fast timeouts, one retry):
    handled when the run recovers (exit 0) or ends with one line and exit 2."""
    config = work / "llm.toml"
    config.write_text("timeout = 2.0\nretries = 1\nrepairs = 1\n")
    base = ["predict", "--trajectory", str(trajectory), "--observe", "6", "--particles", "3"]
    base += ["--proposer", "llm", "--llm-model", "fake", "--llm-config", str(config)]
    outcomes: dict[str, dict[str, Any]] = {}
    modes = fault_modes()
    for index, (name, (script, after)) in enumerate(modes.items()):
        cache = ["--cache", str(work / f"cache-{index}.sqlite")]
        with FakeLLMServer(list(script), default_text=after) as server:
            done = run([*base, *cache, "--llm-base-url", server.base_url], 120.0, work)
        outcomes[name] = _handled(done)
    refused = run(
        [
            *base,
            "--cache",
            str(work / "refused.sqlite"),
            "--llm-base-url",
            f"http://127.0.0.1:{closed_port()}/v1",
        ],
        120.0,
        work,
    )
    outcomes["connection refused"] = _handled(refused)
    return {
        "tried": len(outcomes),
        "handled": sum(o["handled"] for o in outcomes.values()),
        "recovered": sum(o["code"] == 0 for o in outcomes.values()),
        "one_line_exit_2": sum(o["code"] == 2 and o["handled"] for o in outcomes.values()),
        "modes": outcomes,
    }


def _handled(done: Run) -> dict[str, Any]:
    handled = (done.code == 0 or (done.code == 2 and not done.multi_line)) and not done.traceback
    return {"handled": handled, "code": done.code, "stderr": done.stderr[-500:].strip()}


# -- 4. bench kills ---------------------------------------------------------------------------


def kill_figures(work: Path, seed: int) -> dict[str, Any]:
    """The bench-kill scenario of the tests with cheap methods, then with rote (so that sandbox
    workers under bubblewrap run when the bench is killed)."""
    reports = {
        "frequency,ngram": kill_and_resume(
            "construction", ["frequency", "ngram"], work / "cheap", 4, seed
        ),
        "rote@10": kill_and_resume("construction", ["rote@10"], work / "rote", 2, seed),
    }
    total = {
        name: sum(getattr(r, name) for r in reports.values())
        for name in (
            "kills",
            "ended_first",
            "lost",
            "duplicated",
            "orphans",
            "processes",
            "sandboxed",
        )
    }
    return {
        **total,
        "resumed": all(r.resumed for r in reports.values()),
        "runs": {name: r._asdict() for name, r in reports.items()},
    }


# -- the whole run ----------------------------------------------------------------------------


@contextmanager
def timed(name: str, seconds: dict[str, float]) -> Iterator[None]:
    start = time.monotonic()
    print(f"{name} ...", file=sys.stderr, flush=True)
    yield
    seconds[name] = round(time.monotonic() - start, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--files", type=int, default=240, help="fuzzed trajectory files")
    parser.add_argument("--invocations", type=int, default=200, help="fuzzed CLI invocations")
    parser.add_argument("--jobs", type=int, default=2, help="CLI runs at once")
    parser.add_argument("--out", default="benchmarks/results/reliability.json")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="rote-reliability-") as directory:
        work = Path(directory)
        with timed("hostile programs", seconds):
            programs = hostile_figures()
        with timed("fuzzed trajectory files", seconds):
            files, specials = trajectory_files(work, rng, args.files)
            files_tally = Tally()
            run_all(file_jobs([*map(str, files), *specials], rng), work, args.jobs, files_tally)
        trajectory = sorted((work / "base" / "construction").glob("left-right-*.jsonl"))[0]
        with timed("fuzzed CLI invocations", seconds):
            cli_tally = Tally()
            found = invocations(rng, args.invocations, make_paths(work, trajectory))
            run_all([(argv, timeout_for(argv)) for argv in found], work, args.jobs, cli_tally)
        with timed("LLM fault modes", seconds):
            llm = llm_figures(work, trajectory)
        with timed("bench kills", seconds):
            kills = kill_figures(work, args.seed)
    report = {
        "date": datetime.date.today().isoformat(),
        "command": "make reliability",
        "seed": args.seed,
        "sizes": {"trajectory_files": len(files) + len(specials), "cli_invocations": len(found)},
        "machine": {
            "python": platform.python_version(),
            "system": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "seconds": seconds,
        "hostile_programs": programs,
        "trajectory_files": files_tally.figures(),
        "cli_invocations": cli_tally.figures(),
        "llm_faults": llm,
        "bench_kills": kills,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(out) as tmp:
        tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    for line in summary(report):
        print(line)
    print(f"wrote {out}")


def summary(report: dict[str, Any]) -> list[str]:
    """One line per figure."""
    python, os_layer = (
        report["hostile_programs"]["python_layer"],
        report["hostile_programs"]["os_layer"],
    )
    kills = report["bench_kills"]
    llm = report["llm_faults"]

    def fuzz(name: str, figures: dict[str, Any]) -> str:
        return (
            f"{name}: {figures['tried']} runs, {figures['tracebacks']} tracebacks, "
            f"{figures['hangs']} hangs, {figures['multi_line_errors']} multi-line errors, "
            f"{figures['other_exit_codes']} other exit codes {figures['exit_codes']}, "
            f"peak memory {figures['peak_memory_mb']} MB"
        )

    return [
        f"hostile programs (Python layer on): {python['tried']} tried, {python['contained']} "
        f"contained, {python['escaped']} escaped; live: {python['live']['tried']} tried, "
        f"{python['live']['contained']} contained",
        f"OS-layer attacks (Python layer off): {os_layer['tried']} tried, "
        f"{os_layer['contained']} contained, {len(os_layer['escaped'])} escaped",
        fuzz(
            f"fuzzed trajectory files ({report['sizes']['trajectory_files']})",
            report["trajectory_files"],
        ),
        fuzz("fuzzed CLI invocations", report["cli_invocations"]),
        f"LLM fault modes: {llm['tried']} tried, {llm['handled']} handled "
        f"({llm['recovered']} recovered, {llm['one_line_exit_2']} one line and exit 2)",
        f"bench kills: {kills['kills']} kills ({kills['sandboxed']} sandbox processes among "
        f"the {kills['processes']} running), {kills['ended_first']} benches ended first, "
        f"{kills['lost']} cells lost, {kills['duplicated']} duplicated, {kills['orphans']} "
        f"orphan processes; resumed to a clean run's results: {kills['resumed']}",
    ]


if __name__ == "__main__":
    main()
