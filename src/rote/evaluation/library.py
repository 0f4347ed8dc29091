"""Learning a program library from many agents' trajectories (`rote library build`, the bench's
`rote-library`), in two stages:

1. candidates: a proposer's best programs for each training trajectory, whole
   (`propose_candidates`; one line per trajectory in candidates.jsonl, so a killed build
   resumes and a library of a subset of the data reuses them);
2. fitting: every candidate replayed on every training trajectory (`replay_candidates`, once);
   then (`fit_library`, for all trajectories or any subset) candidates that act identically on
   all of them merged (the shortest kept), and the library chosen among them by length, the
   trade a library learner makes: its programs' description lengths plus every agent's code
   under the mixture, -log of its likelihood (the mixture's weights by EM: each trajectory's
   agent shared among the programs by posterior, the weights re-estimated from the shares,
   until they settle). Programs are added, dropped or swapped for another candidate, one
   change at a time, while that shortens it.
   A program that fits only one agent's noise costs more to keep than the misses it saves.
   Last (`fit_noise`), how the agents erred and paused: the prior over the noise model's
   (eps, tempo) pairs under which the library's programs best explain them, by EM again.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from rote.envs import EnvSpec, make_env
from rote.errors import RoteError
from rote.evaluation.executors import Executor, Failed, LocalPool
from rote.evaluation.journal import load_records
from rote.files import make_directory
from rote.inference.ess import FloatArray, logsumexp
from rote.inference.likelihood import (
    NoiseModel,
    log_marginal,
    sequence_log_likelihood,
)
from rote.library import Library, LibraryProgram, PopulationNoise, save_library
from rote.programs.sandbox import Output, Sandbox
from rote.proposers.base import ProposalRequest
from rote.proposers.factory import make_proposer
from rote.proposers.llm.config import LLMConfig
from rote.trajectory import Trajectory
from rote.version import __version__

CANDIDATES = 5
"""Programs kept per training trajectory in stage 1."""
TRIAL_TOLERANCE = 1e-4
"""How settled a trial library's weights must be to compare its length with others'."""
SHARE_SHOWN = 0.05
"""A training agent is listed under a program that has at least this share of it."""


class Candidate(NamedTuple):
    """A program a proposer wrote for one training trajectory, and its description length."""

    source: str
    cost: float


class CandidateSettings(NamedTuple):
    """What builds the stage-1 proposer, in whichever worker runs a trajectory."""

    proposer: str = "synth"
    budget: int = 15_000
    llm: LLMConfig | None = None
    keep: int = CANDIDATES
    seed: int = 0


def candidates_of(settings: CandidateSettings, item: tuple[str, Trajectory]) -> dict[str, Any]:
    """Stage 1 for one trajectory: the proposer's best programs for the whole of it, as the
    line candidates.jsonl keeps."""
    name, trajectory = item
    env = make_env(trajectory.header.env, **trajectory.header.env_kwargs)
    steps = [step for step in trajectory.steps if step.action is not None]
    with make_proposer(settings.proposer, budget=settings.budget, llm=settings.llm) as proposer:
        request = ProposalRequest(env, tuple(steps), settings.keep, seed=settings.seed)
        programs = proposer.propose(request)
    return {
        "trajectory": name,
        "programs": [{"source": p.source, "cost": -p.log_prior} for p in programs],
    }


def propose_candidates(
    trajectories: Sequence[tuple[str, Trajectory]],
    settings: CandidateSettings,
    path: Path,
    *,
    executor: Executor | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_done: Callable[[str], None] | None = None,
) -> dict[str, list[Candidate]]:
    """Stage 1 for every named trajectory not already in `path` (candidates.jsonl), each line
    appended as its trajectory finishes; returns the candidates of all of them by name."""
    done = load_records(
        path,
        _parse_candidates,
        lambda record: record[0],
        what="candidates record",
        unit="trajectory",
    )
    pending = [item for item in trajectories if item[0] not in done]
    if on_start is not None:
        on_start(len(trajectories), len(trajectories) - len(pending))
    failed = []
    with path.open("a") as log:
        for (name, _), result in (executor or LocalPool()).run(candidates_of, settings, pending):
            if isinstance(result, Failed):
                failed.append(f"{name}: {result.reason}")
                continue
            log.write(json.dumps(result) + "\n")
            log.flush()
            done[name] = _parse_candidates(result)
            if on_done is not None:
                on_done(name)
    if failed:
        raise RoteError(f"{len(failed)} trajectories failed ({failed[0]}); a rerun retries them")
    return {name: done[name][1] for name, _ in trajectories}


def _parse_candidates(value: Any) -> tuple[str, list[Candidate]]:
    if not isinstance(value, dict) or not isinstance(value.get("trajectory"), str):
        raise ValueError("no trajectory name")
    programs = value.get("programs")
    if not isinstance(programs, list):
        raise ValueError("no programs")
    try:
        found = [Candidate(str(p["source"]), float(p["cost"])) for p in programs]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"a malformed program ({error})") from None
    return value["trajectory"], found


class Replays(NamedTuple):
    """Every candidate's behaviour on every training trajectory: all fitting reads, so that
    libraries of subsets of the data (leave-one-family-out) need no replay of their own."""

    candidates: tuple[Candidate, ...]
    """Distinct sources, the shortest first (merging keeps the first)."""
    proposed_for: tuple[frozenset[str], ...]
    """Per candidate, the trajectories it was proposed for (none: a program given as a file)."""
    trajectories: tuple[str, ...]
    loglik: FloatArray
    """[candidate, trajectory]: its log marginal likelihood (over eps) of the actions."""
    behaviour: NDArray[np.int64]
    """[candidate, trajectory]: a hash of what it did there (this process's; not saved); equal
    rows act alike."""


def replay_candidates(
    env: EnvSpec,
    trajectories: Sequence[tuple[str, Trajectory]],
    candidates: Mapping[str, Sequence[Candidate]],
    *,
    sandbox: Sandbox,
    seeds: Sequence[Candidate] = (),
    noise: NoiseModel | None = None,
    on_replayed: Callable[[str], None] | None = None,
) -> Replays:
    """Run the candidates (by the trajectory they were proposed for) and `seeds` on every
    trajectory; `on_replayed` hears of each trajectory done."""
    noise = (noise or NoiseModel()).for_env(env.idle_action)
    shortest: dict[str, Candidate] = {}
    origins: dict[str, set[str]] = {}
    for name, found in [*candidates.items(), ("", seeds)]:
        for candidate in found:
            known = shortest.get(candidate.source)
            if known is None or candidate.cost < known.cost:
                shortest[candidate.source] = candidate
            origins.setdefault(candidate.source, set()).update({name} if name else ())
    pool = sorted(shortest.values(), key=lambda c: c.cost)
    loglik = np.zeros((len(pool), len(trajectories)))
    behaviour = np.zeros((len(pool), len(trajectories)), dtype=np.int64)
    for j, (name, trajectory) in enumerate(trajectories):
        actions = [step.action for step in trajectory.steps]
        results = sandbox.replay(
            [c.source for c in pool],
            [step.observation for step in trajectory.steps],
            env.action_names,
        )
        for i, result in enumerate(results):
            steps = sequence_log_likelihood(result.outputs, actions, env.action_names, noise)
            loglik[i, j] = log_marginal(steps, noise.log_prior)
            behaviour[i, j] = hash(tuple(map(_hashable, result.outputs)))
        if on_replayed is not None:
            on_replayed(name)
    return Replays(
        tuple(pool),
        tuple(frozenset(origins[c.source]) for c in pool),
        tuple(name for name, _ in trajectories),
        loglik,
        behaviour,
    )


def fit_library(
    replays: Replays, among: Sequence[str] | None = None, *, iterations: int = 200
) -> tuple[LibraryProgram, ...]:
    """Stage 2: the library's programs and counts (see the module's docstring), from the
    trajectories `among` names (None: all) and the candidates proposed for them, with the
    programs given as files. Without trajectories each candidate counts one agent."""
    names = list(replays.trajectories if among is None else among)
    if not names:
        return tuple(LibraryProgram(c.source, 1.0, c.cost) for c in replays.candidates)
    columns = [replays.trajectories.index(name) for name in names]
    wanted = set(names)
    rows = [
        i
        for i, origin in enumerate(replays.proposed_for)
        if not origin or origin & wanted  # a file's program, or one proposed for these agents
    ]
    merged: dict[tuple[int, ...], int] = {}
    for i in rows:  # the shortest of those that act alike on these trajectories
        merged.setdefault(tuple(replays.behaviour[i, columns]), i)
    keep = list(merged.values())
    loglik = replays.loglik[np.ix_(keep, columns)]
    programs = [replays.candidates[i] for i in keep]
    prior = np.array([-c.cost for c in programs])
    alive = _shortest(loglik, prior, iterations)
    counts, shares = _em(loglik[alive], prior[alive], iterations)
    survivors = [program for program, kept in zip(programs, alive, strict=True) if kept]
    found = []
    for program, count, row in zip(survivors, counts, shares, strict=True):
        agents = tuple(
            (names[j], round(float(s), 4)) for j, s in enumerate(row) if s >= SHARE_SHOWN
        )
        found.append(LibraryProgram(program.source, round(float(count), 6), program.cost, agents))
    found.sort(key=lambda p: -p.count)
    return tuple(found)


def fit_noise(
    env: EnvSpec,
    trajectories: Sequence[tuple[str, Trajectory]],
    programs: Sequence[LibraryProgram],
    *,
    sandbox: Sandbox,
    noise: NoiseModel | None = None,
    iterations: int = 500,
) -> PopulationNoise | None:
    """How the named trajectories' agents erred and paused under the library's `programs` (as
    `fit_library` found them): the prior over the noise model's pairs that gives them the
    highest likelihood, each agent's a mixture over the programs by their counts, by EM from
    the default prior (`_em`: each agent's posterior over the pairs, averaged, until it
    settles).
    Only the library's few programs are replayed, so memory does not grow with the candidates.
    None without an agent some program explains."""
    noise = (noise or NoiseModel()).for_env(env.idle_action)
    if not trajectories or not programs:
        return None
    counts = np.array([program.count for program in programs])
    log_weights = np.log(counts / counts.sum())
    agents = []  # each agent's log likelihood at each pair, its program unknown
    for _, trajectory in trajectories:
        actions = [step.action for step in trajectory.steps]
        results = sandbox.replay(
            [program.source for program in programs],
            [step.observation for step in trajectory.steps],
            env.action_names,
        )
        rows = [
            sequence_log_likelihood(result.outputs, actions, env.action_names, noise)
            for result in results
        ]
        agents.append(logsumexp(log_weights[:, None] + np.stack(rows), axis=0))
    loglik = np.stack(agents)
    # an agent no program explains at any pair (possible on a grid with eps = 0) says nothing
    loglik = loglik[np.isfinite(log_marginal(loglik, noise.log_prior))]
    if not len(loglik):
        return None
    # the pairs are a mixture's components and the agents its data, as programs are in fitting
    counts, _ = _em(loglik.T, noise.log_prior, iterations)
    learned = counts / counts.sum()
    # to nine places: the index a person reads lists the pairs it holds
    return PopulationNoise(noise, tuple(round(float(p), 9) for p in learned))


def _shortest(loglik: FloatArray, log_prior: FloatArray, iterations: int) -> NDArray[np.bool_]:
    """The programs (rows) of the shortest library: the least total of their description
    lengths (-log_prior) and every trajectory's -log likelihood under the fitted mixture.
    Stepwise from none: add the program that shortens it most, drop the one whose loss does,
    or swap one kept for one not, until none does. Without swaps a program taken early (a
    plan under a habit that misses a step) keeps out a better one (the same plan under the
    agents' own habit), since dropping it alone lengthens the library. Each step fits every
    trial library at once."""

    def lengths(libraries: list[list[int]]) -> FloatArray:
        rows = np.array(libraries)
        counts, _ = _em(loglik[rows], log_prior[rows], iterations, TRIAL_TOLERANCE)
        with np.errstate(divide="ignore"):
            log_weights = np.log(counts / counts.sum(axis=-1, keepdims=True))
        fit = logsumexp(log_weights[..., None] + loglik[rows], axis=-2)
        found: FloatArray = -log_prior[rows].sum(axis=-1) - fit.sum(axis=-1)
        return found

    kept: list[int] = []
    best = math.inf
    while True:
        trials = [[*kept, i] for i in range(len(log_prior)) if i not in kept]
        scores = [*lengths(trials)] if trials else []
        if len(kept) > 1:
            fewer = [[j for j in kept if j != i] for i in kept]
            trials += fewer
            scores += [*lengths(fewer)]
        swapped = [
            [*(j for j in kept if j != i), k]
            for i in kept
            for k in range(len(log_prior))
            if k not in kept
        ]
        if swapped:
            trials += swapped
            scores += [*lengths(swapped)]
        if not trials or not min(scores) < best:
            break
        best = min(scores)
        kept = trials[scores.index(best)]
    alive = np.zeros(len(log_prior), dtype=bool)
    alive[kept] = True
    return alive


def _em(
    loglik: FloatArray, log_prior: FloatArray, iterations: int, tolerance: float = 1e-9
) -> tuple[FloatArray, FloatArray]:
    """Mixture weights over the programs (rows) that best explain the trajectories (columns),
    by EM from the programs' prior: the counts (shares summed per program) and the shares.
    Leading axes, if any, are separate mixtures fitted side by side, until every weight
    moves less than `tolerance`."""
    log_weights = log_prior - logsumexp(log_prior, axis=-1)[..., None]
    shares = np.zeros_like(loglik)
    for _ in range(iterations):
        joint = log_weights[..., None] + loglik
        shares = np.exp(joint - logsumexp(joint, axis=-2)[..., None, :])
        counts = shares.sum(axis=-1)
        with np.errstate(divide="ignore"):
            updated = np.log(counts / counts.sum(axis=-1, keepdims=True))
        if np.allclose(np.exp(updated), np.exp(log_weights), rtol=0.0, atol=tolerance):
            break
        log_weights = updated
    return shares.sum(axis=-1), shares


def _hashable(output: Output) -> object:
    return tuple(sorted(output.items())) if isinstance(output, dict) else output


def build_library(
    env: EnvSpec,
    trajectories: Sequence[tuple[str, Trajectory]],
    out: Path,
    *,
    settings: CandidateSettings | None = None,
    seeds: Sequence[tuple[str, str]] = (),
    concentration: float | None = None,
    data: Sequence[str] = (),
    executor: Executor | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_done: Callable[[str], None] | None = None,
    on_replayed: Callable[[str], None] | None = None,
) -> Library:
    """Learn a library of `env` from the named trajectories (and `seeds`, (name, source) pairs
    of programs people wrote, which compete for the agents with the candidates) and save it to
    `out`. `data` names where the trajectories came from, for the record. `on_start(total,
    done)` and `on_done` report stage 1's progress, `on_replayed` stage 2's."""
    make_directory(out)
    settings = settings or CandidateSettings()
    found = propose_candidates(
        trajectories,
        settings,
        out / "candidates.jsonl",
        executor=executor,
        on_start=on_start,
        on_done=on_done,
    )
    given = [Candidate(source, 0.0) for _, source in seeds]
    if not given and not any(found.values()):
        raise RoteError("a library needs trajectories or program files to learn from")
    with Sandbox(workers=1) as sandbox:
        replays = replay_candidates(
            env, trajectories, found, sandbox=sandbox, seeds=given, on_replayed=on_replayed
        )
        programs = fit_library(replays)
        noise = fit_noise(env, trajectories, programs, sandbox=sandbox)
    built = {
        "data": list(data),
        "trajectories": len(trajectories),
        "seeds": [name for name, _ in seeds],
        "proposer": settings.proposer,
        "budget": settings.budget,
        "candidates": settings.keep,
        "seed": settings.seed,
        "rote": __version__,
    }
    library = Library(env.id, programs, dict(env.kwargs), built=built, noise=noise)
    return save_library(library.with_concentration(concentration), out)
