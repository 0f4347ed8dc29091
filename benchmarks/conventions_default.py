"""rote on each Construction variant with the variant's own move order as rote's default.

    python benchmarks/conventions_default.py [--episodes 20] [--jobs 2]
        [--against benchmarks/results/conventions-20ep.json]
        [--out benchmarks/results/conventions-default-20ep.json]

Issue 22 asks two things that pull apart: that the prior charge a convention other than the
default, so the default wins where the data cannot tell, and that rote predict a variant after
the swap within 0.03 of its family, whose convention is the default. This measures what the
first costs the second. rote's skills and its prior take "udlr" as the default move order
(`rote.skills.grid.DEFAULT_ORDER`); for each order a Construction variant walks by, the script
copies the installed `rote` package to a scratch directory with that line set to the variant's
order, and in a subprocess on the copy runs the cells `conventions.py` runs for the variants of
that order (the same suite, episodes and settings). Nothing else changes: the variants' own
walking is `rote.agents.conventions.navigation`'s, which does not read rote's default, so they
play the same episodes.

Reported per variant, beside `--against` (conventions.py's JSON for the same episodes, run on
the code as it is): after-swap and online accuracy of the variant under its own default, its
family's and the variant's under ours, and after-swap split as conventions.py splits it, by
whether the observed steps show the variant's convention. Where rote with the variant's habit
as its default does as well on the variant as rote with ours on our family, the gap
conventions.py reports is the price of having a default at all. Cells are kept in one bench
directory per order beside the JSON, so a killed run resumes (and `wall_seconds`, this
invocation's time, is then short).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from conventions import bench, mean_accuracy, paired_suites, shows_convention

import rote
from rote.agents.conventions import CONSTRUCTION_MODULES
from rote.evaluation.bench import load, results_path
from rote.evaluation.records import CellResult
from rote.files import atomic_write
from rote.progress import progress_bar
from rote.version import __version__

SUITE = "conventions"
PROTOCOLS = ("after-swap", "online")
DEFAULT_LINE = 'DEFAULT_ORDER = "udlr"'
"""The line of rote/skills/grid.py that sets the default; the copy gets another order there."""


def variant_order(variant: str) -> str:
    """The move order the variant's agent walks by."""
    module = importlib.import_module(f"rote.agents.conventions.{CONSTRUCTION_MODULES[variant]}")
    order: str = module.CONVENTION.order
    return order


def rote_with_default(order: str, into: Path) -> Path:
    """A copy of the installed rote package under `into` whose default move order is `order`;
    returns the directory to put on PYTHONPATH."""
    package = into / "rote"
    shutil.copytree(
        Path(rote.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__")
    )
    grid = package / "skills" / "grid.py"
    text = grid.read_text()
    if text.count(DEFAULT_LINE) != 1:
        raise SystemExit(f"{grid}: expected the line {DEFAULT_LINE!r} once")
    grid.write_text(text.replace(DEFAULT_LINE, f'DEFAULT_ORDER = "{order}"'))
    return into


def run_order(order: str, variants: list[str], episodes: int, jobs: int, where: Path) -> None:
    """In this process, on a copy of rote whose default is `order`: the variants' cells, into
    the bench directory `where`."""
    from rote.skills.grid import DEFAULT_ORDER

    assert order == DEFAULT_ORDER, f"running with default {DEFAULT_ORDER}, not {order}"
    suite, _ = paired_suites(SUITE, quick=False, episodes=episodes)
    chosen = replace(suite, families=tuple(variants))
    with progress_bar() as progress:
        bench(chosen, "rote", where, jobs, progress, f"{', '.join(variants)} ({order})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=20, help="per variant")
    parser.add_argument("--jobs", type=int, default=2, help="cells run in parallel")
    parser.add_argument(
        "--against", type=Path, default=Path("benchmarks/results/conventions-20ep.json")
    )
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/conventions-default-20ep.json")
    )
    parser.add_argument("--order", help=argparse.SUPPRESS)  # the subprocess's own call
    parser.add_argument("--variants", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    runs = args.out.with_suffix("")
    if args.order:
        run_order(args.order, args.variants, args.episodes, args.jobs, runs / args.order)
        return

    start = time.perf_counter()
    try:
        baseline = json.loads(args.against.read_text())
        against = baseline["suites"][SUITE]
    except (OSError, ValueError, KeyError) as error:
        parser.error(f"{args.against}: not conventions.py's JSON with {SUITE} ({error})")
    if baseline.get("method", "rote") != "rote" or baseline.get("quick"):
        parser.error(f"{args.against}: a run of plain rote on the full suite is needed")
    if against["settings"]["episodes"] != args.episodes:
        parser.error(
            f"{args.against}: settings.episodes is {against['settings']['episodes']}, "
            f"not {args.episodes}"
        )
    by_order: dict[str, list[str]] = {}
    for variant in against["variants"]:
        by_order.setdefault(variant_order(variant), []).append(variant)

    results: list[CellResult] = []
    for order, variants in by_order.items():
        with tempfile.TemporaryDirectory() as scratch:
            path = rote_with_default(order, Path(scratch))
            here = str(Path(__file__).parent)
            env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(path), here])}
            command = [sys.executable, __file__, "--order", order, "--variants", *variants]
            options = ["--episodes", str(args.episodes), "--jobs", str(args.jobs)]
            subprocess.run([*command, *options, "--out", str(args.out)], env=env, check=True)
        # read here, not by the copy: these cells are final, and the split needs our families
        results += load(results_path(runs / order)).values()

    suite, _ = paired_suites(SUITE, quick=False, episodes=args.episodes)
    rows: dict[str, Any] = {}
    for variant in against["variants"]:
        shown = [e for e in range(args.episodes) if shows_convention(suite, variant, e)]
        hidden = [e for e in range(args.episodes) if e not in shown]
        row = against["variants"][variant]
        rows[variant] = {
            "order": variant_order(variant),
            "own_default": {p: mean_accuracy(suite, results, variant, p) for p in PROTOCOLS},
            "family_our_default": {p: row["family_scores"][p] for p in PROTOCOLS},
            "variant_our_default": {p: row["variant"][p] for p in PROTOCOLS},
            "after_swap_own_default_by_window": {
                name: mean_accuracy(suite, results, variant, "after-swap", episodes)
                for name, episodes in (("shown", shown), ("hidden", hidden))
            },
        }
        print(
            f"{variant:<36} ({rows[variant]['order']}) "
            + " | ".join(
                f"{p}: own default {rows[variant]['own_default'][p]:.3f}, family "
                f"{row['family_scores'][p]:.3f}, ours {row['variant'][p]:.3f}"
                for p in PROTOCOLS
            )
        )
    report = {
        "benchmark": "conventions-default",
        "rote": __version__,
        "command": " ".join(["python", *sys.argv]),
        "against": str(args.against),
        "settings": against["settings"],
        "variants": rows,
        "wall_seconds": round(time.perf_counter() - start, 1),
    }
    with atomic_write(args.out) as tmp:
        tmp.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
