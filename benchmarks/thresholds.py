"""Threshold agents in an env with no vocabulary: rote's accuracy on values never observed.

    python benchmarks/thresholds.py [--episodes 10] [--budget PROGRAMS] [--particles 30]
        [--observe 20] [--agents NAME ...] [--out-dir benchmarks/results]

The env is the thermostat plugin (docs/examples/thermostat.py), which registers no vocabulary,
so the synthesizer writes its programs with the generic one. Per agent and episode, the
trajectory `rote --plugin docs/examples/thermostat.py generate --env thermostat --agent AGENT
--episodes 10 --steps 50 --swap-at 30 --seed 0` writes, built in-process with the same seeds (at
30 the occupant comes home from a trip: another season and setpoint, the room far from where it
was). Observe the first 20 steps and infer, then predict steps 20-49 with the weights frozen,
each from its true observation.

Each step's hit (ties split) counts overall, after the swap, and on the steps whose value was
never observed: the quantity the agent's rule reads (the temperature for `fixed`, the
temperature minus the setpoint for `setpoint` and `eco`, the temperature's change since the step
before for `steady`) took a value at that step that it took at none of the observed steps. The
issue's target (22): >= 0.95 on those, for every agent. Of them, `beyond` are the values outside
the observed range (below the least or above the greatest); the others fall between two observed
values. Where the agent did the same at the nearest value seen below and the nearest above, a
threshold rule does that in between too (`settled`, with `beyond`); where it did different
things (off at 21, cool at 23), the history does not say on which side of the threshold the
value between lies (cooling from 22 or from 23): every threshold rule that fits it fits equally
well with the value on either side, so such a step is a coin toss for any predictor that knows
only the history (`unsettled`), and what it should say there is so: each group's cross-entropy
(nats per step, the probability of the action taken floored at 1e-3) tells a predictor that says
"half each way" from one that is sure and right by luck.

The vocabulary's cost is measured apart: on 20 steps of observations with n numeric fields, the
number of guards, and the seconds one search of the default budget takes, with the differences
of the first MAX_PAIRED_FIELDS fields and without them.

Writes thresholds.json (per trajectory, per agent, the cost, whether the target is met on all
unseen values and on the settled ones) to the output directory and stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import rote
from rote.evaluation.metrics import cross_entropy, tie_split_hit
from rote.evaluation.protocols import predict_trajectory
from rote.files import atomic_write
from rote.plugins import load_plugin
from rote.progress import progress_bar
from rote.proposers.synthesizer import Budget, generic
from rote.proposers.synthesizer.dsl import Tables
from rote.proposers.synthesizer.search import Search
from rote.rollout import noise_seed
from rote.skills.generic import Recalled, parse

PLUGIN = Path(__file__).parents[1] / "docs" / "examples" / "thermostat.py"
ENV = "thermostat"
STEPS, SWAP_AT, SEED = 50, 30, 0  # the `rote generate` flags
TARGET = 0.95
"""Accuracy on values never observed that every agent must reach."""

VALUES: dict[str, Callable[[Recalled], float]] = {
    "fixed": lambda state: state["temp"],
    "setpoint": lambda state: state["temp"] - state["setpoint"],
    "eco": lambda state: state["temp"] - state["setpoint"],
    "steady": lambda state: state.change("temp"),
}
"""What each agent's rule reads at a step, from the observation read with the one before it as
the generic vocabulary reads it (a change is 0 at the first): a step's value is new when no
observed step had it."""
GROUPS = {
    "unseen": ("beyond", "settled", "unsettled"),
    "beyond": ("beyond",),
    "settled": ("beyond", "settled"),
    "unsettled": ("unsettled",),
}
"""The steps whose value was never observed, and the parts of them (`place`) each measure
pools; `settled` counts `beyond` too, as a threshold rule settles both."""
COST_FIELDS = (4, 10, 20, 40)
"""Numeric fields in the observations the vocabulary's cost is measured on."""

Record = dict[str, Any]


def trajectory(spec: rote.EnvSpec, agent: str, episode: int) -> rote.Trajectory:
    """Episode `episode` of `agent`, step for step the file `rote generate` writes for it."""
    scripted = rote.make_agent(
        ENV, agent, action_names=spec.action_names, seed=noise_seed(SEED, agent, episode)
    )
    return rote.rollout(spec, scripted, steps=STEPS, seed=SEED + episode, swap_at=SWAP_AT)


def evaluate(
    spec: rote.EnvSpec, agent: str, episode: int, observe: int, budget: int, particles: int
) -> Record:
    steps = trajectory(spec, agent, episode).steps
    read = VALUES[agent]
    values = [
        read(parse(step.observation, steps[i - 1].observation if i else None))
        for i, step in enumerate(steps)
    ]
    seen = set(values[:observe])
    with (
        rote.SynthProposer(Budget(programs=budget)) as writer,
        rote.ROTE(spec, writer, n_particles=particles, seed=0) as model,
    ):
        run = predict_trajectory(model, steps, observe, "frozen")
        top = model.programs(k=1)[0].source.splitlines()[0].strip().strip('"')
    scored = [p for p in run.predictions if p.actual]
    hits = [tie_split_hit(p.distribution, p.actual) for p in scored]
    nats = [cross_entropy(p.distribution.get(p.actual, 0.0)) for p in scored]
    done: dict[float, set[str | None]] = {}
    for value, step in zip(values, steps[:observe], strict=False):
        done.setdefault(value, set()).add(step.action)
    new = [
        (hit, nat, place(value, done))
        for hit, nat, value in zip(hits, nats, values[observe:], strict=True)
        if value not in seen
    ]
    record: Record = {
        "agent": agent,
        "episode": episode,
        "accuracy": round(statistics.fmean(hits), 4),
        "after_swap": round(statistics.fmean(hits[SWAP_AT - observe :]), 4),
    }
    for name, kept in GROUPS.items():
        chosen = [(hit, nat) for hit, nat, where in new if where in kept]
        record[f"{name}_hits"] = sum(hit for hit, _ in chosen)
        record[f"{name}_nats"] = round(sum(nat for _, nat in chosen), 4)
        record[f"{name}_steps"] = len(chosen)
    record.update(infer_seconds=round(run.infer_seconds, 3), top_program=top)
    return record


def place(value: float, done: dict[float, set[str | None]]) -> str:
    """Where a value never observed lies among those observed (`done`: what the agent did at
    each): "beyond" their range, "settled" between two at which the agent did the same, or
    "unsettled" between two at which it did different things."""
    below = [seen for seen in done if seen < value]
    above = [seen for seen in done if seen > value]
    if not below or not above:
        return "beyond"
    return "settled" if done[max(below)] == done[min(above)] else "unsettled"


def summarize(records: list[Record]) -> dict[str, Any]:
    """Means over episodes; the accuracies on values never observed pool their steps."""

    def pooled(name: str, measure: str) -> float | None:
        steps = sum(record[f"{name}_steps"] for record in records)
        total = sum(record[f"{name}_{measure}"] for record in records)
        return round(total / steps, 4) if steps else None

    summary: dict[str, Any] = {
        "episodes": len(records),
        "accuracy": round(statistics.fmean(record["accuracy"] for record in records), 4),
        "after_swap": round(statistics.fmean(record["after_swap"] for record in records), 4),
    }
    for name in GROUPS:
        summary[f"{name}_accuracy"] = pooled(name, "hits")
        summary[f"{name}_cross_entropy"] = pooled(name, "nats")
        summary[f"{name}_steps"] = sum(record[f"{name}_steps"] for record in records)
    summary["median_infer_seconds"] = statistics.median(r["infer_seconds"] for r in records)
    return summary


def cost(fields: int, budget: int, paired: int) -> dict[str, Any]:
    """Guards, and seconds for one search, on 20 steps of `fields` numeric fields, with the
    differences of the first `paired` fields."""
    rng = random.Random(fields)
    observations = [{f"x{i:02d}": rng.randint(0, 40) for i in range(fields)} for _ in range(20)]
    actions = ["heat" if o["x00"] < 20 else "off" for o in observations]
    spec = rote.make_env(ENV)
    with mock.patch.object(generic, "MAX_PAIRED_FIELDS", paired):
        start = time.perf_counter()
        tables = Tables(generic.GenericVocabulary(spec), observations)
        search = Search(tables, actions, spec.action_names, budget=Budget(programs=budget))
        search.run()
        seconds = time.perf_counter() - start
    return {"guards": len(tables.guards), "search_seconds": round(seconds, 3)}


def main() -> None:
    load_plugin(str(PLUGIN))
    spec = rote.make_env(ENV)
    agents = list(VALUES)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument(
        "--budget", type=int, default=Budget().programs, help="programs scored per search"
    )
    parser.add_argument("--particles", type=int, default=30)
    parser.add_argument("--observe", type=int, default=20, help="steps observed before predicting")
    parser.add_argument("--agents", nargs="+", choices=agents, default=agents)
    parser.add_argument("--out-dir", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)

    keys = [(agent, episode) for agent in args.agents for episode in range(args.episodes)]
    records: list[Record] = []
    with progress_bar() as progress:
        task = progress.add_task("predicting", total=len(keys) + 2 * len(COST_FIELDS))
        for agent, episode in keys:
            progress.update(task, description=f"{agent} #{episode}")
            records.append(
                evaluate(spec, agent, episode, args.observe, args.budget, args.particles)
            )
            progress.advance(task)
        costs: dict[str, dict[str, Any]] = {}
        for fields in COST_FIELDS:
            progress.update(task, description=f"cost with {fields} numeric fields")
            costs[str(fields)] = {}
            for paired in (generic.MAX_PAIRED_FIELDS, 0):
                costs[str(fields)][f"paired_{paired}"] = cost(fields, args.budget, paired)
                progress.advance(task)

    by_agent = {
        agent: summarize([record for record in records if record["agent"] == agent])
        for agent in args.agents
    }
    report = {
        "benchmark": "thresholds",
        "env": ENV,
        "plugin": str(PLUGIN.relative_to(PLUGIN.parents[2])),
        "episodes": args.episodes,
        "budget_programs": args.budget,
        "particles": args.particles,
        "protocol": {"steps": STEPS, "swap_at": SWAP_AT, "seed": SEED, "observe": args.observe},
        "target_unseen_accuracy": TARGET,
        "targets_met": all(
            summary["unseen_accuracy"] is None or summary["unseen_accuracy"] >= TARGET
            for summary in by_agent.values()
        ),
        "settled_targets_met": all(
            summary["settled_accuracy"] is None or summary["settled_accuracy"] >= TARGET
            for summary in by_agent.values()
        ),
        "agents": by_agent,
        "cost": {
            "steps": 20,
            "max_paired_fields": generic.MAX_PAIRED_FIELDS,
            "max_thresholds": generic.MAX_THRESHOLDS,
            "by_numeric_fields": costs,
        },
        "trajectories": records,
        "rote": rote.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
    }
    with atomic_write(args.out_dir / "thresholds.json") as tmp:
        tmp.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({key: report[key] for key in report if key != "trajectories"}, indent=2))


if __name__ == "__main__":
    main()
