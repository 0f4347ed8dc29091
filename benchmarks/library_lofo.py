"""Leave-one-family-out: does a library learned without a family force familiar programs on it?

    python benchmarks/library_lofo.py [--suite construction] [--concentrations 1 10 30]
        [--jobs 2] [--quick] [--out benchmarks/results/library_lofo]

For each family F of the suite, a library is fitted on the other families' training
trajectories only (the suite's `library_trajectories`: the same data the bench's `rote-library`
learns from, whose candidates, stage 1, are computed once into OUT/candidates.jsonl and shared),
and rote with it predicts F's test episodes, as the bench's frozen pass does (single-step,
multi-step and, where layouts swap, after-swap). Beside it, `rote` with the synthesizer alone on
the same episodes. One row per concentration (alpha): a library must not cost an unfamiliar
agent more than 0.02 of accuracy, averaged over families, on any of those protocols. That
criterion, not the test agents, chooses alpha's default (DEFAULT_CONCENTRATION).

Each finished cell is appended to OUT/cells.jsonl and a rerun runs only those missing; the
summary goes to OUT/summary.json and stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from rote.evaluation.bench import run_cell
from rote.evaluation.executors import Failed, LocalPool
from rote.evaluation.journal import load_records
from rote.evaluation.library import (
    CandidateSettings,
    fit_library,
    fit_noise,
    propose_candidates,
    replay_candidates,
)
from rote.evaluation.methods import Context
from rote.evaluation.records import CellKey, CellResult
from rote.evaluation.suites import Suite, suite
from rote.evaluation.summary import protocol_scores
from rote.files import atomic_write
from rote.library import DEFAULT_CONCENTRATION, Library, save_library
from rote.programs import Sandbox
from rote.progress import progress_bar
from rote.version import __version__

MAX_LOSS = 0.02
"""How much accuracy a library may cost an agent of a family it has never seen, on average."""


def fitted_without(chosen: Suite, out: Path, jobs: int) -> dict[str, Library]:
    """Per family, the library of the other families' training agents (fitted, not saved)."""
    trajectories = chosen.library_trajectories(chosen.families)
    with progress_bar() as progress:
        task = progress.add_task("candidates per training trajectory", total=len(trajectories))
        candidates = propose_candidates(
            trajectories,
            CandidateSettings(budget=chosen.budget),
            out / "candidates.jsonl",
            executor=LocalPool(jobs),
            on_start=lambda total, done: progress.update(task, total=total, completed=done),
            on_done=lambda _: progress.advance(task),
        )
    env = chosen.env(chosen.families[0])
    family_of = {name: name.rsplit("-", 1)[0] for name, _ in trajectories}
    libraries = {}
    with progress_bar() as progress, Sandbox(workers=1) as sandbox:
        task = progress.add_task("replaying the candidates", total=len(trajectories))
        replays = replay_candidates(
            env,
            trajectories,
            candidates,
            sandbox=sandbox,
            on_replayed=lambda _: progress.advance(task),
        )
        for family in chosen.families:
            others = [item for item in trajectories if family_of[item[0]] != family]
            programs = fit_library(replays, [name for name, _ in others])
            noise = fit_noise(env, others, programs, sandbox=sandbox)
            libraries[family] = Library(env.id, programs, dict(env.kwargs), noise=noise)
    return libraries


def run(
    chosen: Suite, out: Path, concentrations: list[float], jobs: int
) -> list[tuple[str, CellResult]]:
    """rote's and each concentration's rote-library's frozen cells: those in cells.jsonl kept,
    the others run and appended."""
    log = out / "cells.jsonl"
    done = load_records(log, _parse, lambda r: r["name"], what="lofo cell", unit="cell")
    libraries = fitted_without(chosen, out, jobs)
    groups: list[tuple[str, Context, list[CellKey]]] = []
    synth = Context(chosen, out / "synth")
    keys = [
        CellKey("rote", f, e, "frozen") for f in chosen.families for e in range(chosen.episodes)
    ]
    groups.append(("rote", synth, keys))
    for alpha in concentrations:
        for family in chosen.families:
            where = out / f"alpha={alpha:g}" / family
            # the bench's rote-library reads its library from here (and builds none)
            save_library(
                libraries[family].with_concentration(alpha),
                where / "library" / chosen.env_key(family),
            )
            keys = [CellKey("rote-library", family, e, "frozen") for e in range(chosen.episodes)]
            groups.append((f"alpha={alpha:g}", Context(chosen, where), keys))
    results: list[tuple[str, CellResult]] = []
    with progress_bar() as progress, log.open("a") as handle:
        total = sum(len(keys) for _, _, keys in groups)
        task = progress.add_task("lofo cells", total=total)
        for label, context, keys in groups:
            pending = [k for k in keys if f"{label}/{k.name}" not in done]
            progress.advance(task, len(keys) - len(pending))
            for key, result in LocalPool(jobs).run(run_cell, context, pending):
                if isinstance(result, Failed):
                    raise SystemExit(f"{label}/{key.name}: {result.reason}")
                record = {"name": f"{label}/{key.name}", "label": label, **result.to_json()}
                handle.write(json.dumps(record) + "\n")
                handle.flush()
                done[record["name"]] = record
                progress.advance(task)
            for key in keys:
                record = done[f"{label}/{key.name}"]
                results.append((label, CellResult.from_json(_cell(record))))
    return results


def _parse(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or "name" not in value or "label" not in value:
        raise ValueError("not a lofo cell")
    CellResult.from_json(_cell(value))
    return value


def _cell(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("name", "label")}


def summarize(
    chosen: Suite, results: list[tuple[str, CellResult]], seconds: float
) -> dict[str, Any]:
    protocols = [p for p in chosen.protocols if p != "online"]
    labels = list(dict.fromkeys(label for label, _ in results))
    per_family: dict[str, dict[str, dict[str, float]]] = {}
    medians: dict[str, float] = {}
    for label in labels:
        mine = [r for lab, r in results if lab == label]
        medians[label] = round(statistics.median(r.infer_seconds for r in mine), 3)
        per_family[label] = {
            family: {
                protocol: round(
                    statistics.fmean(
                        protocol_scores(chosen, r, protocol)["accuracy"]
                        for r in mine
                        if r.family == family
                    ),
                    4,
                )
                for protocol in protocols
            }
            for family in chosen.families
        }
    means = {
        label: {
            p: round(statistics.fmean(f[p] for f in per_family[label].values()), 4)
            for p in protocols
        }
        for label in labels
    }
    rows = {}
    for label in labels:
        if label == "rote":
            continue
        loss = {p: round(means["rote"][p] - means[label][p], 4) for p in protocols}
        rows[label] = {
            "mean": means[label],
            "loss_to_synth": loss,
            "holds": all(v <= MAX_LOSS for v in loss.values()),
            "median_infer_seconds": medians[label],
        }
    return {
        "benchmark": "library_lofo",
        "suite": chosen.name,
        "episodes": chosen.episodes,
        "max_loss": MAX_LOSS,
        "default_concentration": DEFAULT_CONCENTRATION,
        "synth": {"mean": means["rote"], "median_infer_seconds": medians["rote"]},
        "libraries": rows,
        "families": per_family,
        "seconds": round(seconds, 1),
        "rote": __version__,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="construction")
    parser.add_argument("--concentrations", type=float, nargs="+", default=[1.0, 10.0, 30.0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="the suite's quick version")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    chosen = suite(args.suite, quick=args.quick)
    out = args.out or Path("benchmarks/results") / f"library_lofo-{chosen.name}"
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    results = run(chosen, out, args.concentrations, args.jobs)
    report = summarize(chosen, results, time.perf_counter() - start)
    with atomic_write(out / "summary.json") as tmp:
        tmp.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "families"}, indent=2))


if __name__ == "__main__":
    main()
