"""Scores of one predicted distribution against the action that happened."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np


def top_action(distribution: Mapping[str, float]) -> str:
    """The most probable action; the first of an exact tie, in the distribution's order."""
    return max(distribution, key=lambda action: distribution[action])


def tie_split_hit(distribution: Mapping[str, float], actual: str, tolerance: float = 1e-6) -> float:
    """1/k when `actual` is among the k most probable actions, else 0 (the paper's accuracy).

    Probabilities within `tolerance` count as tied: programs with equal weight can come out
    of the mixture a few ulps apart, depending on summation order."""
    best = max(distribution.values())
    tied = [action for action, p in distribution.items() if p >= best - tolerance]
    return 1.0 / len(tied) if actual in tied else 0.0


def log_loss(distribution: Mapping[str, float], actual: str) -> float:
    """Negative log-probability of the actual action (inf if it was given zero)."""
    p = distribution.get(actual, 0.0)
    return math.inf if p <= 0.0 else -math.log(p)


def brier(distribution: Mapping[str, float], actual: str) -> float:
    """Squared error of the distribution against the one-hot actual action (0 best, 2 worst)."""
    return sum((p - (action == actual)) ** 2 for action, p in distribution.items()) + (
        0.0 if actual in distribution else 1.0
    )


def bootstrap_interval(
    values: Sequence[float], *, level: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean: resample the units (trajectories) with
    replacement. Seeded, so a summary is reproducible."""
    if not values:
        raise ValueError("no values to bootstrap")
    data = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, len(data), size=(resamples, len(data)))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)
