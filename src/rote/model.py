"""`ROTE`: observe an agent, infer programs that explain it, predict its next actions.

    model = rote.ROTE("construction", proposer=ListProposer(sources), n_particles=30, seed=0)
    for step in observed:
        model.observe(step.observation, step.action)
    model.predict(next_observation)  # {"up": 0.91, ...}

The first prediction (or `infer()`) asks the proposer for programs given the whole observed
history; later observed steps update the weights (SMC) and rejuvenate when the particles stop
explaining the agent. `observe(..., update=False)` reveals a step without learning from it: the
programs run on, the weights stay (the paper's frozen multi-step protocol), and no proposer is
called.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from rote.closing import Closeable
from rote.envs import EnvSpec, Observation, make_env
from rote.errors import RoteError
from rote.inference.ess import ess
from rote.inference.resampling import RESAMPLERS
from rote.inference.smc import (
    ParticleSet,
    StepRecord,
    maybe_resample,
    posterior_predictive,
    refresh,
    reweight,
)
from rote.programs.likelihood import EpsilonModel, log_marginal, step_log_likelihood
from rote.programs.program import Program
from rote.programs.sandbox import Limits, ReplayResult, Sandbox
from rote.proposers.base import ProposalRequest, Proposer
from rote.trajectory import Step


class ProgramSummary(NamedTuple):
    """One program of the posterior: its total weight, source and origin."""

    weight: float
    source: str
    origin: str


class ROTE(Closeable):
    """A posterior over behaviour programs for one observed agent."""

    def __init__(
        self,
        env: EnvSpec | str,
        proposer: Proposer,
        *,
        n_particles: int = 30,
        seed: int = 0,
        eps: EpsilonModel | None = None,
        ess_threshold: float = 0.5,
        resampler: str = "systematic",
        window: int = 5,
        sandbox: Sandbox | None = None,
        limits: Limits | None = None,
    ) -> None:
        if n_particles < 1:
            raise RoteError(f"n_particles must be at least 1, not {n_particles}")
        if resampler not in RESAMPLERS:
            raise RoteError(f"resampler must be one of {', '.join(RESAMPLERS)}, not {resampler!r}")
        self.env = make_env(env) if isinstance(env, str) else env
        self.proposer = proposer
        self.n_particles = n_particles
        self.seed = seed
        self.eps = eps or EpsilonModel()
        self.ess_threshold = ess_threshold
        self.resampler = RESAMPLERS[resampler]
        self.window = window
        self._owns_sandbox = sandbox is None
        self.sandbox = sandbox or Sandbox(limits=limits or Limits())
        self.rng = np.random.default_rng(seed)
        self.history: list[Step] = []
        self.particles: ParticleSet | None = None
        self.records: list[StepRecord] = []

    # -- observing ---------------------------------------------------------------------------

    def observe(self, observation: Observation, action: str, *, update: bool = True) -> None:
        """Add one observed step; with update=False the weights and programs stay as they are."""
        self._check_observation(observation)
        if action not in self.env.action_names:
            names = ", ".join(self.env.action_names)
            raise RoteError(f'action "{action}" is not one of {names}')
        self.history.append(Step(observation, action))
        if update and self.particles is not None:
            self._update(len(self.history) - 1)

    def infer(self) -> ParticleSet:
        """Propose programs for the history so far (once), weighted by their replay."""
        if self.particles is None:
            self.particles, _ = self._rejuvenate(ParticleSet((), np.zeros(0), np.zeros((0, 0))))
        return self.particles

    def _update(self, t: int) -> None:
        assert self.particles is not None
        results = self._replay(self.particles.programs, self._observations())
        step = self._span_loglik(results, t, t + 1)
        failures = tuple(
            (program.id, result.error)
            for program, result in zip(self.particles.programs, results, strict=True)
            if result.error is not None and result.failed_at == t
        )
        particles, increment = reweight(self.particles, step, self.eps)
        particles, ancestors = maybe_resample(
            particles, self.rng, self.resampler, self.ess_threshold
        )
        proposals, rejuvenated = 0, False
        if increment == -np.inf or self._explains_poorly(results, t):
            particles, proposals = self._rejuvenate(particles)
            rejuvenated = True
        self.particles = particles
        self.records.append(
            StepRecord(
                t=t,
                log_weights=particles.log_weights,
                ess=ess(particles.log_weights),
                ancestors=ancestors,
                log_evidence_increment=float(increment),
                proposals=proposals,
                failures=failures,
                rejuvenated=rejuvenated,
            )
        )

    def _explains_poorly(self, results: Sequence[ReplayResult], t: int) -> bool:
        """Whether no particle beat a uniform guess over the last `window` steps."""
        if t + 1 < self.window:
            return False
        window_loglik = self._span_loglik(results, t + 1 - self.window, t + 1)
        best = float(np.max(log_marginal(window_loglik, self.eps.log_prior)))
        return best < self.window * math.log(1.0 / len(self.env.action_names))

    def _rejuvenate(self, particles: ParticleSet) -> tuple[ParticleSet, int]:
        """Ask for new programs and rebuild the set from survivors and newcomers (full replay)."""
        survivors = list(dict.fromkeys(particles.programs))
        failing = [
            program
            for program, weight in zip(particles.programs, particles.log_weights, strict=True)
            if weight < np.log(0.5 / max(1, len(particles.programs)))
        ]
        request = ProposalRequest(
            env=self.env,
            history=tuple(self.history),
            n=self.n_particles,
            current=tuple(survivors),
            failing=tuple(dict.fromkeys(failing)),
            seed=int(self.rng.integers(2**31)),
        )
        proposed = self.proposer.propose(request)
        candidates = survivors + proposed
        if not candidates:
            raise RoteError(f"the {self.proposer.name} proposer returned no programs")
        results = self._replay(candidates, self._observations())
        loglik = self._span_loglik(results, 0, len(self.history))
        return refresh(candidates, loglik, self.eps, self.n_particles), len(proposed)

    # -- predicting --------------------------------------------------------------------------

    def predict(self, observation: Observation) -> dict[str, float]:
        """Distribution over the agent's next action, after the observed history."""
        self._check_observation(observation)
        particles = self.infer()
        results = self._replay(particles.programs, [*self._observations(), observation])
        outputs = [result.outputs[-1] for result in results]
        distribution = posterior_predictive(particles, outputs, self.env.action_names, self.eps)
        return dict(zip(self.env.action_names, map(float, distribution), strict=True))

    def programs(self, k: int = 5) -> list[ProgramSummary]:
        """The k programs with the highest posterior weight (duplicates merged)."""
        particles = self.infer()
        totals: dict[str, tuple[float, Program]] = {}
        for program, log_weight in zip(particles.programs, particles.log_weights, strict=True):
            previous = totals.get(program.id, (0.0, program))[0]
            totals[program.id] = (previous + float(np.exp(log_weight)), program)
        ranked = sorted(totals.values(), key=lambda item: -item[0])[:k]
        return [
            ProgramSummary(weight, program.source, program.origin) for weight, program in ranked
        ]

    # -- helpers -----------------------------------------------------------------------------

    def _observations(self) -> list[Observation]:
        return [step.observation for step in self.history]

    def _span_loglik(self, results: Sequence[ReplayResult], start: int, stop: int) -> np.ndarray:
        """log p_e(a_start..a_stop-1 | program) per replayed program: shape (programs, eps)."""
        loglik = np.zeros((len(results), len(self.eps.grid)))
        for t in range(start, stop):
            action = self.history[t].action
            assert action is not None
            loglik += np.stack(
                [
                    step_log_likelihood(
                        result.outputs[t], action, self.env.action_names, self.eps.eps
                    )
                    for result in results
                ]
            )
        return loglik

    def _replay(
        self, programs: Sequence[Program], observations: Sequence[Observation]
    ) -> list[ReplayResult]:
        sources = [program.source for program in programs]
        return self.sandbox.replay(sources, observations, self.env.action_names)

    def _check_observation(self, observation: Observation) -> None:
        problems = self.env.observation_errors(observation)
        if problems:
            where, message = problems[0]
            raise RoteError(f"{where}: {message}")

    def close(self) -> None:
        """Stop the sandbox workers this model started."""
        if self._owns_sandbox:
            self.sandbox.close()
