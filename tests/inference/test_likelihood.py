"""The epsilon-noise likelihood: consistent with its predictive, failures score as misses, and
the counts the search scores by sum to the steps."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rote.inference.likelihood import (
    EpsilonModel,
    agrees,
    counted_log_likelihood,
    eps_posterior,
    log_marginal,
    predictive,
    step_log_likelihood,
)

ACTIONS = ("stay", "up", "down", "left", "right", "interact")
EPS = EpsilonModel().eps
outputs = st.sampled_from(ACTIONS) | st.dictionaries(
    st.sampled_from(ACTIONS), st.floats(0.01, 5.0), min_size=1
)


@given(outputs)
def test_predictive_is_a_distribution_per_eps(output: str | dict[str, float]) -> None:
    table = predictive(output, ACTIONS, EPS)
    assert table.shape == (len(EPS), len(ACTIONS))
    assert np.allclose(table.sum(axis=1), 1.0)
    assert np.all(table > 0)


@given(outputs, st.sampled_from(ACTIONS))
def test_likelihood_is_the_predictive_of_the_action(
    output: str | dict[str, float], action: str
) -> None:
    expected = np.log(predictive(output, ACTIONS, EPS)[:, ACTIONS.index(action)])
    assert np.allclose(step_log_likelihood(output, action, ACTIONS, EPS), expected)


def test_paper_model_for_deterministic_programs() -> None:
    eps = np.asarray([0.1])
    assert np.isclose(step_log_likelihood("up", "up", ACTIONS, eps)[0], np.log(0.9))
    assert np.isclose(step_log_likelihood("up", "down", ACTIONS, eps)[0], np.log(0.1 / 5))


def test_distributions_are_mixed_with_uniform_noise() -> None:
    eps = np.asarray([0.2])
    value = step_log_likelihood({"up": 0.5, "down": 0.5}, "up", ACTIONS, eps)[0]
    assert np.isclose(value, np.log(0.8 * 0.5 + 0.2 / 6))


def test_failure_scores_as_a_miss_and_predicts_uniform() -> None:
    assert np.allclose(
        step_log_likelihood(None, "up", ACTIONS, EPS),
        step_log_likelihood("down", "up", ACTIONS, EPS),
    )
    assert np.allclose(predictive(None, ACTIONS, EPS), 1 / 6)


def test_zero_eps_makes_a_miss_impossible_without_nan() -> None:
    eps = np.asarray([0.0, 0.1])
    values = step_log_likelihood("up", "down", ACTIONS, eps)
    assert values[0] == -np.inf and np.isfinite(values[1])


@given(
    st.lists(st.tuples(st.sampled_from(ACTIONS) | st.none(), st.sampled_from(ACTIONS))),
    st.sampled_from([EPS, np.asarray([0.0, 0.1])]),
)
def test_counts_give_the_sum_of_the_steps(
    steps: list[tuple[str | None, str]], eps: np.ndarray
) -> None:
    """What the search scores by equals what the SMC adds up step by step, eps = 0 included."""
    total = np.zeros_like(eps)
    for output, action in steps:
        total = total + step_log_likelihood(output, action, ACTIONS, eps)
    hits = sum(output == action for output, action in steps)
    failures = sum(output is None for output, _ in steps)
    counted = counted_log_likelihood(hits, len(steps) - hits - failures, failures, ACTIONS, eps)
    assert not np.isnan(counted).any()
    assert np.allclose(counted, total, rtol=1e-12, atol=0.0)


def test_marginal_and_posterior_over_eps() -> None:
    model = EpsilonModel(grid=(0.1, 0.3), prior=(3.0, 1.0))
    assert np.allclose(np.exp(model.log_prior), [0.75, 0.25])
    loglik = np.asarray([[np.log(0.5), np.log(0.25)], [-np.inf, -np.inf]])
    marginal = log_marginal(loglik, model.log_prior)
    assert np.isclose(marginal[0], np.log(0.75 * 0.5 + 0.25 * 0.25))
    assert marginal[1] == -np.inf
    posterior = eps_posterior(loglik, model.log_prior)
    assert np.allclose(posterior.sum(axis=1), 1.0)
    assert np.allclose(posterior[1], 0.5)


@pytest.mark.parametrize(
    "kwargs", [{"grid": ()}, {"grid": (1.0,)}, {"grid": (0.1,), "prior": (1.0, 2.0)}]
)
def test_bad_models_are_refused(kwargs: dict[str, tuple[float, ...]]) -> None:
    with pytest.raises(ValueError, match="eps"):
        EpsilonModel(**kwargs)


@pytest.mark.parametrize(
    ("output", "action", "expected"),
    [
        ("up", "up", True),
        ("down", "up", False),
        (None, "up", False),  # a failed step fits nothing
        ({"up": 0.6, "down": 0.4}, "up", True),
        ({"up": 0.4, "down": 0.6}, "up", False),
        ({"up": 0.5, "down": 0.5}, "down", True),  # a tie names both
        ({"down": 1.0}, "up", False),
        ({"up": 0.0, "down": 0.0}, "up", False),  # a distribution of nothing names nothing
    ],
)
def test_a_program_agrees_when_it_names_the_action(
    output: str | dict[str, float] | None, action: str, expected: bool
) -> None:
    assert agrees(output, action) is expected
