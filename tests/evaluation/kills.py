"""`rote bench` killed with SIGKILL at random moments and in the middle of repairing
results.jsonl, then resumed: how many finished cells were lost or doubled, and how many processes
were left running. `tests/evaluation/test_bench_kills.py` asserts all of it is zero;
`benchmarks/reliability.py` counts it, for a bench of the rote method too.
"""

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
from subprocess import DEVNULL
from typing import NamedTuple

from rote.evaluation.bench import run_bench
from rote.evaluation.methods import Context
from rote.evaluation.records import CellResult, ScoredPrediction
from rote.evaluation.suites import suite

from ..programs.processes import descendants, table

ROTE = [sys.executable, "-m", "rote.cli"]
WORKERS = (b"/rote/programs/_worker.py", b"/rote/worker.py")
"""One of these is in the command line of every sandbox process: the worker script's path, as
bubblewrap is given it and as the worker sees it inside the namespaces."""
SANDBOX_WAIT_SECONDS = 20.0

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


class KillReport(NamedTuple):
    kills: int
    """Benches killed: at random moments, then one in the middle of its repair."""
    ended_first: int
    """Benches that finished before the kill came (the kill then tested nothing)."""
    lost: int
    """Finished cells that a kill or the resume that followed lost or changed."""
    duplicated: int
    """Cells that the final results.jsonl holds more than once."""
    orphans: int
    """Processes of a killed bench still running after it (killed then, by the check)."""
    processes: int
    """Processes seen under the benches as they were killed (the bench itself not counted)."""
    sandboxed: int
    """Of those, sandbox processes: bubblewrap, workers and the programs they run."""
    resumed: bool
    """The last resume exited 0, silent, with every cell of a clean run, scored the same."""


def key(line: bytes) -> str:
    """The name of the cell a results.jsonl line holds."""
    return result(line).cell.name


def result(line: bytes) -> CellResult:
    return CellResult.from_json(json.loads(line))


def whole_lines(log: Path) -> dict[str, bytes]:
    """Every cell the file holds a whole line of (what a resume must keep), by key."""
    if not log.exists():
        return {}
    *lines, _cut = log.read_bytes().split(b"\n")
    return {key(line): line for line in lines}


def scores(found: CellResult) -> list[ScoredPrediction]:
    """A result's predictions without their timings, which vary from run to run."""
    return [p._replace(seconds=0.0) for p in found.predictions]


def marked(mark: str) -> set[int]:
    """Live processes that inherited `mark` from the environment of a bench: the bench's pool
    workers and resource tracker, wherever they were reparented. Zombies are dead. (Sandbox
    workers start with an empty environment: `orphans` also follows the process tree.)"""
    found = set()
    for pid in table():
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:  # gone, or another user's
            continue
        if mark.encode() in environ:
            found.add(pid)
    return found


def started(pid: int) -> int | None:
    """When a process started (clock ticks after boot), to tell it from a later one that got
    its pid; None once it is gone."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def tree(pid: int) -> dict[int, int | None]:
    """The processes under `pid` now, with when each started."""
    return {child: started(child) for child in descendants(pid)}


def sandboxed(pid: int) -> set[int]:
    """The sandbox processes under `pid` now: bubblewrap, workers, and the programs they run."""
    processes = table()
    below = descendants(pid, processes)
    return {p for p in below if any(w in processes[p].command for w in WORKERS)}


def orphans(mark: str, seen: dict[int, int | None]) -> list[int]:
    """What is left of a killed bench, given the processes seen under it before the kill, once
    they had time to notice (pool workers check their parent five times a second; sandbox
    workers die with theirs); each one found is killed."""

    def alive() -> set[int]:
        live = set(table())
        return (marked(mark) & live) | {
            p for p, at in seen.items() if p in live and started(p) == at
        }

    deadline = time.monotonic() + 5.0
    while (left := alive()) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return sorted(left)


def kill_and_resume(
    suite_name: str, methods: list[str], root: Path, kills: int, seed: int
) -> KillReport:
    """Run the quick bench of `methods` on a suite in `root`, killed `kills` times (the first as
    its pool starts, then after a random number of further cells, and for a method that runs
    programs, once sandbox workers run under it) and once more in its repair, then resumed to
    the end; compared with a clean run in this process."""
    out, rng = root / "bench", random.Random(seed)
    log = out / "results.jsonl"
    tag = uuid.uuid4().hex
    mark, env = f"ROTE_TEST_BENCH={tag}", {**os.environ, "ROTE_TEST_BENCH": tag}
    args = ["bench", "--suite", suite_name, "--quick"]
    args += ["--methods", ",".join(methods), "--out", str(out), "--jobs", "2"]
    context = Context(suite(suite_name, quick=True), root / "clean")
    clean = {r.cell.name: r for r in run_bench(context, methods, jobs=1)}
    finished: dict[str, bytes] = {}
    ended_first = lost = left = seen_count = sandbox_count = 0
    sandboxes = any(method.startswith("rote") for method in methods)

    for kill in range(kills):
        bench = subprocess.Popen([*ROTE, *args], env=env, stdout=DEVNULL, stderr=DEVNULL)
        if kill == 0:  # as the pool starts (the bench, its tracker, a worker being born)
            while len(marked(mark)) < 3 and bench.poll() is None:
                time.sleep(0.001)
        else:  # after a random number of further cells, and a random bit more
            target = len(finished) + rng.randint(1, 8)
            while len(whole_lines(log)) < target and bench.poll() is None:
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 0.03))
            deadline = time.monotonic() + SANDBOX_WAIT_SECONDS
            while (
                sandboxes
                and len(sandboxed(bench.pid)) < 3  # bubblewrap, a worker, a program
                and time.monotonic() < deadline
            ):
                time.sleep(0.001)
        sandbox_count += len(sandboxed(bench.pid))
        seen = tree(bench.pid)
        seen_count += len(seen)
        bench.kill()
        ended_first += bench.wait() != -signal.SIGKILL
        left += len(orphans(mark, seen))
        now = whole_lines(log)
        lost += sum(now.get(k) != line for k, line in finished.items())
        finished = now

    with log.open("ab") as handle:  # what a kill in the middle of an append leaves
        handle.write(next(iter(finished.values()))[:100])
    before = log.read_bytes()
    repair = [sys.executable, "-c", KILLED_IN_REPAIR, *args]
    killed = subprocess.run(repair, env=env, stdout=DEVNULL, check=False)
    ended_first += killed.returncode != -signal.SIGKILL
    lost += log.read_bytes() != before  # untouched, where an in-place rewrite left 0 bytes
    left += len(orphans(mark, {}))

    resumed = subprocess.run([*ROTE, *args], env=env, capture_output=True, check=False)
    left += len(orphans(mark, {}))
    lines = log.read_bytes().splitlines()
    records = {key(line): line for line in lines}
    lost += sum(records.get(k) != line for k, line in finished.items())
    complete = (
        resumed.returncode == 0
        and resumed.stderr == b""  # a cut-off line is no damage to report
        and records.keys() == clean.keys()
        and all(scores(result(records[k])) == scores(clean[k]) for k in clean)
    )
    duplicated = len(lines) - len(records)
    return KillReport(
        kills + 1, ended_first, lost, duplicated, left, seen_count, sandbox_count, complete
    )
