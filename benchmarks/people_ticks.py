"""Where on people each method names the key, by what the person did at the tick before.

    python benchmarks/people_ticks.py BENCH_DIR [--out benchmarks/results/people_ticks.json]

Reads a `rote bench --suite overcooked-human` directory (its suite.json and results.jsonl) and
splits each method's multi-step no-stay accuracy over the acting ticks by the kind of tick
before them (people_train.py's `SHOWN`: a step, a turn only, a move key that changed nothing,
an interact, a stay), pooled over players, and for stays by how many ticks the person had
stayed (1, 2-5, 6 or more). It says where a method's lead over another lives: after which kind
of tick the programs miss what a BC gets right.
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

from people_train import SHOWN, frozen_cells, tick_before

from rote.files import atomic_write
from rote.skills import overcooked as skills
from rote.trajectory import Step


def kind(steps: list[Step], t: int) -> str:
    """The kind of tick before step t (t >= 1), a stay with how long the person had stayed."""
    shown = tick_before(skills.parse(steps[t].observation, steps[t - 1].observation))
    if shown != "stayed":
        return shown
    stayed = 0
    while stayed < t and steps[t - 1 - stayed].action == "stay":
        stayed += 1
    return f"stayed {'1' if stayed == 1 else '2-5' if stayed <= 5 else '6+'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bench_dir", type=Path)
    parser.add_argument("--out", default="benchmarks/results/people_ticks.json")
    args = parser.parse_args()
    observe, people, cells = frozen_cells(parser, args.bench_dir)
    ticks: collections.Counter[tuple[str, str]] = collections.Counter()
    hits: collections.Counter[tuple[str, str]] = collections.Counter()
    kinds: dict[tuple[str, int, int], str] = {}
    methods: list[str] = []
    for cell in cells:
        family, episode, method = cell["family"], cell["episode"], cell["method"]
        methods += [method] if method not in methods else []
        steps = people.test_trajectory(family, episode)
        for prediction in cell["predictions"]:
            if prediction["actual"] == "stay":
                continue
            at = (family, episode, prediction["t"])
            shown = kinds.get(at) or kinds.setdefault(at, kind(steps, prediction["t"]))
            ticks[(shown, method)] += 1
            hits[(shown, method)] += prediction["no_stay_hit"]
    order = [*SHOWN[:-1], "stayed 1", "stayed 2-5", "stayed 6+"]
    report = {
        "benchmark": "people_ticks",
        "bench_dir": str(args.bench_dir),
        "observe": observe,
        "acting_ticks": {shown: ticks[(shown, methods[0])] for shown in order},
        "no_stay_accuracy": {
            method: {
                shown: hits[(shown, method)] / max(1, ticks[(shown, method)]) for shown in order
            }
            for method in methods
        },
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(out) as tmp:
        tmp.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
