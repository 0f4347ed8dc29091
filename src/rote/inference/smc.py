"""SMC over programs: the particle set, its per-step update, and the record of each step.

Particles are programs. Because a program's state is a function of its source and the
observations it has seen, particles holding one program share one live instance in the sandbox
(a copy made by resampling would only ever repeat it), and the particle set holds only programs
and numbers:

- `loglik[i, e]`: the log-likelihood of the whole history under program i and noise setting e
  (a pair of noise level and tempo, `rote.inference.likelihood.NoiseModel`);
- `log_weights[i]`: the normalised SMC weight.

Each observed step multiplies a particle's weight by its likelihood increment (marginal over the
noise settings)
and normalises; the normaliser is the step's log-evidence increment. When the ESS falls below the
threshold, particles are resampled and weights reset to uniform.

Rejuvenation (`refresh`) rebuilds the set from the surviving and newly proposed programs:
duplicates are merged and every distinct program is weighted by its prior (`Program.log_prior`)
times the replay of the *whole* history, marginalised over the noise settings' prior. That is
the exact posterior restricted to the programs proposed so far, so after a rejuvenation the
weights equal those of a full replay, whatever happened before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from rote.inference.ess import FloatArray, ess, normalize
from rote.inference.likelihood import NoiseModel, log_marginal, noise_posterior, predictive
from rote.inference.resampling import Indices, Resampler
from rote.programs.program import Program
from rote.programs.sandbox import Output


class ParticleSet(NamedTuple):
    """Programs, their normalised log-weights, and each one's log-likelihood per noise setting."""

    programs: tuple[Program, ...]
    log_weights: FloatArray
    loglik: FloatArray


class StepRecord(NamedTuple):
    """What happened at one observed step, for plots and debugging."""

    t: int
    log_weights: FloatArray
    ess: float
    ancestors: Indices | None
    """Resampling ancestors, or None when the step did not resample."""
    log_evidence_increment: float
    proposals: int
    """Programs the proposer returned at this step (0 unless rejuvenated)."""
    failures: tuple[tuple[str, str], ...]
    """(program id, message) for programs that failed at this step."""
    rejuvenated: bool
    rebuilds: int = 0
    """Sandbox workers lost at this step whose programs were rebuilt by replaying the history."""


def _delta(after: FloatArray, before: FloatArray) -> FloatArray:
    """after - before where -inf - -inf stays -inf (a dead particle stays dead)."""
    with np.errstate(invalid="ignore"):
        difference = after - before
    result: FloatArray = np.where(np.isneginf(after), -np.inf, difference)
    return result


def reweight(
    particles: ParticleSet, step_loglik: FloatArray, noise: NoiseModel
) -> tuple[ParticleSet, float]:
    """Absorb one observed step: step_loglik[i, e] = log p_e(a_t | program i).

    Returns the updated set and the log-evidence increment. If every particle gives the step
    zero probability the weights become uniform and the increment is -inf (the caller should
    rejuvenate); there is never a NaN.
    """
    loglik = particles.loglik + step_loglik
    increment = _delta(
        log_marginal(loglik, noise.log_prior),
        log_marginal(particles.loglik, noise.log_prior),
    )
    log_weights, total = normalize(particles.log_weights + increment)
    return ParticleSet(particles.programs, log_weights, loglik), total


def resample(particles: ParticleSet, ancestors: Indices) -> ParticleSet:
    """The particles at `ancestors`, with uniform weights."""
    n = len(ancestors)
    return ParticleSet(
        tuple(particles.programs[i] for i in ancestors),
        np.full(n, -np.log(n)),
        particles.loglik[ancestors],
    )


def maybe_resample(
    particles: ParticleSet, rng: np.random.Generator, resampler: Resampler, threshold: float
) -> tuple[ParticleSet, Indices | None]:
    """Resample when ESS < threshold * N (and some particle is alive)."""
    n = len(particles.programs)
    if ess(particles.log_weights) >= threshold * n or not np.isfinite(particles.log_weights).any():
        return particles, None
    ancestors = resampler(rng, particles.log_weights, n)
    return resample(particles, ancestors), ancestors


def refresh(
    programs: Sequence[Program], loglik: FloatArray, noise: NoiseModel, n_max: int
) -> ParticleSet:
    """A particle set of the distinct programs, weighted by prior times whole-history replay.

    Keeps at most `n_max`, the best by posterior (earlier programs win ties).
    """
    first_index: dict[str, int] = {}
    for index, program in enumerate(programs):
        first_index.setdefault(program.id, index)
    distinct = np.asarray(list(first_index.values()), dtype=np.int64)
    log_prior = np.array([programs[i].log_prior for i in distinct])
    posterior = log_prior + log_marginal(loglik[distinct], noise.log_prior)
    order = np.sort(np.argsort(-posterior, kind="stable")[:n_max])
    log_weights, _ = normalize(posterior[order])
    keep = distinct[order]
    return ParticleSet(tuple(programs[i] for i in keep), log_weights, loglik[keep])


def belief_over_steps(
    log_prior: FloatArray, step_loglik: FloatArray, noise: NoiseModel
) -> FloatArray:
    """What the posterior over a set of distinct programs would have been after each step:
    row t is prior times the likelihood of steps 0..t, normalised over the programs, as
    `refresh` weighs them (so the last row is its weights). `step_loglik[i, t, e]` is
    log p_e(a_t | program i). Shape (steps, programs). It shows when the belief settled and
    where it changed, for the programs that hold it at the end."""
    cumulative = np.cumsum(step_loglik, axis=1)  # (programs, steps, settings)
    posterior = log_prior[:, None] + log_marginal(cumulative, noise.log_prior)
    rows = [normalize(column)[0] for column in posterior.T]
    return np.exp(np.stack(rows)) if rows else np.zeros((0, len(log_prior)))


def posterior_predictive(
    particles: ParticleSet,
    outputs: Sequence[Output],
    action_names: Sequence[str],
    noise: NoiseModel,
    bucket: int = 0,
) -> NDArray[np.float64]:
    """p(a | history) = sum_i w_i sum_e p(e | history, i) p_e(a | output_i, bucket), at a tick
    of this bucket of idle ticks since the agent last acted."""
    weights = np.exp(particles.log_weights)
    noise_weights = noise_posterior(particles.loglik, noise.log_prior)
    distribution = np.zeros(len(action_names))
    known: dict[str | None, FloatArray] = {}  # particles share a few outputs
    for weight, noise_weight, output in zip(weights, noise_weights, outputs, strict=True):
        if isinstance(output, dict):
            matrix = predictive(output, action_names, noise, bucket)
        else:
            if output not in known:
                known[output] = predictive(output, action_names, noise, bucket)
            matrix = known[output]
        distribution += weight * (noise_weight @ matrix)
    result: NDArray[np.float64] = distribution / distribution.sum()
    return result
