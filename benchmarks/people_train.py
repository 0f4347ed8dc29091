"""The Overcooked vocabulary against people, on the train split only: where skills are checked.

    python benchmarks/people_train.py [--observe 50] [--predict 50] [--players N]
        [--out benchmarks/results/people_train.json]

Skills for people (issue 21, item 3) are chosen and checked on the 2019 games' *train* split,
never the test split the bench scores. Three measures per layout:

- coverage: on every step of every train player where the person acted (did not stay), whether
  some skill of the vocabulary says that action there: an errand ("go to" or "use" some target,
  in the default move order, or in any of the 24 orders), keeping ahead (the way one faces), or
  either. A step no skill says can only be fitted by a bare move, which does not carry to
  the next layout or the next minute. And where keeping straight on and another move both
  start a shortest path to the errand a move serves, how often people keep straight on,
  against the best single move order: whether a walk should prefer straight on before its
  move order, as MiniGrid's walks can (it did not pay: README, People). And momentum: how often
  people press the way they face when they moved at the tick before, against when they stayed
  or interacted, on all their acting steps and on those facing floor; a program of the kitchen
  alone cannot tell the two apart (programs now read it: "moved last tick"). And what people
  do after a tick the observations show as a step to another cell, a turn only, a move key that
  changed nothing, an interact, or a stay.
- tempo: how often people act at a tick against the ticks they have idled since they last
  acted (0: they acted at the tick before; the last bucket is that many or more), from the data
  alone: what a tempo layer that uses the time since the last action (issue 21, item 2) would
  learn; and what a tempo model makes of it: the cross-entropy of act-or-idle at each of the
  next `--predict` ticks after the first W, under rote's tempo posterior with no program (every
  tick's action is "act" or "idle"), for tempo grids with and without buckets.
- rote: the synthesizer's ROTE (the suite's budget and particles) observes the first W steps of
  each train player and predicts the next `--predict` with frozen weights, scored as the bench
  scores (accuracy, cross-entropy, and both with stay set aside), pooled over steps; and its
  no-stay accuracy if it said the way the person faces wherever they moved at the tick before
  ("with momentum"): what that one rule, said over every prediction, would gain.

Writes them per layout (rote also over all players).
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from rote.evaluation.bench import results_path
from rote.evaluation.methods import Context, method
from rote.evaluation.metrics import cross_entropy, tie_split_hit, without_idle
from rote.evaluation.protocols import predict_trajectory
from rote.evaluation.suites import OvercookedSuite, suite
from rote.files import atomic_write
from rote.inference.likelihood import (
    NoiseModel,
    noise_posterior,
    predictive,
    step_log_likelihood,
)
from rote.predictor import Predictor
from rote.proposers.synthesizer.overcooked import TARGETS
from rote.proposers.synthesizer.terms import Terms
from rote.skills import overcooked as skills
from rote.skills.grid import DEFAULT_ORDER, ORDERS
from rote.trajectory import Step

PEOPLE = suite("overcooked-human")
IDLE = "stay"
WALKS = (skills.approach, skills.use)
TARGET_CELLS = [Terms(skills).compiled(code) for code in TARGETS.values()]
"""Each errand target's cells in a kitchen, as the vocabulary finds them."""


def coverage(steps: list[Step]) -> collections.Counter[str]:
    """Acting steps, and those each kind of skill says; and the ticks that tell whether people
    keep straight on (`straight` below)."""
    found: collections.Counter[str] = collections.Counter()
    previous, seen = None, None
    for step in steps:
        if step.action is None:
            break
        before, previous = previous, step.action
        last, seen = seen, step.observation
        if step.action == IDLE:
            continue
        kitchen = skills.parse(step.observation, last)
        if last is not None:
            found += shown_move(kitchen, step.action)
        cells = [goals for cells_of in TARGET_CELLS if (goals := cells_of(kitchen))]
        said = {
            order: {walk(kitchen, goals, order) for goals in cells for walk in WALKS}
            for order in ORDERS
        }
        errand = step.action in said[DEFAULT_ORDER]
        ahead = step.action == kitchen.me.facing  # `skills.ahead`; read here so that the
        # script also runs on versions of rote before that skill
        found["acting"] += 1
        found["errand"] += errand
        found["errand_any_order"] += any(step.action in actions for actions in said.values())
        found["ahead"] += ahead
        found["either"] += errand or ahead
        found += straight(kitchen, cells, step.action)
        after = "after a move" if before in skills.MOVES else "after anything else"
        floor = kitchen.faces(" ")
        found[f"{after}: acting"] += 1
        found[f"{after}: ahead"] += ahead
        found[f"{after}: facing floor"] += floor
        found[f"{after}: facing floor, ahead"] += floor and ahead
    return found


SHOWN = ("stepped", "turned", "bumped", "interacted", "stayed")
"""What the tick before was, as the kitchen read after it shows it ("moved last tick" lumps
the first two): a step to another cell, a turn only, a move key that changed nothing (pressed
into what they faced), an interact, or a stay; the last three look alike but for the key the
observation carries (`last_action`)."""


def tick_before(kitchen: skills.Kitchen) -> str:
    """Which of `SHOWN` the tick before a kitchen (read with the observation before it) was."""
    if kitchen.stepped:
        return "stepped"
    if kitchen.moved:
        return "turned"
    if kitchen.bumped:
        return "bumped"
    return "interacted" if kitchen.interacted else "stayed"


def shown_move(kitchen: skills.Kitchen, action: str) -> dict[str, int]:
    """What an acting person does (ahead, interact or another move) after each kind of tick
    before (`SHOWN`), on all ticks and on those where they face a station (neither floor nor
    the partner), where a bump and a stay differ the most."""
    shown = tick_before(kitchen)
    facing = kitchen.me.facing
    did = "ahead" if action == facing else "interact" if action == "interact" else "other move"
    found = {f"{shown}: acting": 1, f"{shown}: {did}": 1}
    if not (kitchen.faces(" ") or kitchen.faces_partner()):
        found |= {f"{shown} at a station: acting": 1, f"{shown} at a station: {did}": 1}
    return found


def straight(kitchen: skills.Kitchen, cells: list[list[Any]], action: str) -> dict[str, int]:
    """Whether a person keeps straight on, where that tells: at a move that starts a shortest
    path to some errand's target (the first such errand), where the way they face starts one
    too and another move does. Counts "ties", "kept_straight" and, per move order, the ties
    where that order's first move is the one taken."""
    for goals in cells:
        firsts = {order: skills.approach(kitchen, goals, order) for order in ORDERS}
        starts = set(firsts.values())
        if action not in starts:
            continue
        if len(starts) < 2 or kitchen.me.facing not in starts:
            return {}
        taken = {f"order {order}": 1 for order, move in firsts.items() if move == action}
        return {"ties": 1, "kept_straight": int(action == kitchen.me.facing), **taken}
    return {}


SINCE = 5
"""Idle ticks since the last action at and beyond which `tempo` pools them."""


def frozen_cells(
    parser: argparse.ArgumentParser, bench_dir: Path
) -> tuple[int, OvercookedSuite, list[dict[str, Any]]]:
    """A people bench directory's window, its suite at that window, and its frozen cells (the
    lines of results.jsonl); a directory without them is a usage error (exit 2)."""
    for needed in (bench_dir / "suite.json", results_path(bench_dir)):
        if not needed.is_file():
            parser.error(f"{needed}: not found; BENCH_DIR is a people bench's --out directory")
    observe = int(json.loads((bench_dir / "suite.json").read_text())["observe"])
    lines = results_path(bench_dir).read_text().splitlines()
    cells = [cell for cell in map(json.loads, lines) if cell["mode"] == "frozen"]
    return observe, suite("overcooked-human", observe=observe), cells


def tempo(steps: list[Step]) -> collections.Counter[tuple[int, bool]]:
    """(idle ticks since the person last acted, capped at SINCE; whether they act now): ticks."""
    found: collections.Counter[tuple[int, bool]] = collections.Counter()
    since = 0
    for step in steps:
        if step.action is None:
            continue
        acted = step.action != IDLE
        found[(min(since, SINCE), acted)] += 1
        since = 0 if acted else since + 1
    return found


def tempo_models() -> dict[str, NoiseModel]:
    """Tempo grids compared on act-or-idle alone; eps plays no part there (set to 0). None
    with a version of rote from before the buckets (PYTHONPATH at an older checkout), whose
    NoiseModel has no `buckets`: the rest of the script still scores it."""
    try:
        return {
            "one rate, 0.75/0.5/0.25 (before buckets)": NoiseModel(
                rates=(0.75, 0.5, 0.25), buckets=()
            ),
            "one rate": NoiseModel(buckets=()),
            "buckets 0, 1-3, 4+ (default)": NoiseModel(),
            "buckets 0, 1-2, 3-4, 5+": NoiseModel(buckets=(1, 3, 5)),
        }
    except TypeError:
        return {}


ACT_OR_IDLE = ("stay", "act")


def tempo_loss(noise: NoiseModel, steps: list[Step], observe: int, horizon: int) -> list[float]:
    """Cross-entropy of act-or-idle at each tick from `observe` on, each predicted from the
    ticks before it with the tempo posterior, as ROTE predicts under a program that always
    acts (so eps and the program play no part)."""
    binary = NoiseModel(
        grid=(0.0,), rates=noise.rates, steady=noise.steady, buckets=noise.buckets, idle=IDLE
    )
    acts = [IDLE if s.action == IDLE else "act" for s in steps if s.action is not None]
    acts = acts[: observe + horizon]
    buckets = binary.buckets_of(acts)
    loglik = np.zeros(binary.size)
    found = []
    for t, (action, bucket) in enumerate(zip(acts, buckets[:-1], strict=True)):
        if t >= observe:
            weights = noise_posterior(loglik, binary.log_prior)
            p = weights @ predictive("act", ACT_OR_IDLE, binary, bucket)
            found.append(cross_entropy(float(p[ACT_OR_IDLE.index(action)])))
        loglik = loglik + step_log_likelihood("act", action, ACT_OR_IDLE, binary, bucket)
    return found


def predicted(job: tuple[str, int, int, int]) -> tuple[str, list[tuple[float, float, Any]]]:
    """(hit, cross-entropy, no-stay (hit, cross-entropy) or None) per predicted step."""
    layout, player, observe, horizon = job
    steps = list(PEOPLE.train_trajectories((layout,))[player].steps)[: observe + horizon]
    model = method("rote").make(Context(PEOPLE, Path(".")), layout)  # the bench's own rote
    return layout, frozen_scores(model, steps, observe)


def frozen_scores(model: Predictor, steps: list[Step], observe: int) -> list[Any]:
    """The model observes the first `observe` steps, then predicts the rest with frozen
    weights: (hit, cross-entropy, no-stay (hit, cross-entropy, hit with momentum) or None) per
    predicted step. "With momentum": the way the person faces said instead wherever they moved at
    the tick before, over whatever the model said. Closes the model."""
    try:
        run = predict_trajectory(model, steps, observe, "frozen")
    finally:
        model.close()
    scored = []
    for p in run.predictions:
        assert p.actual is not None
        acting = without_idle(p.distribution, p.actual, IDLE)
        no_stay = None
        if acting is not None:
            with_momentum = acting[0]
            if steps[p.t - 1].action in skills.MOVES:
                with_momentum = float(p.actual == skills.parse(steps[p.t].observation).me.facing)
            no_stay = (acting[0], cross_entropy(acting[1]), with_momentum)
        scored.append(
            (
                tie_split_hit(p.distribution, p.actual),
                cross_entropy(p.distribution.get(p.actual, 0.0)),
                no_stay,
            )
        )
    return scored


def scores(rows: list[tuple[float, float, Any]]) -> dict[str, float | int]:
    """Pooled over the rows of `frozen_scores`."""
    acting = [row[2] for row in rows if row[2] is not None]
    return {
        "accuracy": statistics.fmean(row[0] for row in rows),
        "cross_entropy": statistics.fmean(row[1] for row in rows),
        "no_stay_accuracy": statistics.fmean(hit for hit, _, _ in acting),
        "no_stay_cross_entropy": statistics.fmean(ce for _, ce, _ in acting),
        "no_stay_accuracy_with_momentum": statistics.fmean(hit for _, _, hit in acting),
        "steps": len(rows),
        "acting_steps": len(acting),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--observe", type=int, default=50)
    parser.add_argument("--predict", type=int, default=50)
    parser.add_argument("--players", type=int, help="train players per layout (default: all)")
    parser.add_argument("--out", default="benchmarks/results/people_train.json")
    args = parser.parse_args()
    began = time.time()
    layouts = PEOPLE.families
    players = {
        layout: len(PEOPLE.train_trajectories((layout,)))
        if args.players is None
        else min(args.players, len(PEOPLE.train_trajectories((layout,))))
        for layout in layouts
    }
    covered: dict[str, dict[str, Any]] = {}
    paced: dict[str, dict[str, Any]] = {}
    models = tempo_models()
    tempo_losses: dict[str, list[float]] = {name: [] for name in models}
    for layout in layouts:
        ticks: collections.Counter[tuple[int, bool]] = collections.Counter()
        counts: collections.Counter[str] = collections.Counter()
        for trajectory in PEOPLE.train_trajectories((layout,))[: players[layout]]:
            steps = list(trajectory.steps)
            ticks += tempo(steps)
            for name, noise in models.items():
                tempo_losses[name] += tempo_loss(noise, steps, args.observe, args.predict)
            counts += coverage(steps)
        paced[layout] = {
            f"{since}{'+' if since == SINCE else ''}": {
                "p_act": ticks[(since, True)]
                / max(1, ticks[(since, True)] + ticks[(since, False)]),
                "ticks": ticks[(since, True)] + ticks[(since, False)],
            }
            for since in range(SINCE + 1)
        }
        acting = counts["acting"]
        covered[layout] = {
            key: counts[key] / acting for key in ("errand", "errand_any_order", "ahead", "either")
        }
        covered[layout]["acting_steps"] = acting
        ties = counts["ties"]
        best = max(ORDERS, key=lambda order: counts[f"order {order}"])
        covered[layout]["straight"] = {
            "ties": ties,
            "kept_straight": counts["kept_straight"] / max(1, ties),
            "best_order": best,
            "best_order_kept": counts[f"order {best}"] / max(1, ties),
        }
        covered[layout]["momentum"] = {
            after: {
                "acting_steps": counts[f"{after}: acting"],
                "ahead": counts[f"{after}: ahead"] / max(1, counts[f"{after}: acting"]),
                "facing_floor_steps": counts[f"{after}: facing floor"],
                "facing_floor_ahead": counts[f"{after}: facing floor, ahead"]
                / max(1, counts[f"{after}: facing floor"]),
            }
            for after in ("after a move", "after anything else")
        }
        covered[layout]["shown_move"] = {
            shown: {
                "acting_steps": counts[f"{shown}: acting"],
                **{
                    did: counts[f"{shown}: {did}"] / max(1, counts[f"{shown}: acting"])
                    for did in ("ahead", "interact", "other move")
                },
            }
            for kind in SHOWN
            for shown in (kind, f"{kind} at a station")
        }
    jobs = [
        (layout, player, args.observe, args.predict)
        for layout in layouts
        for player in range(players[layout])
    ]
    with ProcessPoolExecutor(2) as pool:  # each cell's sandbox worker is a process too
        done = list(pool.map(predicted, jobs))
    rote = {
        layout: scores([r for mine, rows in done if mine == layout for r in rows])
        for layout in layouts
    }
    rote["all"] = scores([r for _, rows in done for r in rows])
    report = {
        "benchmark": "people_train",
        "settings": {"observe": args.observe, "predict": args.predict, "players": players},
        "wall_seconds": time.time() - began,
        "coverage": covered,
        "tempo": paced,
        "tempo_models": {
            name: {"act_or_idle_cross_entropy": statistics.fmean(losses), "ticks": len(losses)}
            for name, losses in tempo_losses.items()
        },
        "rote": rote,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(out) as tmp:
        tmp.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({key: report[key] for key in ("coverage", "tempo", "tempo_models", "rote")}))


if __name__ == "__main__":
    main()
