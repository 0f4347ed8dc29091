"""How well a program's output explains an observed action: the noise model.

A deterministic program is right with probability 1 - eps and otherwise picks one of the other
|A| - 1 actions uniformly (the ROTE paper's model). A program that returns a distribution p is
mixed with uniform noise: (1 - eps) p(a) + eps / |A|. A step on which the program failed
(exception, timeout, invalid output) is scored as eps / (|A| - 1), so crashing never beats
being wrong; for prediction it contributes a uniform distribution.

In an env with an idle action (`EnvSpec.idle_action`), a tempo layer separates *when* the
agent acts from *what* it does: at each tick it acts with probability r_b and otherwise idles,
and when it acts it follows the program as above:

    p(a | output, b) = (1 - r_b) [a = idle] + r_b p_eps(a | output).

b is the tick's bucket of idle ticks since the agent last acted (by default: none, 1-3, 4 or
more): people seldom press a key right after one, often after a short pause, and a long pause
tends to go on (docs/tempo.md). A tempo is one rate per bucket: either 1 in every bucket (the
agent acts at every tick, as every scripted agent does; half the prior) or any combination of
a pausing agent's rates. A person who pauses between key presses is then a program that is
right whenever they act, not one that is wrong on every pause (which "always stay" beats).
Without an idle action the layer is off: every rate is 1.

Every (eps, tempo) pair is marginalised per program:
p(a_1..t | program) = sum_(e, r) prior(e) prior(r) prod_s p_(e, r)(a_s | program, b_s).
docs/tempo.md gives the equations.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from rote.inference.ess import FloatArray, logsumexp
from rote.programs.sandbox import Output

RATES: tuple[float, ...] = (0.85, 0.65, 0.45, 0.3, 0.15)
"""The acting rates a pausing agent may have in each bucket: people in the 2019 Overcooked
games act on 0.12-0.65 of the ticks of a bucket (train split, docs/tempo.md)."""
BUCKETS: tuple[int, ...] = (1, 4)
"""The idle ticks since the last action at which each bucket after the first begins: 0, 1-3,
4 or more. Four buckets predict the train split's pauses 0.007 nats a tick better with a grid
five times as large (docs/tempo.md)."""


@dataclass(frozen=True)
class NoiseModel:
    """The noise levels and tempos to consider, and their priors (eps uniform when not given).
    The grid the likelihoods carry on their last axis is every (eps, tempo) pair, tempo-major;
    without an idle action it is the eps grid alone."""

    grid: tuple[float, ...] = (0.02, 0.1, 0.3)
    prior: tuple[float, ...] | None = None
    rates: tuple[float, ...] = RATES
    steady: float = 0.5
    """The prior that the agent acts at every tick (rate 1 in every bucket), as every scripted
    agent and program does: such an agent loses at most log 1/steady of evidence to the layer.
    The rest is spread evenly over every combination of `rates`, one per bucket."""
    buckets: tuple[int, ...] = BUCKETS
    idle: str | None = None
    """The env's idle action (`for_env` sets it); None turns the tempo layer off."""
    joint: tuple[float, ...] | None = None
    """A prior over every (eps, tempo) pair, in the grid's order, in place of `prior` times
    the tempo prior `steady` gives: what a population's agents were like, as a library learns
    it (`rote.library.PopulationNoise`). It must have `size` values."""

    def __post_init__(self) -> None:
        if not self.grid or not all(0.0 <= eps < 1.0 for eps in self.grid):
            raise ValueError(f"eps grid must be non-empty values in [0, 1), not {self.grid}")
        _check_prior("eps", self.grid, self.prior)
        if not self.rates or not all(0.0 < rate <= 1.0 for rate in self.rates):
            raise ValueError(f"rates must be non-empty values in (0, 1], not {self.rates}")
        if not 0.0 <= self.steady <= 1.0:
            raise ValueError(f"steady must be a probability, not {self.steady}")
        if list(self.buckets) != sorted(set(self.buckets)) or min(self.buckets, default=1) < 1:
            raise ValueError(f"buckets must rise from 1 idle tick or more, not {self.buckets}")
        if self.joint is not None and not _is_prior(self.joint):
            raise ValueError("a joint prior must be finite, non-negative and not all zero")

    def for_env(self, idle: str | None) -> NoiseModel:
        """The model for an env whose idle action is `idle` (None: it has none)."""
        return replace(self, idle=idle)

    @property
    def n_buckets(self) -> int:
        """How many buckets of idle ticks the rates depend on (1 without an idle action)."""
        return len(self.buckets) + 1 if self.idle is not None else 1

    @property
    def bucket_names(self) -> tuple[str, ...]:
        """Each bucket by its idle ticks since the last action: ("0", "1-3", "4+") by default."""
        starts = [0, *self.buckets][: self.n_buckets]
        names = [
            str(start) if end - 1 == start else f"{start}-{end - 1}"
            for start, end in itertools.pairwise(starts)
        ]
        return (*names, f"{starts[-1]}+")

    def acting_rates(self, loglik: FloatArray) -> dict[str, float]:
        """How often the agent acts at a tick of each bucket (by `bucket_names`): the mean of
        the tempo posterior given one program's log-likelihood per setting."""
        posterior = noise_posterior(loglik[None, :], self.log_prior)[0]
        return {
            name: float(posterior @ self.rate(bucket))
            for bucket, name in enumerate(self.bucket_names)
        }

    def bucket(self, idled: int) -> int:
        """The bucket of a tick after `idled` idle ticks since the agent last acted."""
        if self.idle is None:
            return 0
        return sum(idled >= start for start in self.buckets)

    def idled_after(self, idled: int, action: str | None) -> int:
        """The idle ticks since the agent last acted, after a tick of `action` that followed
        `idled` of them; an action not known counts as acting."""
        return idled + 1 if action is not None and action == self.idle else 0

    def buckets_of(self, actions: Sequence[str | None]) -> list[int]:
        """Each step's bucket, and then the next step's (one more than there are actions). The
        history before the first step is not known: it counts as having just acted."""
        found, idled = [], 0
        for action in actions:
            found.append(self.bucket(idled))
            idled = self.idled_after(idled, action)
        return [*found, self.bucket(idled)]

    @functools.cached_property
    def _tempos(self) -> FloatArray:
        """Each tempo's rate per bucket: shape (tempos, n_buckets), the steady one first."""
        if self.idle is None:
            return np.ones((1, 1))
        steady = [(1.0,) * self.n_buckets] if self.steady > 0.0 else []
        pausing = list(itertools.product(self.rates, repeat=self.n_buckets))
        return np.asarray(steady + (pausing if self.steady < 1.0 else []), dtype=np.float64)

    @property
    def size(self) -> int:
        """The number of (eps, tempo) pairs: the length of the likelihoods' last axis."""
        return len(self.grid) * len(self._tempos)

    @functools.cached_property
    def eps(self) -> FloatArray:
        """Each pair's eps."""
        return np.tile(np.asarray(self.grid, dtype=np.float64), len(self._tempos))

    def rate(self, bucket: int) -> FloatArray:
        """Each pair's acting rate in a bucket (all 1 without an idle action)."""
        return np.repeat(self._tempos[:, bucket], len(self.grid))

    @functools.cached_property
    def log_prior(self) -> FloatArray:
        """Each pair's log prior: `joint` if given, else prior(eps) prior(tempo)."""
        if self.joint is not None:
            if len(self.joint) != self.size:
                raise ValueError(
                    f"a joint prior of {len(self.joint)} values for a grid of {self.size} pairs"
                )
            return _log_normalised(self.joint, self.size)
        eps = _log_normalised(self.prior, len(self.grid))
        if self.idle is None:
            return eps
        tempos = len(self._tempos)
        weights = np.full(tempos, (1.0 - self.steady) / max(1, tempos - 1))
        if self.steady > 0.0:
            weights[0] = self.steady
        tempo = _log_normalised(tuple(weights), tempos)
        result: FloatArray = (tempo[:, None] + eps[None, :]).reshape(-1)
        return result


def _check_prior(name: str, grid: tuple[float, ...], prior: tuple[float, ...] | None) -> None:
    if prior is not None and (len(prior) != len(grid) or not _is_prior(prior)):
        raise ValueError(f"{name} prior must match the grid and be non-negative, not all zero")


def _is_prior(weights: Sequence[float]) -> bool:
    """Whether `weights` can be normalised into a distribution."""
    values = np.asarray(weights, dtype=np.float64)
    return bool(values.size and np.all(np.isfinite(values)) and values.min() >= 0 < values.sum())


def _log_normalised(prior: tuple[float, ...] | None, n: int) -> FloatArray:
    weights = np.ones(n) if prior is None else np.asarray(prior, dtype=np.float64)
    with np.errstate(divide="ignore"):
        result: FloatArray = np.log(weights / weights.sum())
    return result


def _check(n_actions: int) -> None:
    if n_actions < 2:
        raise ValueError("the noise model needs at least two actions")


def predictive(
    output: Output, action_names: Sequence[str], noise: NoiseModel, bucket: int = 0
) -> FloatArray:
    """p_(e, r)(a | output) for every pair of the grid at a tick of this bucket (of idle ticks
    since the agent last acted): shape (noise.size, len(action_names))."""
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
    rate = noise.rate(bucket)[:, None]
    idle = np.asarray([name == noise.idle for name in action_names], dtype=np.float64)
    result: FloatArray = (1.0 - rate) * idle + rate * acting
    return result


def step_log_likelihood(
    output: Output, action: str, action_names: Sequence[str], noise: NoiseModel, bucket: int = 0
) -> FloatArray:
    """log p_(e, r)(action | output) for every pair of the grid at a tick of this bucket; a
    failed step scores eps / (|A| - 1), below any miss."""
    n = len(action_names)
    _check(n)
    with np.errstate(divide="ignore"):
        if output is None:
            failed: FloatArray = np.log(noise.eps / (n - 1))
            return failed
        index = list(action_names).index(action)
        result: FloatArray = np.log(predictive(output, action_names, noise, bucket)[:, index])
    return result


class StepCounts(NamedTuple):
    """A deterministic program's steps of one bucket by kind: all a history's likelihood
    depends on, so the synthesizer's search scores programs by them."""

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
    counts: Sequence[StepCounts], action_names: Sequence[str], noise: NoiseModel
) -> FloatArray:
    """log p_(e, r)(a_1..t | outputs) for every pair: the sum of `step_log_likelihood` over a
    history of these counts, one per bucket (`noise.n_buckets` of them). Without an idle
    action, idled and waited steps count as acted and missed ones."""
    if len(counts) != noise.n_buckets:
        raise ValueError(f"{len(counts)} counts for {noise.n_buckets} buckets")
    table = _kinds_log_likelihood(noise, tuple(action_names))
    total = np.zeros(noise.size)
    for of_bucket, rows in zip(counts, table, strict=True):
        for count, row in zip(of_bucket, rows, strict=True):
            if count:  # a count of none adds nothing, where 0 * -inf (eps = 0) would be nan
                total = total + count * row
    return total


@functools.lru_cache(maxsize=64)
def _kinds_log_likelihood(noise: NoiseModel, action_names: tuple[str, ...]) -> FloatArray:
    """One step's `step_log_likelihood` of each kind of `StepCounts` in each bucket: shape
    (n_buckets, kinds, noise.size). The search scores thousands of count vectors against one
    model, so the steps are worked out once."""
    idle = noise.idle
    taken = next(name for name in action_names if name != idle)
    other = idle if idle is not None else action_names[-1]
    kinds = [
        (taken, taken),  # acted
        (idle or taken, idle or taken),  # idled
        (taken, idle or other),  # waited
        (other, taken),  # missed: the idle action named, or any other, has the same p
        (None, taken),  # failed
    ]
    return np.stack(
        [
            np.stack(
                [
                    step_log_likelihood(output, action, action_names, noise, bucket)
                    for output, action in kinds
                ]
            )
            for bucket in range(noise.n_buckets)
        ]
    )


def sequence_log_likelihood(
    outputs: Sequence[Output],
    actions: Sequence[str | None],
    action_names: Sequence[str],
    noise: NoiseModel,
) -> FloatArray:
    """log p_(e, r)(actions | outputs) for every pair: the sum of `step_log_likelihood` over
    the steps whose action is known (a replay's outputs against the actions an agent took),
    each in the bucket the actions before it put it in."""
    total = np.zeros(noise.size)
    buckets = noise.buckets_of(actions)[:-1]
    for output, action, bucket in zip(outputs, actions, buckets, strict=True):
        if action is not None:
            total = total + step_log_likelihood(output, action, action_names, noise, bucket)
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
    """Marginal log-likelihood over the grid: loglik has the (eps, tempo) pairs on its last
    axis."""
    return logsumexp(loglik + log_prior, axis=-1)


def noise_posterior(loglik: FloatArray, log_prior: FloatArray) -> FloatArray:
    """p(eps, tempo | history, program) for each row of loglik (the pairs on the last axis)."""
    joint = loglik + log_prior
    total = logsumexp(joint, axis=-1)
    safe_total = np.where(np.isfinite(total), total, 0.0)
    posterior: FloatArray = np.exp(joint - np.expand_dims(safe_total, -1))
    uniform = np.full(joint.shape[-1], 1.0 / joint.shape[-1])
    return np.where(np.isfinite(np.expand_dims(total, -1)), posterior, uniform)
