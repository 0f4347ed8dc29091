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

Particles are live: each distinct program runs in a sandbox session and advances one step per
observation, so a step costs the same however long the history. Only a program that joins (a
rejuvenation newcomer) replays the history.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar, NamedTuple

import numpy as np

from rote.envs import EnvSpec, Observation, make_env
from rote.errors import RoteError
from rote.inference.ess import FloatArray, ess
from rote.inference.likelihood import (
    NoiseModel,
    agrees,
    log_marginal,
    step_log_likelihood,
)
from rote.inference.resampling import RESAMPLERS
from rote.inference.smc import (
    ParticleSet,
    StepRecord,
    belief_over_steps,
    maybe_resample,
    posterior_predictive,
    refresh,
    reweight,
)
from rote.library import Library
from rote.predictor import Predictor
from rote.programs.program import Program, describe
from rote.programs.sandbox import Limits, Output, Sandbox, Session
from rote.proposers.base import ProposalRequest, Proposer
from rote.proposers.library import LibraryProposer
from rote.proposers.synthesizer import SynthProposer
from rote.trajectory import Step


class _Score:
    """A program's log-likelihood (per noise setting) of each observed step and their running
    sum, added in step order so that sums over any span equal a fresh replay's to the last bit;
    and whether it named each step's action, to say which steps it fits."""

    def __init__(self, settings: int) -> None:
        self.steps: list[FloatArray] = []
        self.total: FloatArray = np.zeros(settings)
        self.agreed: list[bool] = []

    def add(self, step: FloatArray, agreed: bool) -> None:
        self.steps.append(step)
        self.total = self.total + step
        self.agreed.append(agreed)

    def span(self, start: int, stop: int) -> FloatArray:
        found = np.zeros_like(self.total)
        for step in self.steps[start:stop]:
            found = found + step
        return found


class ProgramSummary(NamedTuple):
    """One program of the posterior: its total weight, what it is, and which steps it fits."""

    weight: float
    source: str
    origin: str
    description: str
    """Its docstring's first paragraph (`rote.programs.program.describe`); "" if none."""
    agrees: tuple[bool, ...]
    """Per step the model has seen (observed or revealed), whether the program named the
    action taken (`rote.inference.likelihood.agrees`)."""
    acting_rates: dict[str, float] | None = None
    """Under this program, how often the agent acts at a tick, by the idle ticks since it last
    acted (the tempo layer's posterior mean rate per bucket, `NoiseModel.acting_rates`); None
    where the env has no idle action."""


class ROTE(Predictor):
    """A posterior over behaviour programs for one observed agent."""

    name: ClassVar[str] = "rote"

    def __init__(
        self,
        env: EnvSpec | str,
        proposer: Proposer | None = None,
        *,
        n_particles: int = 30,
        seed: int = 0,
        noise: NoiseModel | None = None,
        ess_threshold: float = 0.5,
        resampler: str = "systematic",
        window: int = 5,
        surprise: float = 0.05,
        sandbox: Sandbox | None = None,
        limits: Limits | None = None,
        takes_ownership: bool = False,
        library: Library | None = None,
    ) -> None:
        """`env` is a spec or a registered env id; without a proposer, the model writes its
        programs with the offline synthesizer (`SynthProposer`), so `ROTE("construction")`
        needs nothing else. With `takes_ownership`, the proposer and sandbox given were made
        for this model alone and `close()` closes them; otherwise they stay the caller's. A
        proposer or sandbox the model makes itself (none given) is always its own. An
        observed step rejuvenates when no particle beat a uniform guess over the last `window`
        steps, or when the particles gave the step's action less than `surprise` probability
        (a program believed to fit that is now plainly wrong: waiting for the window would
        predict with it, confidently and wrongly, for several steps). With a
        `library` (`rote.library`), its programs come first and the proposer writes
        only what it cannot explain (`LibraryProposer`), and how its agents erred and paused
        is the prior over the noise model's grid (`Library.noise_model`), unless `noise` is
        given."""
        if n_particles < 1:
            raise RoteError(f"n_particles must be at least 1, not {n_particles}")
        if not 0.0 <= surprise < 1.0:
            raise RoteError(f"surprise must be a probability below 1, not {surprise}")
        if resampler not in RESAMPLERS:
            raise RoteError(f"resampler must be one of {', '.join(RESAMPLERS)}, not {resampler!r}")
        super().__init__(make_env(env) if isinstance(env, str) else env)
        self.n_particles = n_particles
        self.seed = seed
        if library is not None:
            library.check_env(self.env)
        learned = library.noise_model() if library is not None and noise is None else None
        self.noise = (noise or learned or NoiseModel()).for_env(self.env.idle_action)
        _ = self.noise.log_prior  # a joint prior of the wrong size fails here, not at a step
        self.ess_threshold = ess_threshold
        self.resampler = RESAMPLERS[resampler]
        self.window = window
        self.surprise = surprise
        self._owns_sandbox = sandbox is None or takes_ownership
        self.sandbox = sandbox or Sandbox(limits=limits or Limits())
        self._owns_proposer = proposer is None or takes_ownership
        self.proposer = proposer or SynthProposer(sandbox=self.sandbox)
        if library is not None:
            self.proposer = LibraryProposer(
                library, self.proposer, sandbox=self.sandbox, closes_novel=self._owns_proposer
            )
            self._owns_proposer = True
        self.rng = np.random.default_rng(seed)
        self.history: list[Step] = []
        self._idled = 0
        """Idle ticks since the agent last acted, at the end of the history: the next tick's
        bucket, on which the tempo layer's rates depend."""
        self.particles: ParticleSet | None = None
        self.records: list[StepRecord] = []
        self._session: Session | None = None
        self._scores: dict[str, _Score] = {}
        """Each live program's log-likelihood of every observed step, by program id."""
        self._likelihoods: dict[tuple[str | None, str, int], FloatArray] = {}
        self._checked: Observation | None = None
        self._rebuilds_recorded = 0

    # -- observing ---------------------------------------------------------------------------

    def _observe(self, observation: Observation, action: str, update: bool) -> None:
        """Add one observed step; with update=False the weights and programs stay as they are."""
        self._check_observation(observation)
        self.history.append(Step(observation, action))
        bucket = self.noise.bucket(self._idled)
        self._idled = self.noise.idled_after(self._idled, action)
        if self._session is None:
            return  # no programs yet: inference will replay the history into them
        result = self._session.step(observation)
        for program_id, output in result.outputs.items():
            self._score(self._scores[program_id], output, action, bucket)
        if update:
            self._update(len(self.history) - 1, result.errors)

    def infer(self) -> None:
        """Propose programs for the history so far (once), weighted by their replay."""
        self._inferred()

    def _inferred(self) -> ParticleSet:
        if self.particles is None:
            if self._session is None:
                self._session = self.sandbox.session(self.env.action_names)
                for step in self.history:
                    self._session.step(step.observation)  # no program yet: the history only
            empty = ParticleSet((), np.zeros(0), np.zeros((0, 0)))
            self.particles, _ = self._rejuvenate(empty)
        return self.particles

    def _update(self, t: int, errors: dict[str, str]) -> None:
        assert self.particles is not None and self._session is not None
        programs = self.particles.programs
        step = self._loglik(programs, t, t + 1)
        failures = tuple((p.id, errors[p.id]) for p in programs if p.id in errors)
        particles, increment = reweight(self.particles, step, self.noise)
        particles, ancestors = maybe_resample(
            particles, self.rng, self.resampler, self.ess_threshold
        )
        proposals, rejuvenated = 0, False
        surprised = self.surprise > 0 and increment < math.log(self.surprise)
        if increment == -np.inf or surprised or self._explains_poorly(programs, t):
            particles, proposals = self._rejuvenate(particles)
            rejuvenated = True
        self.particles = particles
        self._forget_all_but(particles.programs)
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
                rebuilds=self._session.rebuilds - self._rebuilds_recorded,
            )
        )
        self._rebuilds_recorded = self._session.rebuilds

    def _explains_poorly(self, programs: Sequence[Program], t: int) -> bool:
        """Whether no particle beat a uniform guess over the last `window` steps."""
        if t + 1 < self.window:
            return False
        window_loglik = self._loglik(programs, t + 1 - self.window, t + 1)
        best = float(np.max(log_marginal(window_loglik, self.noise.log_prior)))
        return best < self.window * math.log(1.0 / len(self.env.action_names))

    def _rejuvenate(self, particles: ParticleSet) -> tuple[ParticleSet, int]:
        """Ask for new programs and rebuild the set from survivors and newcomers. Survivors are
        scored from what they already did; only newcomers replay the history."""
        assert self._session is not None
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
            noise=self.noise,
        )
        proposed = self.proposer.propose(request)
        candidates = survivors + proposed
        if not candidates:
            raise RoteError(f"the {self.proposer.name} proposer returned no programs")
        newcomers = {p.id: p.source for p in candidates if p.id not in self._scores}
        buckets = self.noise.buckets_of([step.action for step in self.history])[:-1]
        for program_id, result in self._session.add(newcomers).items():
            score = self._scores[program_id] = _Score(self.noise.size)
            steps = zip(result.outputs, self.history, buckets, strict=True)
            for output, step, bucket in steps:
                assert step.action is not None
                self._score(score, output, step.action, bucket)
        loglik = np.stack([self._scores[program.id].total for program in candidates])
        refreshed = refresh(candidates, loglik, self.noise, self.n_particles)
        self._forget_all_but(refreshed.programs)
        return refreshed, len(proposed)

    def _forget_all_but(self, programs: Sequence[Program]) -> None:
        """End the live programs no particle holds any more."""
        assert self._session is not None
        kept = {program.id for program in programs}
        gone = [program_id for program_id in self._scores if program_id not in kept]
        if gone:
            self._session.drop(gone)
            for program_id in gone:
                del self._scores[program_id]

    # -- predicting --------------------------------------------------------------------------

    def _predict(self, observation: Observation) -> dict[str, float]:
        """Distribution over the agent's next action, after the observed history. The programs
        act on the observation without committing to it, so observing it next runs nothing."""
        self._check_observation(observation)
        particles = self._inferred()
        assert self._session is not None
        result = self._session.peek(observation)
        outputs = [result.outputs[program.id] for program in particles.programs]
        bucket = self.noise.bucket(self._idled)
        distribution = posterior_predictive(
            particles, outputs, self.env.action_names, self.noise, bucket
        )
        return dict(zip(self.env.action_names, map(float, distribution), strict=True))

    def programs(self, k: int | None = 5) -> list[ProgramSummary]:
        """The k programs with the highest posterior weight (duplicates merged; all of them
        with k=None)."""
        return [
            ProgramSummary(
                weight,
                program.source,
                program.origin,
                describe(program.source),
                tuple(self._scores[program.id].agreed),
                None
                if self.noise.idle is None
                else self.noise.acting_rates(self._scores[program.id].total),
            )
            for weight, program in self._ranked()[:k]
        ]

    def belief(self, k: int | None = 5) -> FloatArray:
        """For each step seen, the posterior mass the k programs of `programs(k)` would have had
        after it, among the programs held now (`belief_over_steps`): shape (steps, k); one minus
        a row's sum is the other programs'. Shows when the belief settled on a program."""
        ranked = [program for _, program in self._ranked()]
        if not ranked or not self.history:
            return np.zeros((len(self.history), len(ranked[:k])))
        log_prior = np.array([program.log_prior for program in ranked])
        steps = np.stack([np.stack(self._scores[program.id].steps) for program in ranked])
        return belief_over_steps(log_prior, steps, self.noise)[:, : len(ranked[:k])]

    def _ranked(self) -> list[tuple[float, Program]]:
        """The distinct programs held and their total weight, highest first."""
        particles = self._inferred()
        totals: dict[str, tuple[float, Program]] = {}
        for program, log_weight in zip(particles.programs, particles.log_weights, strict=True):
            previous = totals.get(program.id, (0.0, program))[0]
            totals[program.id] = (previous + float(np.exp(log_weight)), program)
        return sorted(totals.values(), key=lambda item: -item[0])

    # -- helpers -----------------------------------------------------------------------------

    def _loglik(self, programs: Sequence[Program], start: int, stop: int) -> FloatArray:
        """log p_e(a_start..a_stop-1 | program) per program: shape (programs, settings). Copies of
        a program (resampling makes many) share one sum."""
        spans: dict[str, FloatArray] = {}
        for program in programs:
            if program.id not in spans:
                spans[program.id] = self._scores[program.id].span(start, stop)
        return np.stack([spans[program.id] for program in programs])

    def _score(self, score: _Score, output: Output, action: str, bucket: int) -> None:
        score.add(self._likelihood(output, action, bucket), agrees(output, action))

    def _likelihood(self, output: Output, action: str, bucket: int) -> FloatArray:
        """log p_e(action | output) per noise setting at a tick of this bucket; the same few
        arrays recur, so they are kept."""
        names = self.env.action_names
        if isinstance(output, dict):
            return step_log_likelihood(output, action, names, self.noise, bucket)
        key = (output, action, bucket)
        found = self._likelihoods.get(key)
        if found is None:
            found = step_log_likelihood(output, action, names, self.noise, bucket)
            self._likelihoods[key] = found
        return found

    def _check_observation(self, observation: Observation) -> None:
        """Validate an observation; observing the one just predicted from checks it once."""
        if observation is self._checked:
            return
        problems = self.env.observation_errors(observation)
        if problems:
            where, message = problems[0]
            raise RoteError(f"{where}: {message}")
        self._checked = observation

    def usage(self) -> dict[str, float]:
        """The proposer's calls and LLM tokens."""
        usage = self.proposer.usage.as_dict()
        return {key: usage[key] for key in ("calls", "prompt_tokens", "completion_tokens")}

    def close(self) -> None:
        """End the live programs, stop the sandbox workers this model started, and close the
        proposer if it was given to keep."""
        if self._session is not None:
            self._session.close()
        if self._owns_sandbox:
            self.sandbox.close()
        if self._owns_proposer:
            self.proposer.close()
