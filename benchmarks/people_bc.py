"""What the converged BC's lead on people owes to the previous action and to memory.

    python benchmarks/people_bc.py [--observe 50 200] [--work DIR]
        [--out benchmarks/results/people_bc.json]

On the 2019 Overcooked test players the bench's BCs, trained to convergence, say what people do
when they act far better than rote does (README, People). The bench's BC reads at each tick
Carroll-style features of the kitchen, the action the person took at the tick before, and,
through its LSTM, every tick before that. rote's programs read the kitchen; its tempo layer reads
the idle ticks since the last key press. Which of the three does the BC's lead come from?

Per layout this trains the bench's two BCs (plain and class-balanced, the suite's seeds and epochs,
on the train split) four ways: as the bench does ("full"); without the previous action; without
memory (each tick read alone, from a zero state); and with neither, a policy of the current kitchen
only, the kind of feed-forward BC Carroll et al. trained, on our features. Each model observes the
first W ticks of every test player and predicts the next 50 with its weights frozen, the true
actions revealed as they come (the bench's multi-step protocol), scored as the bench scores:
accuracy, cross-entropy, and both with stay set aside, pooled over ticks, per layout and over all
players. Models go to `--work` (a rerun loads the finished ones).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from people_train import PEOPLE, frozen_scores, scores

from rote.baselines.bc import BCConfig, BCEnsemble, BCPredictor, train_bc
from rote.files import atomic_write

READS: dict[str, dict[str, bool]] = {
    "full": {"previous_action": True, "memory": True},
    "no-previous-action": {"previous_action": False, "memory": True},
    "no-memory": {"previous_action": True, "memory": False},
    "kitchen-only": {"previous_action": False, "memory": False},
}
WEIGHTS = {"bc": False, "bc-balanced": True}
"""The bench's two BCs: name to class_weights."""


def trained(work: Path, layout: str, name: str, reads: str) -> BCEnsemble:
    """The ensemble of one layout, BC and way of reading, trained unless it is in `work`."""
    out = work / name / reads / PEOPLE.env_key(layout)
    if not BCEnsemble.exists(out):
        train_bc(
            PEOPLE.env(layout),
            PEOPLE.train_trajectories((layout,)),
            seeds=tuple(range(PEOPLE.bc_seeds)),
            epochs=PEOPLE.bc_epochs,
            config=BCConfig(class_weights=WEIGHTS[name], **READS[reads]),
            out_dir=out,
        )
    return BCEnsemble.load(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--observe", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--work", type=Path, default=Path("benchmarks/results/people_bc"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/people_bc.json"))
    args = parser.parse_args()
    began = time.time()
    results: dict[str, Any] = {f"W={w}": {} for w in args.observe}
    best_epochs: dict[str, Any] = {}
    for name in WEIGHTS:
        for reads in READS:
            key = f"{name}/{reads}"
            rows: dict[int, dict[str, list[Any]]] = {w: {} for w in args.observe}
            best_epochs[key] = {}
            for layout in PEOPLE.families:
                ensemble = trained(args.work, layout, name, reads)
                best_epochs[key][layout] = [member.best_epoch for member in ensemble.members]
                env = PEOPLE.env(layout)
                for w in args.observe:
                    window = PEOPLE.with_observe(w)
                    rows[w][layout] = [
                        row
                        for player in range(window.episodes_of(layout))
                        for row in frozen_scores(
                            BCPredictor(env, ensemble), window.test_trajectory(layout, player), w
                        )
                    ]
            for w in args.observe:
                found = {layout: scores(r) for layout, r in rows[w].items()}
                found["all"] = scores([r for layout_rows in rows[w].values() for r in layout_rows])
                results[f"W={w}"][key] = found
                print(f"W={w} {key}: {json.dumps(found['all'])}", flush=True)
    report = {
        "benchmark": "people_bc",
        "settings": {
            "observe": args.observe,
            "predict": PEOPLE.horizon,
            "bc_seeds": PEOPLE.bc_seeds,
            "bc_epochs": PEOPLE.bc_epochs,
        },
        "wall_seconds": round(time.time() - began, 1),
        "best_epochs": best_epochs,
        "by_window": results,
    }
    with atomic_write(args.out) as tmp:
        tmp.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
