"""Weight normalisation and effective sample size, in log space.

Every function accepts weights that are all -inf (no particle explains the data) and answers
without NaN: that case is a signal for the caller (rejuvenate), not an arithmetic accident.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def logsumexp(values: ArrayLike, axis: int | None = None) -> FloatArray:
    """log(sum(exp(values))) without overflow; -inf where every value is -inf."""
    array = np.asarray(values, dtype=np.float64)
    peak = np.max(array, axis=axis, keepdims=True)
    safe_peak = np.where(np.isfinite(peak), peak, 0.0)
    with np.errstate(divide="ignore"):
        total = np.log(np.sum(np.exp(array - safe_peak), axis=axis, keepdims=True)) + safe_peak
    result: FloatArray = np.squeeze(total, axis=axis) if axis is not None else total.reshape(())
    return result


def normalize(log_weights: ArrayLike) -> tuple[FloatArray, float]:
    """Normalised log-weights and the log of their total before normalising.

    When the incoming weights are a normalised set times per-particle likelihood increments,
    that total is the log-evidence increment of the step. All -inf gives uniform weights and a
    total of -inf.
    """
    array = np.asarray(log_weights, dtype=np.float64)
    total = float(logsumexp(array))
    if total == -np.inf:
        return np.full(array.shape, -np.log(array.size)), total
    return array - total, total


def log_ess(log_weights: ArrayLike) -> float:
    """log of the effective sample size (sum w)^2 / sum w^2; -inf when every weight is zero."""
    array = np.asarray(log_weights, dtype=np.float64)
    total = float(logsumexp(array))
    if total == -np.inf:
        return -np.inf
    return float(2.0 * total - logsumexp(2.0 * array))


def ess(log_weights: ArrayLike) -> float:
    """Effective sample size, in [1, N] for any weights with at least one positive; else 0."""
    return float(np.exp(log_ess(log_weights)))
