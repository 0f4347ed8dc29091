"""The bench's figures, as PNG files: accuracy with intervals, cost, and particles. The only
module that imports matplotlib."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display on servers and CI

import matplotlib.pyplot as plt
import numpy as np

from rote.evaluation.methods import method
from rote.evaluation.records import CellResult, Row
from rote.evaluation.suites import PROTOCOLS, Suite
from rote.files import atomic_write


def accuracy(rows: Sequence[Row], path: Path) -> None:
    """Accuracy per method (bars) and protocol (groups), with 95% bootstrap intervals."""
    methods = list(dict.fromkeys(row.method for row in rows))
    protocols = [p for p in PROTOCOLS if any(row.protocol == p for row in rows)]
    found = {(row.method, row.protocol): row for row in rows}
    width = 0.8 / max(len(methods), 1)
    figure, axes = plt.subplots(figsize=(max(6.0, 1.6 * len(protocols) + 0.4 * len(methods)), 4))
    for i, name in enumerate(methods):
        xs: list[float] = []
        ys: list[float] = []
        errors: list[list[float]] = [[], []]
        for j, protocol in enumerate(protocols):
            row = found.get((name, protocol))
            if row is not None:
                xs.append(j + (i - (len(methods) - 1) / 2) * width)
                ys.append(row.accuracy)
                errors[0].append(max(0.0, row.accuracy - row.ci_low))  # ulps of rounding
                errors[1].append(max(0.0, row.ci_high - row.accuracy))
        axes.bar(xs, ys, width, yerr=errors, capsize=2, label=name)
    axes.set_xticks(range(len(protocols)), protocols)
    axes.set_ylim(0, 1)
    axes.set_ylabel("top-1 accuracy (ties split)")
    axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _save(figure, path)


def cost(suite: Suite, results: Sequence[CellResult], path: Path) -> None:
    """Cumulative wall time against predictions made, online (the paper's cost figure):
    inference once, then each prediction and update. Means over trajectories."""
    figure, axes = plt.subplots(figsize=(6, 4))
    for name in dict.fromkeys(r.method for r in results):
        runs = [r for r in results if r.method == name and r.updating == "online"]
        if not runs:
            continue
        curves = np.array(
            [r.infer_seconds + np.cumsum([p.seconds for p in r.predictions]) for r in runs]
        )
        axes.plot(range(1, curves.shape[1] + 1), curves.mean(axis=0), label=name)
    axes.set_yscale("log")
    axes.set_xlabel("predictions")
    axes.set_ylabel("cumulative seconds")
    axes.set_title(f"{suite.name}: cost, online protocol")
    if axes.lines:  # rote@N runs frozen only: a bench of those has no curve, and no legend
        axes.legend(fontsize="small")
    _save(figure, path)


def particles(suite: Suite, rows: Sequence[Row], path: Path) -> None:
    """rote's accuracy against its number of particles, per frozen protocol: a point per
    method with a particle count (`Method.particles`)."""
    counts: dict[int, dict[str, Row]] = {}
    for row in rows:
        particles = method(row.method).particles
        if particles is not None:
            counts.setdefault(particles(suite), {})[row.protocol] = row
    figure, axes = plt.subplots(figsize=(6, 4))
    xs = sorted(counts)
    for protocol in PROTOCOLS[:3]:
        points = [(x, counts[x][protocol]) for x in xs if protocol in counts[x]]
        if points:
            axes.errorbar(
                [x for x, _ in points],
                [r.accuracy for _, r in points],
                yerr=[
                    [max(0.0, r.accuracy - r.ci_low) for _, r in points],
                    [max(0.0, r.ci_high - r.accuracy) for _, r in points],
                ],
                marker="o",
                capsize=3,
                label=protocol,
            )
    axes.set_xscale("log")
    axes.set_ylim(0, 1)
    axes.set_xlabel("particles")
    axes.set_ylabel("top-1 accuracy")
    axes.set_title(f"{suite.name}: rote against particles")
    if counts:  # a bench without rote has no points, and no legend to draw
        axes.legend(fontsize="small")
    _save(figure, path)


def _save(figure: Any, path: Path) -> None:
    figure.tight_layout()
    with atomic_write(path) as tmp:  # named .tmp: savefig cannot guess the format
        figure.savefig(tmp, dpi=120, format="png")
    plt.close(figure)
