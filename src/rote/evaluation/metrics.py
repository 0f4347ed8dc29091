"""Scores of one predicted distribution against the action that happened."""

from __future__ import annotations

import math
from collections.abc import Mapping


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
