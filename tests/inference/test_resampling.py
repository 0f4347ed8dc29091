"""Resampling schemes: valid indices, unbiased in expectation, and each scheme's own guarantee."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rote.inference.resampling import RESAMPLERS, Resampler, residual, systematic

weights = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12).filter(lambda w: sum(w) > 1e-3)
SCHEMES = list(RESAMPLERS.items())


def _log(values: list[float]) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(np.asarray(values))


@pytest.mark.parametrize(("name", "resample"), SCHEMES, ids=[name for name, _ in SCHEMES])
@settings(max_examples=25, deadline=None)
@given(values=weights, seed=st.integers(0, 2**32 - 1))
def test_unbiased_in_expectation(
    name: str, resample: Resampler, values: list[float], seed: int
) -> None:
    rng = np.random.default_rng(seed)
    probabilities = np.asarray(values) / sum(values)
    n, draws = 10, 2000
    counts = np.zeros(len(values))
    for _ in range(draws):
        ancestors = resample(rng, _log(values), n)
        assert ancestors.shape == (n,)
        assert ancestors.min() >= 0 and ancestors.max() < len(values)
        assert np.all(probabilities[ancestors] > 0), "a zero-weight particle was resampled"
        counts += np.bincount(ancestors, minlength=len(values))
    mean = counts / draws
    # per-draw copies are bounded by n, so 6 standard errors of a bounded mean is a safe bound
    assert np.all(np.abs(mean - n * probabilities) <= 6 * n / np.sqrt(draws) / 2 + 1e-9)


@settings(max_examples=50, deadline=None)
@given(values=weights, seed=st.integers(0, 2**32 - 1), n=st.integers(1, 30))
def test_systematic_gives_floor_or_ceil_copies(values: list[float], seed: int, n: int) -> None:
    expected = n * np.asarray(values) / sum(values)
    counts = np.bincount(
        systematic(np.random.default_rng(seed), _log(values), n), minlength=len(values)
    )
    assert np.all(counts >= np.floor(expected - 1e-9)) and np.all(
        counts <= np.ceil(expected + 1e-9)
    )


@settings(max_examples=50, deadline=None)
@given(values=weights, seed=st.integers(0, 2**32 - 1), n=st.integers(1, 30))
@example(values=[1.0, 1.0, 1e-12], seed=1, n=2)  # n * w just under 1: no copy is guaranteed
def test_residual_keeps_the_deterministic_part(values: list[float], seed: int, n: int) -> None:
    expected = n * np.asarray(values) / sum(values)
    counts = np.bincount(
        residual(np.random.default_rng(seed), _log(values), n), minlength=len(values)
    )
    assert counts.sum() == n
    # floor(n * w) copies each, up to rounding: an n * w a hair under an integer guarantees one
    # copy fewer, so the tolerance may only lower the bound.
    assert np.all(counts >= np.floor(expected - 1e-9))


def test_default_count_is_the_number_of_particles() -> None:
    assert systematic(np.random.default_rng(0), np.zeros(7), None).shape == (7,)


@pytest.mark.parametrize(("name", "resample"), SCHEMES, ids=[name for name, _ in SCHEMES])
def test_all_zero_weights_refuse_explicitly(name: str, resample: Resampler) -> None:
    with pytest.raises(ValueError, match="every weight is zero"):
        resample(np.random.default_rng(0), np.full(4, -np.inf), 4)
