"""How online accuracy depends on `ROTE(surprise=...)`, measured on training episodes only.

    python benchmarks/surprise_threshold.py [--suites construction construction-noisy]
        [--per-family 2] [--thresholds 0 0.02 0.05 0.1]
        [--out benchmarks/results/surprise_threshold.json]

An observed action the particles gave less than `surprise` probability starts a search at once
(besides the rule that no particle beat a uniform guess over the last 5 steps). The default was
set at 0.05 after looking at two test episodes; this checks it where no test agent is: the first
`--per-family` training trajectories of each family of each suite (those `rote-library` learns
from, never a test trajectory), cut to the suite's steps. Per threshold, rote (the suite's
particles and budget) observes the suite's window, infers, then predicts and observes every
later step online: the accuracy (ties split), the rejuvenations and the wall seconds.

Writes the JSON to `--out` and prints one line per suite and threshold.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from rote import ROTE
from rote.evaluation.metrics import tie_split_hit
from rote.evaluation.protocols import predict_trajectory
from rote.evaluation.suites import Suite, suite
from rote.files import atomic_write
from rote.progress import progress_bar
from rote.proposers.synthesizer import Budget, SynthProposer
from rote.trajectory import Trajectory


def online(chosen: Suite, trajectories: list[Trajectory], surprise: float) -> dict[str, Any]:
    hits = predicted = rejuvenations = 0
    began = time.perf_counter()
    spec = chosen.env(chosen.families[0])
    with progress_bar() as progress:
        task = progress.add_task(f"{chosen.name}, surprise {surprise}", total=len(trajectories))
        for trajectory in trajectories:
            steps = trajectory.steps[: chosen.steps]
            proposer = SynthProposer(Budget(programs=chosen.budget))
            with ROTE(
                spec, proposer, n_particles=chosen.particles, surprise=surprise,
                takes_ownership=True,
            ) as model:  # fmt: skip
                run = predict_trajectory(model, steps, chosen.observe, "online")
                rejuvenations += sum(record.rejuvenated for record in model.records)
            scored = [(p.distribution, p.actual) for p in run.predictions if p.actual is not None]
            hits += sum(tie_split_hit(distribution, actual) for distribution, actual in scored)
            predicted += len(scored)
            progress.advance(task)
    return {
        "surprise": surprise,
        "online": round(hits / predicted, 4),
        "rejuvenations": rejuvenations,
        "seconds": round(time.perf_counter() - began, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suites", nargs="+", default=["construction", "construction-noisy"])
    parser.add_argument("--per-family", type=int, default=2)
    parser.add_argument("--thresholds", nargs="+", type=float, default=[0.0, 0.02, 0.05, 0.1])
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/surprise_threshold.json")
    )
    args = parser.parse_args()
    report: dict[str, Any] = {
        "benchmark": "surprise_threshold",
        "per_family": args.per_family,
        "suites": {},
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
    }
    for name in args.suites:
        chosen = suite(name)
        trajectories = [
            trajectory
            for family in chosen.families
            for trajectory in chosen.train_trajectories((family,))[: args.per_family]
        ]
        rows = []
        for threshold in args.thresholds:
            row = online(chosen, trajectories, threshold)
            print(json.dumps({"suite": name, "trajectories": len(trajectories), **row}))
            rows.append(row)
        report["suites"][name] = {"trajectories": len(trajectories), "thresholds": rows}
    with atomic_write(args.out) as tmp:
        tmp.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
