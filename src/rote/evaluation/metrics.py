"""Scores of one predicted distribution against the action that happened, and intervals of
their means."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

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


PROBABILITY_FLOOR = 1e-3
"""Cross-entropy counts a probability below this as this, as Carroll et al. (2019) score their
human models: one confident miss costs at most -log(1e-3) = 6.9 nats instead of infinity, so a
mean is not decided by a single step."""


def cross_entropy(p: float) -> float:
    """The cross-entropy, in nats, of a step whose action was given probability `p`: -log p,
    with p floored at `PROBABILITY_FLOOR`."""
    return -math.log(max(p, PROBABILITY_FLOOR))


class Acting(NamedTuple):
    """A prediction scored on a step where the agent acted, the idle action set aside."""

    hit: float
    p: float
    top: str
    """The most probable action but idling (`top_action` of the renormalised rest)."""


def without_idle(distribution: Mapping[str, float], actual: str, idle: str | None) -> Acting | None:
    """What the agent did when it acted: the tie-split hit and the probability of `actual`
    under the distribution with the idle action removed and the rest renormalised, as Laidlaw
    and Dragan (2022) score Overcooked players ("no-stay"), and the top of that rest. None
    where the env has no idle action or the agent idled. If only idling had any probability,
    the other actions are tied: each gets an equal share."""
    if idle is None or actual == idle:
        return None
    acting = {action: p for action, p in distribution.items() if action != idle}
    total = sum(acting.values())
    if total <= 0.0:
        acting, total = dict.fromkeys(acting, 1.0), float(len(acting))
    renormalised = {action: p / total for action, p in acting.items()}
    return Acting(
        tie_split_hit(renormalised, actual),
        renormalised.get(actual, 0.0),
        top_action(renormalised),
    )


def brier(distribution: Mapping[str, float], actual: str) -> float:
    """Squared error of the distribution against the one-hot actual action (0 best, 2 worst)."""
    return sum((p - (action == actual)) ** 2 for action, p in distribution.items()) + (
        0.0 if actual in distribution else 1.0
    )


def bootstrap_interval(
    values: Sequence[float],
    weights: Sequence[float] | None = None,
    *,
    level: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the (weighted) mean: resample the units (trajectories)
    with replacement. A unit's weight is its number of steps for a mean pooled over steps.
    Seeded, so a summary is reproducible."""
    if not values:
        raise ValueError("no values to bootstrap")
    data = np.asarray(values, dtype=float)
    mass = np.ones_like(data) if weights is None else np.asarray(weights, dtype=float)
    if mass.shape != data.shape or (mass <= 0).any():
        raise ValueError("bootstrap weights must be positive, one per value")
    rng = np.random.default_rng(seed)
    drawn = rng.integers(0, len(data), size=(resamples, len(data)))
    means = (data[drawn] * mass[drawn]).sum(axis=1) / mass[drawn].sum(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)
