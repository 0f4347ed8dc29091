"""Resampling schemes: ancestor indices drawn in proportion to the weights.

Each takes a numpy Generator and log-weights (not necessarily normalised) and returns `n`
ancestor indices. All are unbiased: the expected number of copies of particle i is n * w_i.
Systematic resampling is the default in SMC for its low variance (Douc et al., 2005).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rote.inference.ess import normalize

Indices = NDArray[np.int64]
Resampler = Callable[[np.random.Generator, ArrayLike, int | None], Indices]


def _probabilities(log_weights: ArrayLike) -> NDArray[np.float64]:
    normalised, total = normalize(log_weights)
    if total == -np.inf:
        raise ValueError("cannot resample: every weight is zero")
    probabilities: NDArray[np.float64] = np.exp(normalised)
    probabilities /= probabilities.sum()
    return probabilities


def _search(probabilities: NDArray[np.float64], points: NDArray[np.float64]) -> Indices:
    cumulative = np.cumsum(probabilities)
    cumulative[-1] = 1.0  # guard against rounding leaving the last bin short
    return np.searchsorted(cumulative, points, side="right").astype(np.int64)


def multinomial(rng: np.random.Generator, log_weights: ArrayLike, n: int | None = None) -> Indices:
    """n independent draws."""
    probabilities = _probabilities(log_weights)
    count = probabilities.size if n is None else n
    return _search(probabilities, rng.random(count))


def stratified(rng: np.random.Generator, log_weights: ArrayLike, n: int | None = None) -> Indices:
    """One independent draw in each of n equal strata of [0, 1)."""
    probabilities = _probabilities(log_weights)
    count = probabilities.size if n is None else n
    return _search(probabilities, (np.arange(count) + rng.random(count)) / count)


def systematic(rng: np.random.Generator, log_weights: ArrayLike, n: int | None = None) -> Indices:
    """One uniform offset shared by n evenly spaced points."""
    probabilities = _probabilities(log_weights)
    count = probabilities.size if n is None else n
    return _search(probabilities, (np.arange(count) + rng.random()) / count)


def residual(rng: np.random.Generator, log_weights: ArrayLike, n: int | None = None) -> Indices:
    """floor(n * w_i) copies of each particle, the remainder drawn multinomially."""
    probabilities = _probabilities(log_weights)
    count = probabilities.size if n is None else n
    copies = np.floor(count * probabilities).astype(np.int64)
    deterministic = np.repeat(np.arange(probabilities.size), copies)
    rest = count - int(copies.sum())
    if rest == 0:
        return deterministic
    leftover = count * probabilities - copies
    drawn = _search(leftover / leftover.sum(), rng.random(rest))
    return np.sort(np.concatenate([deterministic, drawn]))


RESAMPLERS: dict[str, Resampler] = {
    "systematic": systematic,
    "stratified": stratified,
    "multinomial": multinomial,
    "residual": residual,
}
