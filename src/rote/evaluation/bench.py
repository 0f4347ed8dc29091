"""`rote bench`: every method on every trajectory of a suite, resumable, in parallel.

The unit of work is a cell (`CellKey`): (method, family, episode, pass), where the pass is
`frozen` (the single-step, multi-step and, where layouts swap, after-swap protocols) or
`online`. Each finished cell is appended to results.jsonl as one line (`CellResult`) with every
prediction's scores and times, so a killed run loses only the cells in flight, and a rerun
computes only the cells missing (and those of damaged lines, which `load` sets aside). This
module only runs cells; `rote.evaluation.summary` writes the tables and plots from the results.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from rote.errors import RoteError
from rote.evaluation.executors import Executor, Failed, LocalPool
from rote.evaluation.journal import load_records, only_writer
from rote.evaluation.methods import METHODS, Context, method
from rote.evaluation.metrics import brier, tie_split_hit, top_action, without_idle
from rote.evaluation.protocols import UPDATING, Prediction, predict_trajectory
from rote.evaluation.records import CellKey, CellResult, ScoredPrediction
from rote.evaluation.suites import Suite, settings
from rote.files import atomic_write, make_directory


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
        idle = predictor.env.idle_action
    return CellResult(
        suite=suite.name,
        method=cell.method,
        family=cell.family,
        episode=cell.episode,
        updating=cell.updating,
        infer_seconds=run.infer_seconds,
        seconds=time.perf_counter() - start,
        usage=usage,
        predictions=tuple(_scored(p, idle) for p in run.predictions),
    )


def _scored(prediction: Prediction, idle: str | None) -> ScoredPrediction:
    distribution, actual = prediction.distribution, prediction.actual
    assert actual is not None
    no_stay = without_idle(distribution, actual, idle)
    return ScoredPrediction(
        t=prediction.t,
        actual=actual,
        top=top_action(distribution),
        hit=tie_split_hit(distribution, actual),
        p=distribution[actual],
        brier=brier(distribution, actual),
        seconds=prediction.seconds,
        no_stay_hit=None if no_stay is None else no_stay.hit,
        no_stay_p=None if no_stay is None else no_stay.p,
        no_stay_top=None if no_stay is None else no_stay.top,
    )


def load(path: Path, on_problem: Callable[[str], None] | None = None) -> dict[str, CellResult]:
    """Finished cells by name, read from results.jsonl and repaired so that appending can go on
    (`load_records`: a cut or damaged line's cell reruns)."""
    return load_records(
        path,
        CellResult.from_json,
        lambda result: result.cell.name,
        what="bench record",
        unit="cell",
        on_problem=on_problem,
    )


def _model_settings() -> dict[str, tuple[str, ...]]:
    """Suite settings only a population method's models depend on, by the directory of a
    results directory they are learnt in (`rote-library`'s libraries, each BC's ensembles)."""
    return {m.model_dir: m.model_settings for m in METHODS.values() if m.model_dir is not None}


def _check_suite(out: Path, suite: Suite) -> None:
    """A directory holds one suite's results: resuming with other settings would mix them.
    The suite's default methods are no such setting: every method's cells are its own, so a
    directory takes a method the suite did not list when it was written. Nor are the settings
    of a population method's model before it is learnt there: they are then recorded anew."""
    path = out / "suite.json"
    config = settings(suite)
    if path.exists():
        try:
            found = json.loads(path.read_bytes())
        except ValueError:  # not JSON (rote before atomic writes could leave it cut short)
            raise RoteError(
                f"{path} is damaged; if {out} holds results of these settings, delete it"
            ) from None
        found = _with_new_defaults(found, suite)
        model_settings = _model_settings()
        learnt = [part for part in model_settings if (out / part).exists()]
        ignored = {name for names in model_settings.values() for name in names}
        ignored -= {name for part in learnt for name in model_settings[part]}
        differences = _differences(found, config, ignored)
        if differences:
            raise RoteError(
                f"{out} holds results of other suite settings ({path}: {differences}); "
                "use another --out"
            )
        if not _differences(found, config, ()):
            return
    with atomic_write(path) as tmp:
        tmp.write_text(json.dumps(config, indent=2) + "\n")


def _with_new_defaults(found: object, suite: Suite) -> object:
    """A suite.json an older rote wrote, with each setting added since at what rote did
    before it: so a directory of results stays resumable when a setting is added, unless it
    is set. That is the setting's default, but for `library_steps`: libraries learnt from a
    test trajectory's length before it was a setting."""
    if not isinstance(found, dict):
        return found
    defaults = {
        field.name: field.default
        for field in dataclasses.fields(suite)
        if field.default is not dataclasses.MISSING
    }
    before = {"library_steps": found.get("steps")}
    return {**json.loads(json.dumps(defaults)), **before, **found}


def _differences(found: object, config: dict[str, Any], ignored: Collection[str]) -> str:
    """Each setting but `ignored` a results directory was made with that differs here, as
    "name there, not here", so a user can match it; "" if none does."""
    if not isinstance(found, dict):
        return "not a JSON object"
    return "; ".join(
        f"{name} {json.dumps(found.get(name))}, not {json.dumps(config.get(name))}"
        for name in sorted(set(found) | set(config))
        if name != "methods" and name not in ignored and found.get(name) != config.get(name)
    )


def run_bench(
    context: Context,
    methods: Sequence[str],
    *,
    jobs: int | None = None,
    executor: Executor | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_cell: Callable[[CellKey], None] | None = None,
    on_problem: Callable[[str], None] | None = None,
) -> list[CellResult]:
    """Run the missing cells on `executor` (default: a local pool of `jobs` processes),
    appending each to results.jsonl; return the results of all of the suite's cells for these
    methods, in `cells` order. `on_start(total, done)` and `on_cell` report progress,
    `on_problem` each damaged line of results.jsonl (see `load`). Cells whose workers kept
    dying are listed in failed.jsonl and end the bench with a RoteError, after every other
    cell is saved; a rerun retries them."""
    for name in methods:
        if method(name).needs_idle:  # an unknown name fails here too, before any work
            for family in context.suite.families:
                env = context.suite.env(family)
                if env.idle_action is None:
                    raise RoteError(f"method {name} predicts the idle action; {env.id} has none")
    make_directory(context.out)
    busy = f"{context.out} is in use by another rote bench; wait for it to end or use another --out"
    with only_writer(context.out / ".lock", busy):
        return _run_missing(
            context, methods, executor or LocalPool(jobs), on_start, on_cell, on_problem
        )


def _run_missing(
    context: Context,
    methods: Sequence[str],
    executor: Executor,
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
    failed: list[tuple[CellKey, Failed]] = []
    with log.open("a") as out:
        for cell, result in executor.run(run_cell, context, pending):
            if isinstance(result, Failed):
                failed.append((cell, result))
                continue
            out.write(json.dumps(result.to_json()) + "\n")
            out.flush()
            done[cell.name] = result
            if on_cell is not None:
                on_cell(cell)
    if failed:
        path = context.out / "failed.jsonl"
        with path.open("a") as handle:
            for cell, failure in failed:
                handle.write(json.dumps({"cell": cell.name, "error": failure.reason}) + "\n")
        raise RoteError(
            f"{len(failed)} cells failed ({failed[0][1].reason}), listed in {path}; "
            "the others are saved, and a rerun retries these"
        )
    return [done[cell.name] for cell in todo]
