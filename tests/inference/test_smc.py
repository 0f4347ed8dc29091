"""The SMC step functions: normalised weights, evidence, resampling, and refresh = full replay."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rote.inference.ess import logsumexp
from rote.inference.likelihood import NoiseModel, log_marginal, step_log_likelihood
from rote.inference.resampling import systematic
from rote.inference.smc import (
    ParticleSet,
    belief_over_steps,
    maybe_resample,
    posterior_predictive,
    refresh,
    reweight,
)
from rote.programs.program import Program

ACTIONS = ("stay", "up", "down", "left", "right", "interact")
MODEL = NoiseModel().for_env("stay")
"""With the tempo layer: twelve (eps, rate) settings on the likelihoods' last axis."""
PAPER = NoiseModel()
"""Without: the three eps of the paper's model."""


def programs(n: int) -> tuple[Program, ...]:
    return tuple(Program(f"# program {i}", origin="test") for i in range(n))


def fresh(n: int) -> ParticleSet:
    return ParticleSet(programs(n), np.full(n, -np.log(n)), np.zeros((n, MODEL.size)))


def step_loglik(outputs: list[str | None], action: str) -> np.ndarray:
    return np.stack([step_log_likelihood(o, action, ACTIONS, MODEL) for o in outputs])


histories = st.lists(
    st.tuples(
        st.lists(st.sampled_from((*ACTIONS, None)), min_size=6, max_size=6),
        st.sampled_from(ACTIONS),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(history=histories, seed=st.integers(0, 1000))
def test_weights_stay_normalised_and_evidence_adds_up(
    history: list[tuple[list[str | None], str]], seed: int
) -> None:
    particles = fresh(6)
    rng = np.random.default_rng(seed)
    for outputs, action in history:
        before = particles
        particles, increment = reweight(particles, step_loglik(outputs, action), MODEL)
        assert np.isclose(logsumexp(particles.log_weights), 0.0)
        expected = logsumexp(
            before.log_weights
            + log_marginal(particles.loglik, MODEL.log_prior)
            - log_marginal(before.loglik, MODEL.log_prior)
        )
        assert np.isclose(increment, expected)
        particles, _ = maybe_resample(particles, rng, systematic, 0.5)
        assert np.isclose(logsumexp(particles.log_weights), 0.0)


@settings(max_examples=60, deadline=None)
@given(history=histories, seed=st.integers(0, 1000))
def test_after_refresh_weights_equal_a_full_replay(
    history: list[tuple[list[str | None], str]], seed: int
) -> None:
    particles = fresh(6)
    rng = np.random.default_rng(seed)
    full = np.zeros((6, MODEL.size))
    for outputs, action in history:
        full += step_loglik(outputs, action)  # program i's own replay, never resampled
        particles, _ = reweight(
            particles,
            step_loglik([outputs[int(p.source.split()[-1])] for p in particles.programs], action),
            MODEL,
        )
        particles, _ = maybe_resample(particles, rng, systematic, 0.5)
    refreshed = refresh(particles.programs, particles.loglik, MODEL, n_max=6)
    indices = [int(program.source.split()[-1]) for program in refreshed.programs]
    assert len(set(indices)) == len(indices)
    expected = log_marginal(full[indices], MODEL.log_prior)
    expected -= logsumexp(expected)
    assert np.allclose(refreshed.log_weights, expected)


@settings(max_examples=60, deadline=None)
@given(history=histories, priors=st.lists(st.floats(-5, 0), min_size=6, max_size=6))
def test_belief_after_each_step_is_refresh_on_that_prefix(
    history: list[tuple[list[str | None], str]], priors: list[float]
) -> None:
    """Row t of the belief is what `refresh` would weigh the programs at after steps 0..t."""
    steps = np.stack([step_loglik(outputs, action) for outputs, action in history], axis=1)
    held = tuple(
        Program(f"# program {i}", origin="test", log_prior=p) for i, p in enumerate(priors)
    )
    belief = belief_over_steps(np.array(priors), steps, MODEL)
    assert belief.shape == (len(history), 6)
    for t in range(len(history)):
        prefix = steps[:, : t + 1].sum(axis=1)
        refreshed = refresh(held, prefix, MODEL, n_max=6)
        expected = np.zeros(6)
        for program, log_weight in zip(refreshed.programs, refreshed.log_weights, strict=True):
            expected[held.index(program)] = np.exp(log_weight)
        assert np.allclose(belief[t], expected)


def test_refresh_merges_duplicates_and_keeps_the_best() -> None:
    same = Program("# same", origin="a")
    twin = Program("# same", origin="b")
    other = Program("# other", origin="a")
    loglik = np.asarray([[-1.0, -1.0, -1.0], [-1.0, -1.0, -1.0], [-5.0, -5.0, -5.0]])
    particles = refresh([same, twin, other], loglik, PAPER, n_max=1)
    assert particles.programs == (same,)
    assert np.allclose(particles.log_weights, [0.0])


def test_all_particles_dead_gives_uniform_weights_and_no_nan() -> None:
    model = NoiseModel(grid=(0.0,))
    particles = ParticleSet(programs(3), np.full(3, -np.log(3)), np.zeros((3, 1)))
    step = np.stack([step_log_likelihood("up", "down", ACTIONS, model)] * 3)
    particles, increment = reweight(particles, step, model)
    assert increment == -np.inf
    assert np.allclose(np.exp(particles.log_weights), 1 / 3)
    particles, increment = reweight(particles, step, model)  # dead stays dead, still no NaN
    assert increment == -np.inf and not np.isnan(particles.log_weights).any()
    assert maybe_resample(particles, np.random.default_rng(0), systematic, 0.5)[1] is None


def test_resampling_happens_only_below_the_threshold() -> None:
    rng = np.random.default_rng(0)
    particles = fresh(4)
    assert maybe_resample(particles, rng, systematic, 0.5)[1] is None
    skewed = particles._replace(log_weights=np.log(np.asarray([0.97, 0.01, 0.01, 0.01])))
    resampled, ancestors = maybe_resample(skewed, rng, systematic, 0.5)
    assert ancestors is not None and list(ancestors).count(0) >= 3
    assert np.allclose(np.exp(resampled.log_weights), 0.25)


@given(st.lists(st.sampled_from((*ACTIONS, None)), min_size=4, max_size=4))
def test_posterior_predictive_is_a_distribution(outputs: list[str | None]) -> None:
    distribution = posterior_predictive(fresh(4), outputs, ACTIONS, MODEL)
    assert np.isclose(distribution.sum(), 1.0) and np.all(distribution > 0)


def test_predictive_follows_the_weights() -> None:
    particles = fresh(2)._replace(log_weights=np.log(np.asarray([0.9, 0.1])))
    particles = particles._replace(loglik=np.zeros((2, PAPER.size)))
    distribution = posterior_predictive(particles, ["up", "down"], ACTIONS, PAPER)
    assert distribution.argmax() == ACTIONS.index("up")
    assert distribution[ACTIONS.index("up")] > distribution[ACTIONS.index("down")] > distribution[0]


def test_refresh_weighs_programs_by_prior_times_likelihood() -> None:
    short = Program("# short", origin="synth", log_prior=-2.0)
    long = Program("# long", origin="synth", log_prior=-5.0)
    worse = Program("# fits worse", origin="synth", log_prior=0.0)
    loglik = np.asarray([[-1.0, -1.0, -1.0], [-4.5, -4.5, -4.5], [-1.0, -1.0, -1.0]])
    particles = refresh([long, worse, short], loglik, PAPER, n_max=2)
    assert particles.programs == (worse, short)  # the long one has the lowest posterior
    assert np.allclose(
        np.exp(particles.log_weights), [1 / (1 + np.exp(1.5)), 1 / (1 + np.exp(-1.5))]
    )
