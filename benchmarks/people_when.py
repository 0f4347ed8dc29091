"""Where on people each method's cross-entropy comes from: when they act, or what they do.

    python benchmarks/people_when.py BENCH_DIR [--out benchmarks/results/people_when.json]

Reads a `rote bench --suite overcooked-human` directory (its suite.json and results.jsonl) and
splits each method's multi-step cross-entropy in two, pooled over the predicted ticks:

- *when*: the cross-entropy of act-or-idle alone, -log p(stay) where the person stayed and
  -log (1 - p(stay)) where they acted, and its accuracy (the side given more than 1/2 named; a
  tie at 1/2 counts a half);
- *what*: on the ticks the person acted, the no-stay cross-entropy the bench reports (stay
  removed, the rest renormalised).

-log p(a) = -log p(act or idle) - [acted] log p(a | acted), so the cross-entropy is the first
plus the acting share times the second, but for the 1e-3 floor each of the three takes on its
own (`sum` beside `cross_entropy` shows how near). results.jsonl keeps p(a) and the no-stay
p(a | acted), so 1 - p(stay) = p(a) / p(a | acted) on an acting tick; where both are 0 it is
not known, and the tick is counted in `unknown` and left out of `when`. Also split by the idle
ticks since the person last acted (the tempo layer's buckets), and per layout.
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
from pathlib import Path
from typing import Any

from people_train import frozen_cells

from rote.evaluation.metrics import cross_entropy
from rote.files import atomic_write
from rote.inference.likelihood import NoiseModel

IDLE = "stay"
BUCKETS = NoiseModel().for_env(IDLE)
"""Ticks split by the tempo layer's default buckets of idle ticks since the last action."""


def p_when(prediction: dict[str, Any]) -> float | None:
    """The probability the method gave to what the person did at the tick, acting or idling;
    None where results.jsonl does not tell it."""
    if prediction["actual"] == IDLE:
        return float(prediction["p"])
    acting = prediction.get("no_stay_p")
    if acting is None or acting <= 0.0:  # absent (an old line), or p(a) = 0 as well
        return None
    return min(1.0, float(prediction["p"]) / acting)


def named(p: float) -> float:
    """1 if the side that happened got more than 1/2, a half at exactly 1/2, else 0."""
    return 1.0 if p > 0.5 else 0.5 if p == 0.5 else 0.0


def scores(ticks: list[tuple[float, float | None, float | None]]) -> dict[str, float | int]:
    """Pooled over (cross-entropy, when p, no-stay cross-entropy or None) per tick."""
    known = [p for _, p, _ in ticks if p is not None]
    acting = [what for _, _, what in ticks if what is not None]
    found: dict[str, float | int] = {
        "cross_entropy": statistics.fmean(ce for ce, _, _ in ticks),
        "when_cross_entropy": statistics.fmean(cross_entropy(p) for p in known),
        "when_accuracy": statistics.fmean(named(p) for p in known),
        "acting_share": len(acting) / len(ticks),
        "what_cross_entropy": statistics.fmean(acting) if acting else float("nan"),
        "ticks": len(ticks),
        "unknown": len(ticks) - len(known),
    }
    found["sum"] = found["when_cross_entropy"] + found["acting_share"] * found["what_cross_entropy"]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bench_dir", type=Path)
    parser.add_argument("--out", default="benchmarks/results/people_when.json")
    args = parser.parse_args()
    observe, people, cells = frozen_cells(parser, args.bench_dir)
    ticks: dict[tuple[str, str], list[Any]] = collections.defaultdict(list)
    buckets: dict[tuple[str, int], list[int]] = {}
    for cell in cells:
        family, episode, method = cell["family"], cell["episode"], cell["method"]
        if (family, episode) not in buckets:
            actions = [step.action for step in people.test_trajectory(family, episode)]
            buckets[(family, episode)] = BUCKETS.buckets_of(actions)
        for prediction in cell["predictions"]:
            what = prediction.get("no_stay_p")
            tick = (
                cross_entropy(prediction["p"]),
                p_when(prediction),
                None if what is None else cross_entropy(what),
            )
            bucket = BUCKETS.bucket_names[buckets[(family, episode)][prediction["t"]]]
            for key in ("all", family, f"after {bucket} idle ticks"):
                ticks[(method, key)].append(tick)
    methods = list(dict.fromkeys(method for method, _ in ticks))
    keys = ["all", *people.families, *(f"after {b} idle ticks" for b in BUCKETS.bucket_names)]
    report = {
        "benchmark": "people_when",
        "bench_dir": str(args.bench_dir),
        "observe": observe,
        "methods": {
            method: {key: scores(ticks[(method, key)]) for key in keys if ticks[(method, key)]}
            for method in methods
        },
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(out) as tmp:
        tmp.write_text(json.dumps(report, indent=2) + "\n")
    for method in methods:
        overall = report["methods"][method]["all"]
        print(
            f"{method:14s} cross-entropy {overall['cross_entropy']:.3f} = when "
            f"{overall['when_cross_entropy']:.3f} + {overall['acting_share']:.3f} x what "
            f"{overall['what_cross_entropy']:.3f} (sum {overall['sum']:.3f}); when accuracy "
            f"{overall['when_accuracy']:.3f}"
        )


if __name__ == "__main__":
    main()
