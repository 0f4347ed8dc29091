"""rote on agents with other conventions, against rote on our families they vary: issue 22.

    python benchmarks/conventions.py [--episodes 5] [--quick] [--jobs 2] [--method rote]
        [--library-episodes 5] [--suites conventions minigrid-conventions]
        [--out benchmarks/results/conventions.json]

For each suite of agents with other conventions (`conventions`: the Construction variants;
`minigrid-conventions`: the MiniGrid ones, rote.agents.conventions), rote with the offline
synthesizer at the suite's settings (particles, search budget, observed window) predicts every
variant and, on the same episodes (the same layout seeds), the family of ours whose plan it
follows: one frozen pass (single-step, multi-step and, where layouts swap, after-swap) and one
online pass per trajectory, exactly the cells `rote bench --methods rote` (or `--method`) runs.
Reported per variant: each protocol's mean accuracy on the variant and on its family, and the
difference (variant minus family); then the means over variants. Issue 22 is done when
after-swap on a variant is within 0.03 of its family and online accuracy on every variant is at
least 0.95. After-swap is also split by whether the observed steps show the variant's
convention (its family's agent would have acted otherwise at one of them): where they do not,
nothing in the history tells the variant from its family, and the prior's default is the
family's convention. Online is split, on the same episodes for both, by whether the variant
acted before the swap: where it idled throughout, online inference meets its plan only after
the swap.

The cells run through rote's bench (rote.evaluation.bench.run_bench), into one bench directory
per suite and episode count beside the JSON (`<out without .json>/<suite>-<N>ep`), so a killed
run resumes with the cells it had not finished. `--quick` runs the suites' quick versions (one
episode, a small search) as a smoke test. The JSON gives each suite's `cell_seconds`, the time
its cells took (what a run from scratch costs, over `--jobs` processes), and this invocation's
`wall_seconds`, which a resumed run makes short.

`--method rote-library` runs rote behind the program library the bench learns from each
suite's training agents (`rote bench --methods rote-library`): the variants' library from the
variants' own training episodes, our families' from theirs. That is rote for a population seen
before, where the plain `rote` (the default, and the issue's measure) meets every agent afresh.
`--library-episodes` sets how many training episodes of each agent it learns from.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Collection
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from rich.progress import Progress

from rote.agents.conventions import FAMILY
from rote.envs.registry import scripted_agent
from rote.evaluation.bench import run_bench
from rote.evaluation.methods import Context
from rote.evaluation.records import CellResult
from rote.evaluation.suites import Suite, suite
from rote.evaluation.summary import protocol_scores, scored_in
from rote.files import atomic_write
from rote.progress import progress_bar
from rote.version import __version__

OURS = {"conventions": "construction", "minigrid-conventions": "minigrid"}
"""Each suite of variants and the suite of the families they vary."""
METHODS = ("rote", "rote-library")
"""The methods compared: the synthesizer's rote alone, or behind a library learned from the
suite's training agents."""
TARGETS = {"after_swap_gap": 0.03, "online": 0.95}
"""Issue 22: after-swap within 0.03 of the family; online at least 0.95 on every variant."""

Scores = dict[str, dict[str, float]]
"""Family to protocol to mean accuracy over its episodes."""


def paired_suites(
    name: str, *, quick: bool, episodes: int | None, library_episodes: int | None = None
) -> tuple[Suite, Suite]:
    """The suite of variants and the suite of ours cut to the families they vary, with the
    same settings, so the same episodes pair up."""
    variants = suite(name, quick=quick, episodes=episodes, library_episodes=library_episodes)
    ours = suite(OURS[name], quick=quick, episodes=episodes, library_episodes=library_episodes)
    families = tuple(dict.fromkeys(FAMILY[variant] for variant in variants.families))
    return variants, replace(ours, families=families)


def bench(
    chosen: Suite, name: str, out: Path, jobs: int, progress: Progress, label: str
) -> list[CellResult]:
    """The method's cells of `chosen`, those in `out` already kept, the missing ones run."""
    task = progress.add_task(label, total=None)
    return run_bench(
        Context(chosen, out),
        [name],
        jobs=jobs,
        on_start=lambda total, done: progress.update(task, total=total, completed=done),
        on_cell=lambda _: progress.advance(task),
    )


def scores(chosen: Suite, results: list[CellResult]) -> Scores:
    """Each family's mean accuracy per protocol over its episodes."""
    found: Scores = {}
    for family in chosen.families:
        found[family] = {}
        for protocol in chosen.protocols:
            mean = mean_accuracy(chosen, results, family, protocol)
            assert mean is not None, f"{family} has no {protocol} cells"
            found[family][protocol] = mean
    return found


def mean_accuracy(
    chosen: Suite,
    results: list[CellResult],
    family: str,
    protocol: str,
    episodes: Collection[int] | None = None,
) -> float | None:
    """A family's mean accuracy on a protocol over its episodes (or those in `episodes`);
    None where there are none."""
    found = [
        protocol_scores(chosen, r, protocol)["accuracy"]
        for r in results
        if r.family == family
        and r.updating == scored_in(protocol)
        and (episodes is None or r.episode in episodes)
    ]
    return round(statistics.fmean(found), 4) if found else None


def shows_convention(variants: Suite, variant: str, episode: int) -> bool:
    """Whether the observed steps show the variant's convention: its family's agent, given the
    same observations, would have acted otherwise at one of them (a variant differs from its
    family only where a tie is broken). Where they do not, no predictor that knows only the
    history can tell the two apart, and rote's prior takes the default, which is the family's."""
    spec = variants.env(variant)
    family = scripted_agent(spec.id, FAMILY[variant])
    observed = variants.test_trajectory(variant, episode)[: variants.observe]
    return any(family.act(step.observation) != step.action for step in observed)


def split_means(
    variants: Suite,
    ours: Suite,
    variant: str,
    results: list[CellResult],
    protocol: str,
    holds: Callable[[int], bool],
    names: tuple[str, str],
) -> dict[str, dict[str, Any]]:
    """A protocol's mean accuracy on the variant and on its family, over the episodes where
    `holds(episode)` (under `names[0]`) and over the others (`names[1]`)."""
    held = [holds(e) for e in range(variants.episodes)]
    split = {}
    for name, wanted in zip(names, (True, False), strict=True):
        episodes = [e for e, is_held in enumerate(held) if is_held == wanted]
        split[name] = {
            "episodes": len(episodes),
            "variant": mean_accuracy(variants, results, variant, protocol, episodes),
            "family": mean_accuracy(ours, results, FAMILY[variant], protocol, episodes),
        }
    return split


def acted_before_swap(variants: Suite, variant: str, episode: int) -> bool:
    """Whether the variant did anything but idle before the layouts swapped. Where it did not,
    nothing it did tells which plan it follows: online inference starts from nothing at the
    swap, and each part of the plan it has not yet shown costs a miss, whatever its convention."""
    assert variants.swap_at is not None
    idle = variants.env(variant).idle_action
    before = variants.test_trajectory(variant, episode)[: variants.swap_at]
    return any(step.action != idle for step in before)


def compare(
    variants: Suite,
    ours: Suite,
    variant_scores: Scores,
    family_scores: Scores,
    results: list[CellResult],
) -> dict[str, Any]:
    """Per variant and on average: the variant's scores, its family's, and the difference."""
    rows: dict[str, dict[str, Any]] = {
        variant: {
            "family": FAMILY[variant],
            "variant": variant_scores[variant],
            "family_scores": family_scores[FAMILY[variant]],
            "difference": {
                protocol: round(score - family_scores[FAMILY[variant]][protocol], 4)
                for protocol, score in variant_scores[variant].items()
            },
        }
        for variant in variants.families
    }
    if variants.swap_at is not None:
        for variant, row in rows.items():
            row["after_swap_by_window"] = split_means(
                variants,
                ours,
                variant,
                results,
                "after-swap",
                partial(shows_convention, variants, variant),
                ("shown", "hidden"),
            )
            row["online_by_start"] = split_means(
                variants,
                ours,
                variant,
                results,
                "online",
                partial(acted_before_swap, variants, variant),
                ("acted", "idled"),
            )
    means = {
        side: {
            protocol: round(statistics.fmean(row[side][protocol] for row in rows.values()), 4)
            for protocol in variants.protocols
        }
        for side in ("variant", "family_scores", "difference")
    }
    gaps = [row["difference"].get("after-swap") for row in rows.values()]
    return {
        "settings": {
            "episodes": variants.episodes,
            "particles": variants.particles,
            "budget": variants.budget,
            "observe": variants.observe,
            "horizon": variants.horizon,
            "steps": variants.steps,
            "swap_at": variants.swap_at,
            "library_episodes": variants.library_episodes,
        },
        "cell_seconds": round(sum(r.seconds for r in results), 1),
        "variants": rows,
        "means": means,
        "targets_met": {
            "after_swap_gap": None
            if variants.swap_at is None
            else all(gap is not None and gap >= -TARGETS["after_swap_gap"] for gap in gaps),
            "online": all(row["variant"]["online"] >= TARGETS["online"] for row in rows.values()),
        },
    }


def table(name: str, report: dict[str, Any]) -> str:
    """The comparison as text: one line per variant, each protocol as family -> variant."""
    protocols = list(report["means"]["variant"])
    lines = [f"{name}: " + ", ".join(f"{p} family -> variant (difference)" for p in protocols)]
    rows = [*report["variants"].items(), ("mean", {**report["means"], "family": ""})]
    for variant, row in rows:
        cells = [
            f"{row['family_scores'][p]:.3f} -> {row['variant'][p]:.3f} "
            f"({row['difference'][p]:+.3f})"
            for p in protocols
        ]
        lines.append(f"  {variant:<36} " + " | ".join(cells))
        for window, split in row.get("after_swap_by_window", {}).items():
            if split["episodes"]:
                verb = {"shown": "show", "hidden": "hide"}[window]
                lines.append(
                    f"    after-swap where the observed steps {verb} the convention "
                    f"({split['episodes']} episodes): "
                    f"{split['family']:.3f} -> {split['variant']:.3f}"
                )
        for start, split in row.get("online_by_start", {}).items():
            if split["episodes"]:
                lines.append(
                    f"    online where it {start} before the swap ({split['episodes']} "
                    f"episodes): {split['family']:.3f} -> {split['variant']:.3f}"
                )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, help="per family (default: the suite's, 5)")
    parser.add_argument("--quick", action="store_true", help="the quick suites: a smoke test")
    parser.add_argument("--jobs", type=int, default=2, help="cells run in parallel")
    parser.add_argument("--suites", nargs="+", choices=list(OURS), default=list(OURS))
    parser.add_argument("--method", choices=METHODS, default=METHODS[0])
    parser.add_argument(
        "--library-episodes",
        type=int,
        help="with rote-library: training episodes per agent it learns from (default: 5)",
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/conventions.json"))
    args = parser.parse_args()

    start = time.perf_counter()
    runs = args.out.with_suffix("")
    report: dict[str, Any] = {
        "benchmark": "conventions",
        "rote": __version__,
        "method": args.method,
        "command": " ".join(["python", *sys.argv]),
        "quick": args.quick,
        "targets": TARGETS,
        "suites": {},
    }
    with progress_bar() as progress:
        for name in args.suites:
            variants, ours = paired_suites(
                name,
                quick=args.quick,
                episodes=args.episodes,
                library_episodes=args.library_episodes,
            )
            where = runs / f"{variants.name}-{variants.episodes}ep"
            mine = bench(
                variants, args.method, where / "variants", args.jobs, progress, variants.name
            )
            theirs = bench(
                ours, args.method, where / "families", args.jobs, progress, f"{ours.name} families"
            )
            compared = compare(
                variants, ours, scores(variants, mine), scores(ours, theirs), [*mine, *theirs]
            )
            report["suites"][name] = compared
            print(table(name, compared), flush=True)
    report.update(
        wall_seconds=round(time.perf_counter() - start, 1),
        python=platform.python_version(),
        machine=platform.machine(),
        cpu_count=os.cpu_count(),
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(args.out) as tmp:
        tmp.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
