"""How well a program's output explains an observed action: the epsilon-noise model.

A deterministic program is right with probability 1 - eps and otherwise picks one of the other
|A| - 1 actions uniformly (the ROTE paper's model). A program that returns a distribution p is
mixed with uniform noise: (1 - eps) p(a) + eps / |A|. A step on which the program failed
(exception, timeout, invalid output) is scored as a miss, eps / (|A| - 1), so crashing never
beats being wrong; for prediction it contributes a uniform distribution.

eps may be a single value or a small grid with a prior, marginalised per program:
p(a_1..t | program) = sum_e prior(e) prod_s p_e(a_s | program).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rote.inference.ess import FloatArray, logsumexp
from rote.programs.sandbox import Output


@dataclass(frozen=True)
class EpsilonModel:
    """The noise levels to consider and their prior (uniform when not given)."""

    grid: tuple[float, ...] = (0.02, 0.1, 0.3)
    prior: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if not self.grid or not all(0.0 <= eps < 1.0 for eps in self.grid):
            raise ValueError(f"eps grid must be non-empty values in [0, 1), not {self.grid}")
        if self.prior is not None and (
            len(self.prior) != len(self.grid) or min(self.prior) < 0 or sum(self.prior) <= 0
        ):
            raise ValueError("eps prior must match the grid and be non-negative, not all zero")

    @property
    def eps(self) -> FloatArray:
        return np.asarray(self.grid, dtype=np.float64)

    @property
    def log_prior(self) -> FloatArray:
        prior = np.ones(len(self.grid)) if self.prior is None else np.asarray(self.prior)
        with np.errstate(divide="ignore"):
            result: FloatArray = np.log(prior / prior.sum())
        return result


def _check(n_actions: int) -> None:
    if n_actions < 2:
        raise ValueError("the epsilon model needs at least two actions")


def predictive(output: Output, action_names: Sequence[str], eps: FloatArray) -> FloatArray:
    """p_e(a | output) for every eps in the grid: shape (len(eps), len(action_names))."""
    n = len(action_names)
    _check(n)
    eps_column = eps[:, None]
    if output is None:
        return np.full((eps.size, n), 1.0 / n)
    if isinstance(output, str):
        hit = np.asarray([name == output for name in action_names], dtype=np.float64)
        result: FloatArray = hit * (1.0 - eps_column) + (1.0 - hit) * eps_column / (n - 1)
        return result
    p = np.asarray([output.get(name, 0.0) for name in action_names], dtype=np.float64)
    mixed: FloatArray = (1.0 - eps_column) * p / p.sum() + eps_column / n
    return mixed


def step_log_likelihood(
    output: Output, action: str, action_names: Sequence[str], eps: FloatArray
) -> FloatArray:
    """log p_e(action | output) for every eps in the grid; a failed step scores as a miss."""
    n = len(action_names)
    _check(n)
    with np.errstate(divide="ignore"):
        if output is None:
            return np.log(eps / (n - 1))
        index = list(action_names).index(action)
        result: FloatArray = np.log(predictive(output, action_names, eps)[:, index])
    return result


def agrees(output: Output, action: str) -> bool:
    """Whether a program's output names the action taken: the action itself, or among the most
    probable of its distribution. What "fits a step" means when rote explains a program."""
    if output is None:
        return False
    if isinstance(output, str):
        return output == action
    best = max(output.values(), default=0.0)
    return best > 0.0 and output.get(action, 0.0) >= best


def counted_log_likelihood(
    hits: int, misses: int, failures: int, action_names: Sequence[str], eps: FloatArray
) -> FloatArray:
    """log p_e(a_1..t | outputs) for every eps, for a program that never returned a distribution:
    the sum of `step_log_likelihood` over a history on which it named the action taken `hits`
    times, another action `misses` times and failed `failures` times. Those counts are all such
    a history's likelihood depends on, so the synthesizer's search scores by them."""
    taken, other = action_names[0], action_names[-1]
    total = np.zeros_like(eps)
    for count, output in ((hits, taken), (misses, other), (failures, None)):
        if count:  # a count of none adds nothing, where 0 * -inf (eps = 0) would be nan
            total = total + count * step_log_likelihood(output, taken, action_names, eps)
    return total


def sequence_log_likelihood(
    outputs: Sequence[Output],
    actions: Sequence[str | None],
    action_names: Sequence[str],
    eps: FloatArray,
) -> FloatArray:
    """log p_e(actions | outputs) for every eps: the sum of `step_log_likelihood` over the steps
    whose action is known (a replay's outputs against the actions an agent took)."""
    total = np.zeros_like(eps)
    for output, action in zip(outputs, actions, strict=True):
        if action is not None:
            total = total + step_log_likelihood(output, action, action_names, eps)
    return total


def log_marginal(loglik: FloatArray, log_prior: FloatArray) -> FloatArray:
    """Marginal log-likelihood over eps: loglik has eps on its last axis."""
    return logsumexp(loglik + log_prior, axis=-1)


def eps_posterior(loglik: FloatArray, log_prior: FloatArray) -> FloatArray:
    """p(eps | history, program) for each row of loglik (eps on the last axis)."""
    joint = loglik + log_prior
    total = logsumexp(joint, axis=-1)
    safe_total = np.where(np.isfinite(total), total, 0.0)
    posterior: FloatArray = np.exp(joint - np.expand_dims(safe_total, -1))
    uniform = np.full(joint.shape[-1], 1.0 / joint.shape[-1])
    return np.where(np.isfinite(np.expand_dims(total, -1)), posterior, uniform)
