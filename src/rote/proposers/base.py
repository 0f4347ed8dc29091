"""The one interface every proposer implements: n programs for a history.

SMC asks a proposer for programs at the start and whenever the particles stop explaining the
agent (rejuvenation); it passes the programs that failed so a proposer may revise them. The base
class validates requests and replies and keeps the accounting, so implementations only write
`_propose`.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import ClassVar, NamedTuple

from rote.closing import Closeable
from rote.envs import EnvSpec
from rote.inference.likelihood import NoiseModel
from rote.programs.program import Program
from rote.trajectory import Step


class ProposalRequest(NamedTuple):
    """What a proposer gets: the env, the observed steps, how many programs, and context."""

    env: EnvSpec
    history: Sequence[Step]
    n: int
    current: Sequence[Program] = ()
    """Programs the particle set holds now (a proposer need not repeat them)."""
    failing: Sequence[Program] = ()
    """Programs that explain the recent steps poorly, for proposers that revise."""
    seed: int = 0
    noise: NoiseModel = NoiseModel()
    """The noise model SMC weighs programs by, so that a proposer that scores programs (the
    synthesizer's search) ranks them by the very posterior they then get. A proposer reads it
    through `env_noise`."""

    @property
    def env_noise(self) -> NoiseModel:
        """`noise` for the request's env, whose idle action decides the tempo layer (ROTE's
        noise is set for its env already; a request built by hand, in a test or a script, may
        not be)."""
        return self.noise.for_env(self.env.idle_action)


@dataclass
class Usage:
    """Cumulative cost of a proposer: calls, programs returned, LLM tokens, wall time."""

    calls: int = 0
    programs: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_requests: int = 0
    """Completions asked for (each may be answered by the cache)."""
    cache_hits: int = 0
    """Samples the replay cache answered without the model."""
    rejected: int = 0
    """LLM answers that held no program, even after repair."""
    seconds: float = 0.0

    def count_inner(self, *inner: Usage) -> None:
        """For a proposer made of others: its LLM accounting is the sum of theirs (its calls,
        programs and time it counts itself)."""
        for field in fields(self):
            if field.name not in ("calls", "programs", "seconds"):
                setattr(self, field.name, sum(getattr(usage, field.name) for usage in inner))

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "seconds": round(self.seconds, 6)}


class Proposer(Closeable):
    """Writes candidate programs for an observed history."""

    name: ClassVar[str]
    lengths: ClassVar[bool] = False
    """Whether its programs' `log_prior` is minus a description length, one scale for every
    program it could write (the synthesizer's), rather than only relative among what it wrote
    (an LLM's samples, 0 each). A program library sets the first against its shares as it is,
    and shares its mass for new programs among the second (`rote.proposers.library`)."""

    def __init__(self) -> None:
        self.usage = Usage()
        self.per_call: list[dict[str, float]] = []
        """What each call cost (the same fields as `usage`), in order."""

    def propose(self, request: ProposalRequest) -> list[Program]:
        """At most `request.n` programs, each meeting the `class Agent` contract in source form."""
        if request.n < 1:
            raise ValueError(f"a proposal needs n >= 1, not {request.n}")
        start = time.perf_counter()
        before = self.usage.as_dict()
        programs = self._propose(request)[: request.n]
        self.usage.calls += 1
        self.usage.programs += len(programs)
        self.usage.seconds += time.perf_counter() - start
        after = self.usage.as_dict()
        self.per_call.append({key: round(after[key] - before[key], 6) for key in after})
        for program in programs:
            if not isinstance(program, Program) or not program.source.strip():
                raise TypeError(f"{self.name} proposer returned {program!r}, not a Program")
        return programs

    @abstractmethod
    def _propose(self, request: ProposalRequest) -> list[Program]: ...

    def close(self) -> None:
        """Release what the proposer holds (a model, a cache, a sandbox); nothing by default."""
