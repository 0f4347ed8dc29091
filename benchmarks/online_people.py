"""What the people bench's online cells cost: rote on a person's Overcooked game, online.

    python benchmarks/online_people.py [--observe 200] [--players 2] [--predict 50]
        [--code LABEL=SRC_DIR ...] [--out benchmarks/results/online_people.json]

A cell is what `rote bench --suite overcooked-human` runs for one player-game and the online
protocol: the synthesizer's ROTE (the suite's budget and particles, one sandbox worker)
observes the first W steps, infers, then predicts each of the next `--predict` steps and
observes it with updating, searching again wherever no program explains a step (on most steps
of a person's game). Here the cells are the first `--players` test players of each layout.

`--code` compares versions of rote in one run: each LABEL's cells run with SRC_DIR (a
checkout's `src`, e.g. a `git worktree` of an older commit) first on the import path, and the
versions take turns cell by cell, so a busy machine slows them alike. Without it, the rote this
Python imports runs alone, labelled "this". Each cell runs in a fresh process, as the bench's
workers do, and reports its wall seconds (observe, infer and predict) and its online accuracy
(top-1, ties split), which should not change between versions that only change speed.

Writes the cells and, per version, the median seconds, the total, and the mean accuracy, with
the ratio of each version's median to the first's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rote.files import atomic_write

CELL = """
import json, sys, time
from pathlib import Path
from rote.evaluation.methods import Context, method
from rote.evaluation.protocols import accuracy, predict_trajectory
from rote.evaluation.suites import suite

layout, player, observe, predict = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
people = suite("overcooked-human", observe=observe)
steps = people.test_trajectory(layout, player)
model = method("rote").make(Context(people, Path(".")), layout)  # the bench's own rote
began = time.perf_counter()
run = predict_trajectory(model, steps, observe, "online", stop=observe + predict)
seconds = time.perf_counter() - began
model.close()
print(json.dumps({"seconds": seconds, "infer_seconds": run.infer_seconds,
                  "accuracy": accuracy(run.predictions), "predicted": len(run.predictions)}))
"""

LAYOUTS = ("cramped_room", "asymmetric_advantages", "coordination_ring", "random0", "random3")


def run_cell(
    source: str | None, layout: str, player: int, observe: int, predict: int
) -> dict[str, Any]:
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (source, env.get("PYTHONPATH"))))
    done = subprocess.run(
        [sys.executable, "-c", CELL, layout, str(player), str(observe), str(predict)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{layout} player {player} failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--observe", type=int, default=200)
    parser.add_argument("--players", type=int, default=2, help="test players per layout")
    parser.add_argument("--predict", type=int, default=50, help="online steps per cell")
    parser.add_argument("--code", nargs="*", default=[], metavar="LABEL=SRC_DIR")
    parser.add_argument("--out", default="benchmarks/results/online_people.json")
    args = parser.parse_args()
    versions: list[tuple[str, str | None]] = [("this", None)]
    if args.code:
        versions = []
        for given in args.code:
            label, sep, source = given.partition("=")
            if not sep or not Path(source, "rote").is_dir():
                raise SystemExit(f"--code {given}: want LABEL=SRC_DIR, a directory holding rote/")
            versions.append((label, str(Path(source).resolve())))
    from rich.progress import Progress  # after the arguments: --help needs no rote install

    cells: list[dict[str, Any]] = []
    total = len(LAYOUTS) * args.players * len(versions)
    began = time.time()
    with Progress() as bar:
        task = bar.add_task("online cells", total=total)
        for layout in LAYOUTS:
            for player in range(args.players):
                for label, source in versions:
                    found = run_cell(source, layout, player, args.observe, args.predict)
                    cells.append({"version": label, "layout": layout, "player": player, **found})
                    bar.advance(task)
    summary: dict[str, Any] = {}
    for label, _ in versions:
        mine = [cell for cell in cells if cell["version"] == label]
        summary[label] = {
            "median_seconds": statistics.median(cell["seconds"] for cell in mine),
            "total_seconds": sum(cell["seconds"] for cell in mine),
            "accuracy": statistics.fmean(cell["accuracy"] for cell in mine),
        }
    first = summary[versions[0][0]]["median_seconds"]
    for found in summary.values():
        found["median_ratio_to_first"] = found["median_seconds"] / first
    report = {
        "benchmark": "online_people",
        "settings": {
            "observe": args.observe,
            "players_per_layout": args.players,
            "predict": args.predict,
            "versions": dict(versions),
        },
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "wall_seconds": time.time() - began,
        "summary": summary,
        "cells": cells,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(out) as tmp:
        tmp.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
