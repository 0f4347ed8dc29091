"""The noise model's likelihood, with and without the tempo layer: consistent with its
predictive, failures score below misses, and the counts the search scores by sum to the steps."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rote.inference.likelihood import (
    NoiseModel,
    StepCounts,
    agrees,
    counted_log_likelihood,
    log_marginal,
    noise_posterior,
    predictive,
    sequence_log_likelihood,
    step_log_likelihood,
)

ACTIONS = ("stay", "up", "down", "left", "right", "interact")
PAPER = NoiseModel()
"""The paper's model: no idle action, so no tempo layer."""
TEMPO = NoiseModel().for_env("stay")
MODELS = st.sampled_from(
    [PAPER, TEMPO, NoiseModel(grid=(0.0, 0.1), rates=(0.5, 0.2), buckets=(2,)).for_env("stay")]
)


def only(eps: float, rate: float = 1.0, idle: str | None = None) -> NoiseModel:
    """One eps and one rate in every bucket."""
    return NoiseModel(grid=(eps,), rates=(rate,), steady=0.0, buckets=(), idle=idle)


outputs = st.sampled_from(ACTIONS) | st.dictionaries(
    st.sampled_from(ACTIONS), st.floats(0.01, 5.0), min_size=1
)


@given(outputs, MODELS, st.integers(0, 2))
def test_predictive_is_a_distribution_per_setting(
    output: str | dict[str, float], noise: NoiseModel, bucket: int
) -> None:
    table = predictive(output, ACTIONS, noise, min(bucket, noise.n_buckets - 1))
    assert table.shape == (noise.size, len(ACTIONS))
    assert np.allclose(table.sum(axis=1), 1.0)
    assert np.all(table >= 0)


@given(outputs, st.sampled_from(ACTIONS), MODELS, st.integers(0, 2))
def test_likelihood_is_the_predictive_of_the_action(
    output: str | dict[str, float], action: str, noise: NoiseModel, bucket: int
) -> None:
    bucket = min(bucket, noise.n_buckets - 1)
    with np.errstate(divide="ignore"):
        expected = np.log(predictive(output, ACTIONS, noise, bucket)[:, ACTIONS.index(action)])
    assert np.allclose(step_log_likelihood(output, action, ACTIONS, noise, bucket), expected)


def test_paper_model_for_deterministic_programs() -> None:
    assert np.isclose(step_log_likelihood("up", "up", ACTIONS, only(0.1))[0], np.log(0.9))
    assert np.isclose(step_log_likelihood("up", "down", ACTIONS, only(0.1))[0], np.log(0.1 / 5))


def test_distributions_are_mixed_with_uniform_noise() -> None:
    value = step_log_likelihood({"up": 0.5, "down": 0.5}, "up", ACTIONS, only(0.2))[0]
    assert np.isclose(value, np.log(0.8 * 0.5 + 0.2 / 6))


def test_the_tempo_layer_idles_at_the_rate_the_agent_does_not_act() -> None:
    noise = only(0.1, rate=0.4, idle="stay")

    def p(output: str, action: str) -> float:
        return float(np.exp(step_log_likelihood(output, action, ACTIONS, noise)[0]))

    assert np.isclose(p("up", "up"), 0.4 * 0.9)  # it acted, as the program said
    assert np.isclose(p("up", "stay"), 0.6 + 0.4 * 0.1 / 5)  # it waited
    assert np.isclose(p("up", "down"), 0.4 * 0.1 / 5)  # it acted otherwise
    assert np.isclose(p("stay", "stay"), 0.6 + 0.4 * 0.9)  # nothing to do, and it did nothing
    assert np.isclose(p("stay", "down"), 0.4 * 0.1 / 5)
    # a person who pauses between moves is a program right whenever they act, which beats
    # "always stay" once they act on enough ticks
    moves = ["up", "stay", "stay", "up", "stay", "up"]
    errand = sum(np.log(p("up", a)) for a in moves)
    stayer = sum(np.log(p("stay", a)) for a in moves)
    assert errand > stayer


def test_the_rate_depends_on_the_idle_ticks_since_the_agent_last_acted() -> None:
    """A person seldom presses a key right after one and often after a short pause: each
    bucket of idle ticks has its own rate, inferred from the ticks of that bucket alone."""
    assert [TEMPO.bucket(idled) for idled in range(6)] == [0, 1, 1, 1, 2, 2]
    actions = ["up", "stay", "stay", "up", None, "stay", "stay", "stay", "stay", "stay"]
    assert TEMPO.buckets_of(actions) == [0, 0, 1, 1, 0, 0, 1, 1, 1, 2, 2]
    assert PAPER.buckets_of(actions) == [0] * 11 and PAPER.n_buckets == 1
    # the steady tempo first, then every combination of the rates, one per bucket
    assert TEMPO.size == 3 * (1 + 5**3)
    assert np.allclose(TEMPO.rate(2)[:3], 1.0) and set(TEMPO.rate(2)) == {1.0, *TEMPO.rates}
    # under a program that always says "up", an agent that idles right after acting and acts
    # after a pause: the tempos that say so hold the posterior, and their rates differ by bucket
    noise = NoiseModel(grid=(0.1,), rates=(0.9, 0.1), buckets=(1,), idle="stay")
    loglik = sequence_log_likelihood(["up"] * 40, ["up", "stay"] * 20, ACTIONS, noise)
    rates = noise.acting_rates(loglik)
    assert rates["0"] < 0.2 < 0.8 < rates["1+"]
    assert TEMPO.bucket_names == ("0", "1-3", "4+") and PAPER.bucket_names == ("0+",)
    assert NoiseModel(buckets=(2, 3)).for_env("stay").bucket_names == ("0-1", "2", "3+")


def test_without_an_idle_action_the_tempo_layer_is_off() -> None:
    assert PAPER.size == 3 and NoiseModel(steady=1.0).for_env("stay").size == 3
    assert np.allclose(PAPER.rate(0), 1.0) and np.allclose(PAPER.log_prior, np.log(1 / 3))
    # the tempo grid's always-acting slice is the paper's model
    for output, action in [("up", "up"), ("up", "stay"), ("stay", "up"), (None, "up")]:
        paper = step_log_likelihood(output, action, ACTIONS, PAPER)
        assert np.allclose(step_log_likelihood(output, action, ACTIONS, TEMPO)[:3], paper)


def test_a_joint_prior_replaces_the_product_of_eps_and_tempo() -> None:
    """A population's prior (a library's) need not factor: it is taken as given, normalised."""
    joint = np.arange(1.0, TEMPO.size + 1)
    learned = replace(TEMPO, joint=tuple(joint))
    assert np.allclose(np.exp(learned.log_prior), joint / joint.sum())
    assert not np.allclose(learned.log_prior, TEMPO.log_prior)
    with pytest.raises(ValueError, match="378 pairs"):
        _ = replace(TEMPO, joint=(1.0, 2.0)).log_prior


def test_failure_scores_below_a_miss_and_predicts_uniform() -> None:
    for noise in (PAPER, TEMPO):
        assert np.allclose(
            step_log_likelihood(None, "up", ACTIONS, noise)[:3],
            step_log_likelihood("down", "up", ACTIONS, noise)[:3],
        )
        failed = step_log_likelihood(None, "stay", ACTIONS, noise)
        assert np.all(failed <= step_log_likelihood("down", "stay", ACTIONS, noise))
        assert np.allclose(predictive(None, ACTIONS, noise), 1 / 6)


def test_zero_eps_makes_a_miss_impossible_without_nan() -> None:
    values = step_log_likelihood("up", "down", ACTIONS, NoiseModel(grid=(0.0, 0.1)))
    assert values[0] == -np.inf and np.isfinite(values[1])


@given(
    st.lists(st.tuples(st.sampled_from(ACTIONS) | st.none(), st.sampled_from(ACTIONS))),
    MODELS,
)
def test_counts_give_the_sum_of_the_steps(
    steps: list[tuple[str | None, str]], noise: NoiseModel
) -> None:
    """What the search scores by equals what the SMC adds up step by step, eps = 0 included,
    each step in the bucket the actions before it put it in."""
    outputs = [output for output, _ in steps]
    actions = [action for _, action in steps]
    buckets = noise.buckets_of(actions)
    total = np.zeros(noise.size)
    for output, action, bucket in zip(outputs, actions, buckets, strict=False):
        total = total + step_log_likelihood(output, action, ACTIONS, noise, bucket)
    assert np.allclose(sequence_log_likelihood(outputs, actions, ACTIONS, noise), total)
    idle = noise.idle
    counts = []
    for k in range(noise.n_buckets):
        of_k = [(o, a) for o, a, b in zip(outputs, actions, buckets, strict=False) if b == k]
        counts.append(
            StepCounts(
                acted=sum(o == a != idle for o, a in of_k),
                idled=sum(o == a == idle for o, a in of_k),
                waited=sum(a == idle and o not in (a, None) for o, a in of_k),
                missed=sum(a != idle and o not in (a, None) for o, a in of_k),
                failed=sum(o is None for o, _ in of_k),
            )
        )
    counted = counted_log_likelihood(counts, ACTIONS, noise)
    assert not np.isnan(counted).any()
    assert np.allclose(counted, total, rtol=1e-12, atol=0.0)


def test_marginal_and_posterior_over_the_settings() -> None:
    model = NoiseModel(grid=(0.1, 0.3), prior=(3.0, 1.0))
    assert np.allclose(np.exp(model.log_prior), [0.75, 0.25])
    tempo = NoiseModel((0.1, 0.3), (3.0, 1.0), rates=(0.5,), buckets=(), idle="stay")
    assert np.allclose(np.exp(tempo.log_prior), [0.375, 0.125, 0.375, 0.125])  # tempo-major
    assert np.allclose(tempo.rate(0), [1.0, 1.0, 0.5, 0.5])
    assert np.allclose(tempo.eps, [0.1, 0.3, 0.1, 0.3])
    loglik = np.asarray([[np.log(0.5), np.log(0.25)], [-np.inf, -np.inf]])
    marginal = log_marginal(loglik, model.log_prior)
    assert np.isclose(marginal[0], np.log(0.75 * 0.5 + 0.25 * 0.25))
    assert marginal[1] == -np.inf
    posterior = noise_posterior(loglik, model.log_prior)
    assert np.allclose(posterior.sum(axis=1), 1.0)
    assert np.allclose(posterior[1], 0.5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"grid": ()}, "eps"),
        ({"grid": (1.0,)}, "eps"),
        ({"grid": (0.1,), "prior": (1.0, 2.0)}, "eps"),
        ({"rates": ()}, "rates"),
        ({"rates": (0.0,)}, "rates"),
        ({"steady": 1.5}, "steady"),
        ({"buckets": (0, 2)}, "buckets"),
        ({"buckets": (3, 2)}, "buckets"),
        ({"joint": (1.0, -1.0)}, "joint"),
        ({"joint": (0.0, 0.0)}, "joint"),
    ],
)
def test_bad_models_are_refused(kwargs: dict[str, tuple[float, ...]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        NoiseModel(**kwargs)  # type: ignore[arg-type]


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
