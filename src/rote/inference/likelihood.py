"""How well a program's output explains an observed action: the noise model.

A deterministic program is right with probability 1 - eps and otherwise picks one of the other
|A| - 1 actions uniformly (the ROTE paper's model). A program that returns a distribution p is
mixed with uniform noise: (1 - eps) p(a) + eps / |A|. A step on which the program failed
(exception, timeout, invalid output) is scored as eps / (|A| - 1), so crashing never beats
being wrong; for prediction it contributes a uniform distribution.

In an env with an idle action (`EnvSpec.idle_action`), a tempo layer separates *when* the
agent acts from *what* it does: at each tick it acts with probability r (its rate) and
otherwise idles, and when it acts it follows the program as above:

    p(a | output) = (1 - r) [a = idle] + r p_eps(a | output).

A person who pauses between key presses is then a program that is right whenever they act,
not a program that is wrong on every pause (which "always stay" beats). Where the agent never
idles, r = 1 explains it best and the layer costs nothing; where the env has no idle action,
r is 1.

eps and r range over small grids with priors, and every (eps, r) pair is marginalised per
program: p(a_1..t | program) = sum_(e, r) prior(e) prior(r) prod_s p_(e, r)(a_s | program).
docs/inference.md gives the equations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from rote.inference.ess import FloatArray, logsumexp
from rote.programs.sandbox import Output

RATES: tuple[float, ...] = (1.0, 0.75, 0.5, 0.25)
"""The acting rates the tempo layer considers by default."""
RATE_PRIOR: tuple[float, ...] = (0.5, 1 / 6, 1 / 6, 1 / 6)
"""Half the prior on "always acts", as every scripted agent and program does, so that an
agent that acts at every tick loses almost nothing to the layer."""


@dataclass(frozen=True)
class NoiseModel:
    """The noise levels and acting rates to consider, and their priors (uniform when not
    given). The grid the likelihoods carry on their last axis is every (eps, rate) pair,
    rate-major; without an idle action it is the eps grid alone."""

    grid: tuple[float, ...] = (0.02, 0.1, 0.3)
    prior: tuple[float, ...] | None = None
    rates: tuple[float, ...] = RATES
    rate_prior: tuple[float, ...] | None = RATE_PRIOR
    idle: str | None = None
    """The env's idle action (`for_env` sets it); None turns the tempo layer off."""

    def __post_init__(self) -> None:
        if not self.grid or not all(0.0 <= eps < 1.0 for eps in self.grid):
            raise ValueError(f"eps grid must be non-empty values in [0, 1), not {self.grid}")
        _check_prior("eps", self.grid, self.prior)
        if not self.rates or not all(0.0 < rate <= 1.0 for rate in self.rates):
            raise ValueError(f"rates must be non-empty values in (0, 1], not {self.rates}")
        _check_prior("rate", self.rates, self.rate_prior)

    def for_env(self, idle: str | None) -> NoiseModel:
        """The model for an env whose idle action is `idle` (None: it has none)."""
        return replace(self, idle=idle)

    @property
    def _rates(self) -> tuple[float, ...]:
        return self.rates if self.idle is not None else (1.0,)

    @property
    def size(self) -> int:
        """The number of (eps, rate) pairs: the length of the likelihoods' last axis."""
        return len(self.grid) * len(self._rates)

    @property
    def eps(self) -> FloatArray:
        """Each pair's eps."""
        return np.tile(np.asarray(self.grid, dtype=np.float64), len(self._rates))

    @property
    def rate(self) -> FloatArray:
        """Each pair's acting rate (all 1 without an idle action)."""
        return np.repeat(np.asarray(self._rates, dtype=np.float64), len(self.grid))

    @property
    def log_prior(self) -> FloatArray:
        """Each pair's log prior: prior(eps) prior(rate)."""
        eps = _log_normalised(self.prior, len(self.grid))
        if self.idle is None:
            return eps
        rate = _log_normalised(self.rate_prior, len(self.rates))
        result: FloatArray = (rate[:, None] + eps[None, :]).reshape(-1)
        return result


def _check_prior(name: str, grid: tuple[float, ...], prior: tuple[float, ...] | None) -> None:
    if prior is not None and (len(prior) != len(grid) or min(prior) < 0 or sum(prior) <= 0):
        raise ValueError(f"{name} prior must match the grid and be non-negative, not all zero")


def _log_normalised(prior: tuple[float, ...] | None, n: int) -> FloatArray:
    weights = np.ones(n) if prior is None else np.asarray(prior, dtype=np.float64)
    with np.errstate(divide="ignore"):
        result: FloatArray = np.log(weights / weights.sum())
    return result


def _check(n_actions: int) -> None:
    if n_actions < 2:
        raise ValueError("the noise model needs at least two actions")


def predictive(output: Output, action_names: Sequence[str], noise: NoiseModel) -> FloatArray:
    """p_(e, r)(a | output) for every pair of the grid: shape (noise.size, len(action_names))."""
    n = len(action_names)
    _check(n)
    eps = noise.eps[:, None]
    if output is None:
        return np.full((noise.size, n), 1.0 / n)
    if isinstance(output, str):
        hit = np.asarray([name == output for name in action_names], dtype=np.float64)
        acting: FloatArray = hit * (1.0 - eps) + (1.0 - hit) * eps / (n - 1)
    else:
        p = np.asarray([output.get(name, 0.0) for name in action_names], dtype=np.float64)
        acting = (1.0 - eps) * p / p.sum() + eps / n
    if noise.idle is None:
        return acting
    rate = noise.rate[:, None]
    idle = np.asarray([name == noise.idle for name in action_names], dtype=np.float64)
    result: FloatArray = (1.0 - rate) * idle + rate * acting
    return result


def step_log_likelihood(
    output: Output, action: str, action_names: Sequence[str], noise: NoiseModel
) -> FloatArray:
    """log p_(e, r)(action | output) for every pair of the grid; a failed step scores
    eps / (|A| - 1), below any miss."""
    n = len(action_names)
    _check(n)
    with np.errstate(divide="ignore"):
        if output is None:
            failed: FloatArray = np.log(noise.eps / (n - 1))
            return failed
        index = list(action_names).index(action)
        result: FloatArray = np.log(predictive(output, action_names, noise)[:, index])
    return result


class StepCounts(NamedTuple):
    """A deterministic program's steps by kind: all a history's likelihood depends on, so the
    synthesizer's search scores programs by them."""

    acted: int
    """It named the action taken, which was not the idle action."""
    idled: int
    """It named the idle action, which was taken."""
    waited: int
    """It named another action where the agent idled."""
    missed: int
    """It named another action where the agent acted."""
    failed: int


def counted_log_likelihood(
    counts: StepCounts, action_names: Sequence[str], noise: NoiseModel
) -> FloatArray:
    """log p_(e, r)(a_1..t | outputs) for every pair: the sum of `step_log_likelihood` over a
    history of these counts. Without an idle action, idled and waited steps count as acted and
    missed ones."""
    idle = noise.idle
    taken = next(name for name in action_names if name != idle)
    other = idle if idle is not None else action_names[-1]
    kinds = [
        (counts.acted, taken, taken),
        (counts.idled, idle or taken, idle or taken),
        (counts.waited, taken, idle or other),
        (counts.missed, other, taken),  # the idle action named, or any other: the same p
        (counts.failed, None, taken),
    ]
    total = np.zeros(noise.size)
    for count, output, action in kinds:
        if count:  # a count of none adds nothing, where 0 * -inf (eps = 0) would be nan
            total = total + count * step_log_likelihood(output, action, action_names, noise)
    return total


def sequence_log_likelihood(
    outputs: Sequence[Output],
    actions: Sequence[str | None],
    action_names: Sequence[str],
    noise: NoiseModel,
) -> FloatArray:
    """log p_(e, r)(actions | outputs) for every pair: the sum of `step_log_likelihood` over
    the steps whose action is known (a replay's outputs against the actions an agent took)."""
    total = np.zeros(noise.size)
    for output, action in zip(outputs, actions, strict=True):
        if action is not None:
            total = total + step_log_likelihood(output, action, action_names, noise)
    return total


def agrees(output: Output, action: str) -> bool:
    """Whether a program's output names the action taken: the action itself, or among the most
    probable of its distribution. What "fits a step" means when rote explains a program."""
    if output is None:
        return False
    if isinstance(output, str):
        return output == action
    best = max(output.values(), default=0.0)
    return best > 0.0 and output.get(action, 0.0) >= best


def log_marginal(loglik: FloatArray, log_prior: FloatArray) -> FloatArray:
    """Marginal log-likelihood over the grid: loglik has the (eps, rate) pairs on its last
    axis."""
    return logsumexp(loglik + log_prior, axis=-1)


def noise_posterior(loglik: FloatArray, log_prior: FloatArray) -> FloatArray:
    """p(eps, rate | history, program) for each row of loglik (the pairs on the last axis)."""
    joint = loglik + log_prior
    total = logsumexp(joint, axis=-1)
    safe_total = np.where(np.isfinite(total), total, 0.0)
    posterior: FloatArray = np.exp(joint - np.expand_dims(safe_total, -1))
    uniform = np.full(joint.shape[-1], 1.0 / joint.shape[-1])
    return np.where(np.isfinite(np.expand_dims(total, -1)), posterior, uniform)
