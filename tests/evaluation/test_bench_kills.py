"""`rote bench` killed with SIGKILL at random moments and in the middle of repairing
results.jsonl, then resumed: no finished cell lost or doubled, and no process left behind."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from rote.evaluation.bench import Cell, run_bench
from rote.evaluation.methods import Context
from rote.evaluation.suites import suite

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")

METHODS = ["frequency", "ngram"]
QUICK = suite("construction", quick=True)
ROTE = Path(sys.executable).parent / "rote"

KILLED_IN_REPAIR = """
import os, signal

replace = os.replace


def replace_or_die(source, target):  # the repaired results.jsonl is written, not yet renamed
    if os.fspath(target).endswith("results.jsonl"):
        os.kill(os.getpid(), signal.SIGKILL)
    replace(source, target)


os.replace = replace_or_die
from rote.cli import main

raise SystemExit(main())
"""
"""The CLI in a process that kills itself at the last moment of load's repair, the moment an
in-place rewrite would have left a truncated file."""


def key(record: dict[str, Any]) -> str:
    return Cell(record["method"], record["family"], record["episode"], record["mode"]).key


def whole_lines(log: Path) -> dict[str, bytes]:
    """Every cell the file holds a whole line of (what a resume must keep), by key."""
    if not log.exists():
        return {}
    *lines, _cut = log.read_bytes().split(b"\n")
    return {key(json.loads(line)): line for line in lines}


def scores(record: dict[str, Any]) -> list[dict[str, Any]]:
    """A record's predictions without their timings, which vary from run to run."""
    return [{k: v for k, v in p.items() if k != "seconds"} for p in record["predictions"]]


def survivors(mark: str) -> list[int]:
    """Live processes that inherited `mark` from the environment of a bench: the bench's pool
    workers and resource tracker, wherever they were reparented. Zombies are dead."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # not a process, gone, or another user's
            continue
        if mark.encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


def assert_no_orphans(mark: str) -> None:
    deadline = time.monotonic() + 5.0  # the workers check their parent five times a second
    while (left := survivors(mark)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes of a killed bench still running: {left}"


def test_killed_benches_resume_losing_and_doubling_nothing(tmp_path: Path) -> None:
    out, rng = tmp_path / "bench", random.Random(15)
    log = out / "results.jsonl"
    tag = uuid.uuid4().hex
    mark, env = f"ROTE_TEST_BENCH={tag}", {**os.environ, "ROTE_TEST_BENCH": tag}
    args = ["bench", "--suite", "construction", "--quick", "--methods", ",".join(METHODS)]
    args += ["--out", str(out), "--jobs", "2"]
    clean = {key(r): r for r in run_bench(Context(QUICK, tmp_path / "clean"), METHODS, jobs=1)}
    finished: dict[str, bytes] = {}

    for kill in range(4):
        bench = subprocess.Popen([ROTE, *args], env=env, stderr=subprocess.DEVNULL)
        if kill == 0:  # as the pool starts (the bench, its tracker, a worker being born)
            while len(survivors(mark)) < 3 and bench.poll() is None:
                time.sleep(0.001)
        else:  # after a random number of further cells, and a random bit more
            target = len(finished) + rng.randint(1, 8)
            while len(whole_lines(log)) < target and bench.poll() is None:
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 0.03))
        bench.kill()
        assert bench.wait() == -signal.SIGKILL, f"the bench ended first ({bench.returncode})"
        assert_no_orphans(mark)
        now = whole_lines(log)
        assert {k: now.get(k) for k in finished} == finished
        finished = now

    with log.open("ab") as handle:  # what a kill in the middle of an append leaves
        handle.write(next(iter(finished.values()))[:100])
    before = log.read_bytes()
    killed = subprocess.run([sys.executable, "-c", KILLED_IN_REPAIR, *args], env=env, check=False)
    assert killed.returncode == -signal.SIGKILL
    assert log.read_bytes() == before  # untouched, where an in-place rewrite left 0 bytes
    assert_no_orphans(mark)

    resumed = subprocess.run([ROTE, *args], env=env, capture_output=True, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stderr == b""  # a cut-off line is no damage to report
    assert_no_orphans(mark)
    lines = log.read_bytes().splitlines()
    records = {key(json.loads(line)): line for line in lines}
    assert len(records) == len(lines)  # no cell twice
    assert {k: records.get(k) for k in finished} == finished  # each kept as it was
    assert records.keys() == clean.keys()
    assert all(scores(json.loads(records[k])) == scores(clean[k]) for k in clean)
