"""`rote bench`: every method on every trajectory of a suite, resumable, in parallel.

The unit of work is a cell: (method, family, episode, pass), where the pass is `frozen` (the
single-step, multi-step and, where layouts swap, after-swap protocols) or `online`. Each
finished cell is appended to results.jsonl as one line with every prediction's scores and
times, so a killed run loses only the cells in flight, and a rerun computes only the cells
missing (and those of damaged lines, which `load` sets aside). The summary (summary.md,
summary.csv, families.csv) and the plots are rebuilt from results.jsonl at the end of each run.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import json
import math
import multiprocessing
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, NamedTuple

from rote.errors import RoteError
from rote.evaluation.methods import Context, method
from rote.evaluation.metrics import bootstrap_interval, brier, tie_split_hit
from rote.evaluation.protocols import MODES, Mode, Prediction, predict_trajectory
from rote.evaluation.suites import PROTOCOLS, Suite, settings
from rote.files import atomic_write, make_directory

Record = dict[str, Any]


class Cell(NamedTuple):
    method: str
    family: str
    episode: int
    mode: str
    """"frozen" or "online"."""

    @property
    def key(self) -> str:
        return f"{self.method}/{self.family}/{self.episode}/{self.mode}"


def cells(suite: Suite, methods: Sequence[str]) -> list[Cell]:
    """Every cell of the bench, the frozen pass first, so partial runs already cover most."""
    found = []
    for mode in ("frozen", "online"):
        for name in methods:
            if mode == "online" and method(name).sweep:
                continue
            for family in suite.families:
                found += [Cell(name, family, e, mode) for e in range(suite.episodes_of(family))]
    return found


def run_cell(context: Context, cell: Cell) -> Record:
    """One method on one trajectory, one pass: every scored step with its cost."""
    suite = context.suite
    steps = suite.test_trajectory(cell.family, cell.episode)
    if any(step.action is None for step in steps[: suite.steps]):
        raise RoteError("a bench trajectory has a step without an action")
    last = suite.steps if cell.mode == "online" else suite.frozen_end
    start = time.perf_counter()
    mode: Mode = "online" if cell.mode == "online" else "frozen"
    with method(cell.method).make(context, cell.family) as predictor:
        run = predict_trajectory(predictor, steps, suite.observe, mode, stop=last)
        usage = predictor.usage()
    return {
        "suite": suite.name,
        **cell._asdict(),
        "infer_seconds": run.infer_seconds,
        "seconds": time.perf_counter() - start,
        "usage": usage,
        "predictions": [_scored(p) for p in run.predictions],
    }


def _scored(prediction: Prediction) -> dict[str, Any]:
    distribution, actual = prediction.distribution, prediction.actual
    assert actual is not None
    return {
        "t": prediction.t,
        "actual": actual,
        "top": max(distribution, key=lambda a: distribution[a]),
        "hit": tie_split_hit(distribution, actual),
        "p": distribution[actual],
        "brier": brier(distribution, actual),
        "seconds": prediction.seconds,
    }


_NUMBER = (int, float)
_RECORD_FIELDS: dict[str, type | tuple[type, ...]] = {
    "suite": str,
    "method": str,
    "family": str,
    "episode": int,
    "mode": str,
    "infer_seconds": _NUMBER,
    "seconds": _NUMBER,
    "usage": dict,
    "predictions": list,
}
_PREDICTION_FIELDS: dict[str, type | tuple[type, ...]] = {
    "t": int,
    "actual": str,
    "top": str,
    "hit": _NUMBER,
    "p": _NUMBER,
    "brier": _NUMBER,
    "seconds": _NUMBER,
}


def _fields_problem(value: Any, fields: dict[str, type | tuple[type, ...]]) -> str | None:
    if not isinstance(value, dict):
        return "not a JSON object"
    for name, kind in fields.items():
        if not isinstance(value.get(name), kind):
            return f'"{name}" is missing or of the wrong type'
    return None


def _record_problem(value: Any) -> str | None:
    """Why a decoded line is not a record the summaries can read, or None if it is one."""
    problem = _fields_problem(value, _RECORD_FIELDS)
    if problem is not None:
        return f"not a bench record: {problem}"
    if value["mode"] not in MODES:
        return f'not a bench record: "mode" is {json.dumps(value["mode"])}'
    for i, prediction in enumerate(value["predictions"]):
        problem = _fields_problem(prediction, _PREDICTION_FIELDS)
        if problem is not None:
            return f"not a bench record: prediction {i}: {problem}"
    return None


def load(path: Path, on_problem: Callable[[str], None] | None = None) -> dict[str, Record]:
    """Finished cells by key, read from results.jsonl and repaired so that appending can go on.

    A last line cut short by a kill is dropped: its cell reruns. A damaged line (not JSON, or
    not a record) is appended, after its line number, to results.jsonl.corrupt, dropped, and
    reported to `on_problem` in one line; its cell reruns. A cell recorded twice (two runs
    racing) keeps its first record. Any change is written atomically, after the copy to
    .corrupt, so a kill at any moment loses no line.
    """
    if not path.exists():
        return {}
    *lines, cut = path.read_bytes().split(b"\n")  # cut: what follows the last newline
    records: dict[str, Record] = {}
    kept: list[bytes] = []
    damaged: list[tuple[int, bytes, str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            kept.append(line)
            continue
        try:
            value = json.loads(line)
        except ValueError:  # JSONDecodeError, or UnicodeDecodeError for bytes that are not text
            problem: str | None = "not JSON"
        else:
            problem = _record_problem(value)
        if problem is not None:
            damaged.append((number, line, problem))
            continue
        key = Cell(value["method"], value["family"], value["episode"], value["mode"]).key
        if key not in records:
            records[key] = value
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
    return records


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
    on_cell: Callable[[Cell], None] | None = None,
    on_problem: Callable[[str], None] | None = None,
) -> list[Record]:
    """Run the missing cells (`jobs` processes), appending each to results.jsonl; return all
    of the suite's records for these methods. `on_start(total, done)` and `on_cell` report
    progress, `on_problem` each damaged line of results.jsonl (see `load`)."""
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
    on_cell: Callable[[Cell], None] | None,
    on_problem: Callable[[str], None] | None,
) -> list[Record]:
    _check_suite(context.out, context.suite)
    log = context.out / "results.jsonl"
    done = load(log, on_problem)
    todo = cells(context.suite, methods)
    pending = [cell for cell in todo if cell.key not in done]
    if on_start is not None:
        on_start(len(todo), len(todo) - len(pending))
    for name in dict.fromkeys(cell.method for cell in pending):
        prepare = method(name).prepare
        if prepare is not None:
            prepare(context)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(pending)))
    with log.open("a") as out:

        def finish(record: Record, cell: Cell) -> None:
            out.write(json.dumps(record) + "\n")
            out.flush()
            done[cell.key] = record
            if on_cell is not None:
                on_cell(cell)

        if workers == 1:
            for cell in pending:
                finish(run_cell(context, cell), cell)
        else:
            spawn = multiprocessing.get_context("spawn")  # no fork of a process with threads
            with ProcessPoolExecutor(
                workers, mp_context=spawn, initializer=_watch_parent, initargs=(os.getpid(),)
            ) as pool:
                futures = {pool.submit(run_cell, context, cell): cell for cell in pending}
                for future in as_completed(futures):
                    finish(future.result(), futures[future])
    return [done[cell.key] for cell in todo]


_WATCH_SECONDS = 0.2
"""How long a worker may outlive a killed bench: a getppid call this often costs nothing."""


def _watch_parent(parent: int) -> None:
    """Pool initializer: end the worker when the bench dies. Nothing else would: a spawned
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


# -- summaries -----------------------------------------------------------------------------


class Row(NamedTuple):
    """One line of summary.csv: a method on a protocol, over the suite's trajectories."""

    suite: str
    method: str
    protocol: str
    accuracy: float
    ci_low: float
    ci_high: float
    nll: float
    brier: float
    n: int
    seconds_per_prediction: float
    seconds_total: float
    prompt_tokens: float
    completion_tokens: float


def protocol_scores(suite: Suite, record: Record, protocol: str) -> dict[str, float]:
    """A trajectory's accuracy, NLL and Brier score on one protocol, from its pass's record."""
    wanted = suite.protocol_steps(protocol)
    scored = [p for p in record["predictions"] if p["t"] in wanted]
    return {
        "accuracy": statistics.fmean(p["hit"] for p in scored),
        "nll": statistics.fmean(-math.log(max(p["p"], 1e-12)) for p in scored),
        "brier": statistics.fmean(p["brier"] for p in scored),
    }


def _passes(protocol: str) -> str:
    return "online" if protocol == "online" else "frozen"


def summarize(suite: Suite, records: Sequence[Record]) -> list[Row]:
    rows = []
    for name in dict.fromkeys(r["method"] for r in records):
        mine = [r for r in records if r["method"] == name]
        for protocol in suite.protocols:
            runs = [r for r in mine if r["mode"] == _passes(protocol)]
            if not runs:
                continue
            scores = [protocol_scores(suite, r, protocol) for r in runs]
            accuracy = [s["accuracy"] for s in scores]
            low, high = bootstrap_interval(accuracy)
            predictions = [p for r in runs for p in r["predictions"]]
            rows.append(
                Row(
                    suite=suite.name,
                    method=name,
                    protocol=protocol,
                    accuracy=statistics.fmean(accuracy),
                    ci_low=low,
                    ci_high=high,
                    nll=statistics.fmean(s["nll"] for s in scores),
                    brier=statistics.fmean(s["brier"] for s in scores),
                    n=len(runs),
                    seconds_per_prediction=statistics.fmean(p["seconds"] for p in predictions),
                    seconds_total=sum(r["seconds"] for r in runs),
                    prompt_tokens=sum(r["usage"].get("prompt_tokens", 0) for r in runs),
                    completion_tokens=sum(r["usage"].get("completion_tokens", 0) for r in runs),
                )
            )
    return rows


def by_family(suite: Suite, records: Sequence[Record]) -> list[dict[str, Any]]:
    """Accuracy per method, protocol and family: where each method wins and loses."""
    rows = []
    for name in dict.fromkeys(r["method"] for r in records):
        for protocol in suite.protocols:
            for family in suite.families:
                runs = [
                    r
                    for r in records
                    if (r["method"], r["family"], r["mode"]) == (name, family, _passes(protocol))
                ]
                if runs:
                    accuracy = [protocol_scores(suite, r, protocol)["accuracy"] for r in runs]
                    rows.append(
                        {
                            "method": name,
                            "protocol": protocol,
                            "family": family,
                            "accuracy": statistics.fmean(accuracy),
                            "n": len(runs),
                        }
                    )
    return rows


def confusions(records: Sequence[Record]) -> list[dict[str, Any]]:
    """How often each method predicted one action (its top) when another was taken, per pass:
    what it gets wrong, e.g. moves predicted where people paused."""
    counts: dict[tuple[str, str, str, str], int] = {}
    for record in records:
        for p in record["predictions"]:
            key = (record["method"], record["mode"], p["top"], p["actual"])
            counts[key] = counts.get(key, 0) + 1
    return [
        {"method": m, "pass": mode, "predicted": top, "actual": actual, "count": n}
        for (m, mode, top, actual), n in counts.items()
    ]


def markdown(rows: Sequence[Row]) -> str:
    """The summary as a markdown table, protocols as columns: accuracy [95% interval]."""
    methods = list(dict.fromkeys(row.method for row in rows))
    protocols = [p for p in PROTOCOLS if any(row.protocol == p for row in rows)]
    cell = {(row.method, row.protocol): row for row in rows}
    lines = [
        "| method | " + " | ".join(protocols) + " | s / prediction |",
        "|---|" + "---|" * (len(protocols) + 1),
    ]
    for name in methods:
        found = {p: cell[(name, p)] for p in protocols if (name, p) in cell}
        values = [
            f"{r.accuracy:.3f} [{r.ci_low:.2f}, {r.ci_high:.2f}]" if (r := found.get(p)) else ""
            for p in protocols
        ]
        speed = statistics.fmean(r.seconds_per_prediction for r in found.values())
        lines.append(f"| {name} | " + " | ".join(values) + f" | {speed:.3g} |")
    return "\n".join(lines) + "\n"


def write_outputs(out: Path, suite: Suite, records: Sequence[Record]) -> list[Row]:
    """summary.md, summary.csv, families.csv, confusions.csv and the plots, from the
    records."""
    from rote.evaluation import plots

    rows = summarize(suite, records)
    with atomic_write(out / "summary.md") as tmp:
        tmp.write_text(markdown(rows))
    _write_csv(out / "summary.csv", [row._asdict() for row in rows])
    _write_csv(out / "families.csv", by_family(suite, records))
    _write_csv(out / "confusions.csv", confusions(records))
    plots.accuracy(rows, out / "accuracy.png")
    plots.cost(suite, records, out / "cost.png")
    plots.particles(suite, rows, out / "particles.png")
    return rows


def _write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    with atomic_write(path) as tmp, tmp.open("w", newline="") as handle:
        if rows:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
