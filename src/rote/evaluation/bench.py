"""`rote bench`: every method on every trajectory of a suite, resumable, in parallel.

The unit of work is a cell (`CellKey`): (method, family, episode, pass), where the pass is
`frozen` (the single-step, multi-step and, where layouts swap, after-swap protocols) or
`online`. Each finished cell is appended to results.jsonl as one line (`CellResult`) with every
prediction's scores and times, so a killed run loses only the cells in flight, and a rerun
computes only the cells missing (and those of damaged lines, which `load` sets aside). This
module only runs cells; `rote.evaluation.summary` writes the tables and plots from the results.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from rote.errors import RoteError
from rote.evaluation.methods import Context, method
from rote.evaluation.metrics import brier, tie_split_hit, top_action
from rote.evaluation.protocols import UPDATING, Prediction, predict_trajectory
from rote.evaluation.records import CellKey, CellResult, ScoredPrediction
from rote.evaluation.suites import Suite, settings
from rote.files import atomic_write, make_directory
from rote.plugins import load_plugin, loaded_plugins


def results_path(out: Path) -> Path:
    """The file of a bench directory that holds its finished cells."""
    return out / "results.jsonl"


def cells(suite: Suite, methods: Sequence[str]) -> list[CellKey]:
    """Every cell of the bench, the frozen pass first, so partial runs already cover most."""
    found = []
    for updating in UPDATING:
        for name in methods:
            if updating == "online" and method(name).sweep:
                continue
            for family in suite.families:
                episodes = range(suite.episodes_of(family))
                found += [CellKey(name, family, e, updating) for e in episodes]
    return found


def run_cell(context: Context, cell: CellKey) -> CellResult:
    """One method on one trajectory, one pass: every scored step with its cost."""
    suite = context.suite
    steps = suite.test_trajectory(cell.family, cell.episode)
    if any(step.action is None for step in steps[: suite.steps]):
        raise RoteError("a bench trajectory has a step without an action")
    last = suite.steps if cell.updating == "online" else suite.frozen_end
    start = time.perf_counter()
    with method(cell.method).make(context, cell.family) as predictor:
        run = predict_trajectory(predictor, steps, suite.observe, cell.updating, stop=last)
        usage = predictor.usage()
    return CellResult(
        suite=suite.name,
        method=cell.method,
        family=cell.family,
        episode=cell.episode,
        updating=cell.updating,
        infer_seconds=run.infer_seconds,
        seconds=time.perf_counter() - start,
        usage=usage,
        predictions=tuple(_scored(p) for p in run.predictions),
    )


def _scored(prediction: Prediction) -> ScoredPrediction:
    distribution, actual = prediction.distribution, prediction.actual
    assert actual is not None
    return ScoredPrediction(
        t=prediction.t,
        actual=actual,
        top=top_action(distribution),
        hit=tie_split_hit(distribution, actual),
        p=distribution[actual],
        brier=brier(distribution, actual),
        seconds=prediction.seconds,
    )


def load(path: Path, on_problem: Callable[[str], None] | None = None) -> dict[str, CellResult]:
    """Finished cells by name, read from results.jsonl and repaired so that appending can go on.

    A last line cut short by a kill is dropped: its cell reruns. A damaged line (not JSON, or
    not a record) is appended, after its line number, to results.jsonl.corrupt, dropped, and
    reported to `on_problem` in one line; its cell reruns. A cell recorded twice (two runs
    racing) keeps its first record. Any change is written atomically, after the copy to
    .corrupt, so a kill at any moment loses no line.
    """
    if not path.exists():
        return {}
    *lines, cut = path.read_bytes().split(b"\n")  # cut: what follows the last newline
    results: dict[str, CellResult] = {}
    kept: list[bytes] = []
    damaged: list[tuple[int, bytes, str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            kept.append(line)
            continue
        try:
            value = json.loads(line)
        except ValueError:  # JSONDecodeError, or UnicodeDecodeError for bytes that are not text
            damaged.append((number, line, "not JSON"))
            continue
        try:
            result = CellResult.from_json(value)
        except ValueError as error:
            damaged.append((number, line, f"not a bench record: {error}"))
            continue
        if result.cell.name not in results:
            results[result.cell.name] = result
            kept.append(line)
    corrupt = path.with_name(path.name + ".corrupt")
    if damaged:
        with corrupt.open("ab") as handle:
            handle.writelines(b"%d:%s\n" % (number, line) for number, line, _ in damaged)
            handle.flush()
            os.fsync(handle.fileno())
    if cut or len(kept) < len(lines):
        with atomic_write(path) as tmp:
            tmp.write_bytes(b"".join(line + b"\n" for line in kept))
    if on_problem is not None:
        for number, _, problem in damaged:
            on_problem(f"{path}:{number}: {problem}; moved to {corrupt}, its cell reruns")
    return results


def _check_suite(out: Path, suite: Suite) -> None:
    """A directory holds one suite's results: resuming with other settings would mix them."""
    path = out / "suite.json"
    config = settings(suite)
    if path.exists():
        try:
            found = json.loads(path.read_bytes())
        except ValueError:  # not JSON (rote before atomic writes could leave it cut short)
            raise RoteError(
                f"{path} is damaged; if {out} holds results of these settings, delete it"
            ) from None
        if found != config:
            raise RoteError(
                f"{out} holds results of other suite settings ({path}); use another --out"
            )
    else:
        with atomic_write(path) as tmp:
            tmp.write_text(json.dumps(config, indent=2) + "\n")


def run_bench(
    context: Context,
    methods: Sequence[str],
    *,
    jobs: int | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_cell: Callable[[CellKey], None] | None = None,
    on_problem: Callable[[str], None] | None = None,
) -> list[CellResult]:
    """Run the missing cells (`jobs` processes), appending each to results.jsonl; return the
    results of all of the suite's cells for these methods, in `cells` order.
    `on_start(total, done)` and `on_cell` report progress, `on_problem` each damaged line of
    results.jsonl (see `load`)."""
    for name in methods:
        method(name)  # an unknown name fails before any work
    make_directory(context.out)
    with _only_bench_in(context.out):
        return _run_missing(context, methods, jobs, on_start, on_cell, on_problem)


@contextlib.contextmanager
def _only_bench_in(out: Path) -> Iterator[None]:
    """Hold `out`'s lock while the bench runs there. Two benches on one directory would both
    run the missing cells, doubling them in results.jsonl, and one's repair of a damaged line
    could drop the other's new ones. The kernel drops the lock when its holder dies, however
    it dies, so a killed bench never leaves the directory locked."""
    with (out / ".lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RoteError(
                f"{out} is in use by another rote bench; wait for it to end or use another --out"
            ) from None
        yield


def _run_missing(
    context: Context,
    methods: Sequence[str],
    jobs: int | None,
    on_start: Callable[[int, int], None] | None,
    on_cell: Callable[[CellKey], None] | None,
    on_problem: Callable[[str], None] | None,
) -> list[CellResult]:
    _check_suite(context.out, context.suite)
    log = results_path(context.out)
    done = load(log, on_problem)
    todo = cells(context.suite, methods)
    pending = [cell for cell in todo if cell.name not in done]
    if on_start is not None:
        on_start(len(todo), len(todo) - len(pending))
    for name in dict.fromkeys(cell.method for cell in pending):
        prepare = method(name).prepare
        if prepare is not None:
            prepare(context)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(pending)))
    with log.open("a") as out:

        def finish(result: CellResult, cell: CellKey) -> None:
            out.write(json.dumps(result.to_json()) + "\n")
            out.flush()
            done[cell.name] = result
            if on_cell is not None:
                on_cell(cell)

        if workers == 1:
            for cell in pending:
                finish(run_cell(context, cell), cell)
        else:
            spawn = multiprocessing.get_context("spawn")  # no fork of a process with threads
            with ProcessPoolExecutor(
                workers,
                mp_context=spawn,
                initializer=_start_worker,
                initargs=(os.getpid(), loaded_plugins()),
            ) as pool:
                futures = {pool.submit(run_cell, context, cell): cell for cell in pending}
                for future in as_completed(futures):
                    finish(future.result(), futures[future])
    return [done[cell.name] for cell in todo]


_WATCH_SECONDS = 0.2
"""How long a worker may outlive a killed bench: a getppid call this often costs nothing."""


def _start_worker(parent: int, plugins: tuple[str, ...]) -> None:
    """Pool initializer: load the plugins the bench loaded (a spawned worker starts from a
    fresh interpreter, which knows no plugin env), and end the worker when the bench dies."""
    for plugin in plugins:
        load_plugin(plugin)
    _watch_parent(parent)


def _watch_parent(parent: int) -> None:
    """End this worker when the bench dies. Nothing else would: a spawned
    worker holds both ends of the pipe it waits on for work, so it never sees end of file,
    and it holds multiprocessing's resource tracker's pipe open too, keeping that alive.
    A polling thread rather than prctl(PR_SET_PDEATHSIG): that is Linux only, and it fires
    when the thread that started the worker ends, not the bench."""

    def watch() -> None:
        # A dead parent's children are adopted (by init or a subreaper): the parent pid
        # changes. Checking before the first sleep covers a bench killed during start-up.
        while os.getppid() == parent:
            time.sleep(_WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()
