"""Batch prediction (`rote predict --trajectories`): `prediction_report` on many trajectories,
each a task on an executor, its record appended to results.jsonl as it finishes.

A record is the `rote predict --json` object of one trajectory (its file is
`settings.trajectory`), or, for a trajectory that could not be predicted (a malformed file, too
few steps, workers that kept dying), a failure record with the reason in one line. Both count
as finished: a rerun with the same results.jsonl predicts only the trajectories without one.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from rote.errors import RoteError
from rote.evaluation.executors import Executor, Failed, LocalPool
from rote.evaluation.journal import load_records, only_writer
from rote.evaluation.prediction import READABLE, SCHEMA, PredictionReport, prediction_report
from rote.evaluation.protocols import Updating
from rote.files import file_target
from rote.library import load_library
from rote.plugins import in_plugin
from rote.proposers import Budget, make_proposer
from rote.proposers.library import LibraryProposer, with_library
from rote.proposers.llm.config import LLMConfig
from rote.trajectory import read_trajectory
from rote.version import __version__

FAILURE_SCHEMA = "rote.prediction-failure/1"


class BatchSettings(NamedTuple):
    """What every trajectory's run takes: what builds its proposer (in the worker) and ROTE."""

    observe: int
    updating: Updating = "frozen"
    particles: int = 30
    seed: int = 0
    horizon: int | None = None
    proposer: str = "synth"
    budget: int = Budget().programs
    """Programs the synthesizer scores per search (synth, hybrid)."""
    programs: tuple[str, ...] = ()
    """For the `list` proposer: its .py files or directories (on every node)."""
    llm: LLMConfig | None = None
    top: int | None = None
    """Programs kept in each record, best first (None: all)."""
    library: str | None = None
    """A program library's directory (on every node): its programs first, the proposer's
    behind them."""
    concentration: float | None = None
    """The library's concentration, if not its own."""


class BatchRecord(NamedTuple):
    """One line of results.jsonl: a trajectory's report, or why it has none."""

    trajectory: str
    report: PredictionReport | None
    error: str | None


def find_trajectories(where: str) -> list[str]:
    """The trajectory files `--trajectories` names: a directory's .jsonl files, or a glob's
    matches, sorted. Normalised (`d/x.jsonl`, however `d` or `./d/*.jsonl` was written), since a
    rerun finds its finished trajectories by these names."""
    if Path(where).is_dir():
        found = sorted(os.path.normpath(path) for path in Path(where).glob("*.jsonl"))
    else:
        matches = glob.glob(where)
        found = sorted(os.path.normpath(path) for path in matches if Path(path).is_file())
    if not found:
        raise RoteError(f"{where}: no trajectory files (give a directory of .jsonl or a glob)")
    return found


def predict_many(
    trajectories: Sequence[str],
    settings: BatchSettings,
    out: Path,
    *,
    executor: Executor | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_record: Callable[[BatchRecord], None] | None = None,
    on_problem: Callable[[str], None] | None = None,
) -> list[BatchRecord]:
    """Predict each trajectory file on `executor` (default: a local pool, one process per core)
    and append its record to `out` (a results.jsonl) as it finishes; return the records of all
    of them, in order. Those `out` holds already are not predicted again. `on_start(total,
    done)` and `on_record` report progress, `on_problem` each damaged line of `out`."""
    paths = list(dict.fromkeys(trajectories))
    file_target(out)
    busy = f"{out} is in use by another rote predict; wait for it to end or use another --out"
    with only_writer(out.with_name(out.name + ".lock"), busy):
        done = load_records(
            out,
            parse_record,
            lambda record: record.trajectory,
            what="prediction record",
            unit="trajectory",
            on_problem=on_problem,
        )
        _check_settings(out, done.values(), settings)
        pending = [path for path in paths if path not in done]
        if on_start is not None:
            on_start(len(paths), len(paths) - len(pending))
        with out.open("a") as log:
            for path, result in (executor or LocalPool()).run(predict_one, settings, pending):
                value = failure(path, result.reason) if isinstance(result, Failed) else result
                log.write(json.dumps(value) + "\n")
                log.flush()
                done[path] = parse_record(value)
                if on_record is not None:
                    on_record(done[path])
    return [done[path] for path in paths]


def predict_one(settings: BatchSettings, path: str) -> dict[str, Any]:
    """One trajectory's record, computed where the executor runs it: the proposer is built
    here. A RoteError (a malformed file, too few steps) makes a failure record."""
    try:
        trajectory = read_trajectory(path)
        library = None
        if settings.library is not None:
            library = load_library(settings.library, settings.concentration)
        proposer = make_proposer(
            settings.proposer,
            budget=settings.budget,
            llm=settings.llm,
            programs=settings.programs,
        )
        with with_library(proposer, library) as proposer:
            report = prediction_report(
                trajectory,
                proposer,
                observe=settings.observe,
                updating=settings.updating,
                particles=settings.particles,
                seed=settings.seed,
                horizon=settings.horizon,
                llm=settings.llm,
                path=path,
            )
    except RoteError as error:
        return failure(path, in_plugin(error))
    return report.to_json(top=settings.top)


def failure(path: str, reason: str) -> dict[str, Any]:
    """The record of a trajectory that has no predictions."""
    return {"schema": FAILURE_SCHEMA, "rote": __version__, "trajectory": path, "error": reason}


def parse_record(value: Any) -> BatchRecord:
    """A results.jsonl line's record; ValueError if it is not one."""
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    if value.get("schema") == FAILURE_SCHEMA:
        path, error = value.get("trajectory"), value.get("error")
        if not isinstance(path, str) or not isinstance(error, str):
            raise ValueError('"trajectory" or "error" is missing or not text')
        return BatchRecord(path, None, error)
    if value.get("schema") not in READABLE:
        raise ValueError(f"schema is not {SCHEMA} or {FAILURE_SCHEMA}")
    try:
        report = PredictionReport.from_json(value)
    except (KeyError, TypeError) as error:
        raise ValueError(f"a field is missing or of the wrong type ({error})") from None
    if not isinstance(report.settings.trajectory, str):
        raise ValueError("settings.trajectory is not a file name")
    return BatchRecord(report.settings.trajectory, report, None)


_COMPARED = ("observe", "mode", "particles", "seed", "proposer", "horizon")
"""The settings of a record that must match a rerun's: resuming with others would mix runs."""


def _check_settings(out: Path, records: Iterable[BatchRecord], settings: BatchSettings) -> None:
    asked = {
        "observe": settings.observe,
        "mode": settings.updating,
        "particles": settings.particles,
        "seed": settings.seed,
        "proposer": LibraryProposer.name if settings.library else settings.proposer,
        "horizon": settings.horizon,
    }
    for record in records:
        if record.report is None:
            continue
        found = record.report.settings._asdict()
        for name in _COMPARED:
            if found[name] != asked[name]:
                raise RoteError(
                    f"{out} holds predictions of other settings ({name} {found[name]}, not "
                    f"{asked[name]}); use another --out"
                )


class BatchSummary(NamedTuple):
    trajectories: int
    predicted: int
    mean_accuracy: float | None
    """Mean of the predicted trajectories' accuracies (None if none was)."""
    failures: tuple[BatchRecord, ...]


def summarize_batch(records: Sequence[BatchRecord]) -> BatchSummary:
    accuracies = [r.report.accuracy for r in records if r.report is not None]
    return BatchSummary(
        trajectories=len(records),
        predicted=len(accuracies),
        mean_accuracy=sum(accuracies) / len(accuracies) if accuracies else None,
        failures=tuple(r for r in records if r.error is not None),
    )
