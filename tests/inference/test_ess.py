"""Normalisation and ESS in log space: invariants, and the all -inf case without NaN."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from rote.inference.ess import ess, log_ess, logsumexp, normalize

log_weights = st.lists(st.floats(-50, 50) | st.just(-np.inf), min_size=1, max_size=40).filter(
    lambda values: any(np.isfinite(values))
)


@given(log_weights)
def test_normalized_weights_sum_to_one(values: list[float]) -> None:
    normalised, total = normalize(values)
    assert np.isclose(np.exp(normalised).sum(), 1.0)
    assert np.isclose(total, np.log(np.sum(np.exp(np.asarray(values) - max(values)))) + max(values))


@given(log_weights, st.floats(-100, 100))
def test_normalization_ignores_a_common_shift(values: list[float], shift: float) -> None:
    assert np.allclose(normalize(values)[0], normalize(np.asarray(values) + shift)[0])


@given(log_weights)
def test_ess_lies_between_one_and_n(values: list[float]) -> None:
    assert 1.0 - 1e-9 <= ess(values) <= len(values) + 1e-9


def test_ess_extremes() -> None:
    assert np.isclose(ess(np.zeros(30)), 30.0)
    assert np.isclose(ess([0.0, -np.inf, -np.inf]), 1.0)
    assert np.isclose(ess([0.0, 0.0, -np.inf, -np.inf]), 2.0)


def test_all_minus_inf_is_explicit_not_nan() -> None:
    dead = np.full(5, -np.inf)
    normalised, total = normalize(dead)
    assert total == -np.inf
    assert np.allclose(np.exp(normalised), 0.2)
    assert log_ess(dead) == -np.inf
    assert ess(dead) == 0.0
    assert logsumexp(dead) == -np.inf
    assert np.array_equal(logsumexp(np.full((2, 3), -np.inf), axis=1), [-np.inf, -np.inf])
