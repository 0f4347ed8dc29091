"""How much of each training game a library of people should learn from, chosen on the train split.

    python benchmarks/library_steps.py [--steps 100 250 1300] [--observe 50] [--predict 50]
        [--bc-epochs 8] [--work DIR] [--out benchmarks/results/library_steps.json]

`rote bench --library-steps N` has `rote-library` learn from the first N ticks of each training
game; by default all of them, as this chose at W = 50. This chooses N without the test split. Per
layout, the 2019 games' train players are split in two halves by index (even, odd). A library that
the bench's `rote-library` learns from one half, the first N ticks of each game, is the prior for
rote on each player of the other half. rote observes the first W ticks and predicts the next 50 with
frozen weights, scored as the bench scores (people_train.py's `scores`). The halves then swap, so
every train player is predicted once per N, by a library that never saw it. Libraries and their
candidates go to `--work` (a rerun resumes them). Writes per N, per layout and over all players:
accuracy, cross-entropy and both with stay set aside; and the same for the bench's balanced BC (key
"bc-balanced") trained on each half's whole games, the bench's strongest method on what people do
when they act, so the libraries' margin over it on these players can be set beside the test split's.
It trains for the suite's epochs unless `--bc-epochs` says otherwise: on half the data, twice as
many make as many updates as the bench's BC makes.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from people_train import PEOPLE, frozen_scores, scores

from rote.evaluation.methods import Context, method
from rote.evaluation.suites import OvercookedSuite
from rote.files import atomic_write
from rote.trajectory import Trajectory

HALVES = 2


def half(layout: str, which: int) -> list[tuple[int, Trajectory]]:
    """The train players of a layout whose index is `which` modulo HALVES, with their index."""
    players = PEOPLE.train_trajectories((layout,))
    return [(i, trajectory) for i, trajectory in enumerate(players) if i % HALVES == which]


BC = "bc-balanced"


@dataclass(frozen=True)
class Half(OvercookedSuite):
    """The people suite whose training data is one half of each layout's train players, so the
    bench's own BC method trains on it."""

    which: int = 0

    def train_trajectories(self, families: tuple[str, ...]) -> list[Trajectory]:
        return [trajectory for family in families for _, trajectory in half(family, self.which)]


def half_suite(which: int, **settings: Any) -> Half:
    """The people suite of half `which`, with other `settings` (bc_epochs, library_steps)."""
    people = {field.name: getattr(PEOPLE, field.name) for field in fields(PEOPLE)}
    return Half(**{**people, **settings}, which=which)


def half_context(work: Path, which: int, epochs: int) -> Context:
    """Where the balanced BC of half `which`, trained for `epochs`, is trained and found (a
    bench directory)."""
    return Context(half_suite(which, bc_epochs=epochs), work / BC / f"half-{which}-epochs-{epochs}")


def library_context(work: Path, steps: int, which: int) -> Context:
    """Where the bench's rote-library learns, and finds, the libraries of half `which` from the
    first `steps` ticks of each game (a bench directory)."""
    suite = half_suite(which, library_steps=steps)
    return Context(suite, work / f"steps-{steps}" / f"half-{which}")


def predicted(
    job: tuple[Path, int | str, str, int, int, int, int, int],
) -> tuple[int | str, str, list[Any]]:
    """One held-out player's scored steps: (hit, cross-entropy, no-stay (hit, cross-entropy)
    or None), predicted with the library of the other half learnt from the first N ticks
    (N = `steps`), or with the other half's balanced BC (`steps` = BC)."""
    work, steps, layout, which, player, observe, horizon, bc_epochs = job
    trajectory = PEOPLE.train_trajectories((layout,))[player]
    other = (which + 1) % HALVES
    if steps == BC:
        model = method(BC).make(half_context(work, other, bc_epochs), layout)
    else:
        assert isinstance(steps, int)
        model = method("rote-library").make(library_context(work, steps, other), layout)
    scored = frozen_scores(model, list(trajectory.steps[: observe + horizon]), observe)
    return steps, layout, scored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[100, 250, 1300])
    parser.add_argument("--observe", type=int, default=50)
    parser.add_argument("--predict", type=int, default=50)
    parser.add_argument("--bc-epochs", type=int, default=PEOPLE.bc_epochs)
    parser.add_argument("--work", type=Path, default=Path("benchmarks/results/library_steps"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/library_steps.json"))
    args = parser.parse_args()
    began = time.time()
    layouts = PEOPLE.families
    learn, train = method("rote-library").prepare, method(BC).prepare
    assert learn is not None and train is not None
    for steps in args.steps:
        for which in range(HALVES):
            learn(library_context(args.work, steps, which))
    for which in range(HALVES):
        train(half_context(args.work, which, args.bc_epochs))
    models: list[int | str] = [*args.steps, BC]
    jobs = [
        (args.work, steps, layout, which, i, args.observe, args.predict, args.bc_epochs)
        for steps in models
        for layout in layouts
        for which in range(HALVES)
        for i, _ in half(layout, which)
    ]
    # each model's sandbox worker is a process too; spawned, as the parent has run torch's
    # threads (training BC), and a forked copy of them deadlocks
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=spawn) as pool:
        done = list(pool.map(predicted, jobs))
    results: dict[str, dict[str, Any]] = {}
    for steps in models:
        rows = {
            layout: [r for n, mine, rs in done if n == steps and mine == layout for r in rs]
            for layout in layouts
        }
        results[str(steps)] = {layout: scores(found) for layout, found in rows.items()}
        results[str(steps)]["all"] = scores([r for found in rows.values() for r in found])
    report = {
        "benchmark": "library_steps",
        "settings": {
            "observe": args.observe,
            "predict": args.predict,
            "halves": HALVES,
            "bc_epochs": args.bc_epochs,
        },
        "wall_seconds": round(time.time() - began, 1),
        "by_steps": results,
    }
    with atomic_write(args.out) as tmp:
        tmp.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({n: found["all"] for n, found in results.items()}, indent=2))


if __name__ == "__main__":
    main()
