"""Programs a population runs, as the prior for a new agent: proposing from a library.

`LibraryProposer` proposes the library's programs first, weighted by the library's mixture
prior (`rote.library`). When exactly one of them names every observed action, no
search runs: a familiar agent costs a replay of the library. Otherwise (none fits, or several
do and the history cannot tell them apart) it also asks another proposer (the synthesizer, an
LLM) for new programs, which get the prior mass of leaving the library times their own prior
(see `LibraryProposer._leaving` for how that is read for an LLM's programs).

It does not hand the library's programs to the other proposer to refine: a library program
patched where it misses is short to describe and nearly fits, and on agents of a family the
library has not seen it beat the new program that fits (benchmarks/library_lofo.py: snake
after the swap 0.80 with the hand-off, 0.94 without, as the synthesizer alone).

Libraries are learned by `rote.evaluation.library`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

import numpy as np

from rote.inference.ess import FloatArray, logsumexp
from rote.inference.likelihood import agrees, log_marginal, sequence_log_likelihood
from rote.library import Library
from rote.programs.program import Program
from rote.programs.sandbox import Sandbox
from rote.proposers.base import ProposalRequest, Proposer


class LibraryProposer(Proposer):
    """The library's programs first; another proposer's new ones unless exactly one fits."""

    name: ClassVar[str] = "library"

    def __init__(
        self,
        library: Library,
        novel: Proposer | None = None,
        *,
        sandbox: Sandbox | None = None,
        closes_novel: bool = True,
    ) -> None:
        """`novel` writes the new programs (None: the library's alone); `close()` closes it
        unless `closes_novel` is off (it is someone else's)."""
        super().__init__()
        self.library = library
        self.novel = novel
        self._closes_novel = closes_novel
        self.sandbox = sandbox or Sandbox(workers=1)  # its worker starts on first replay
        self._owns_sandbox = sandbox is None
        self.programs = [
            Program(
                entry.source,
                origin=f"library:{entry.file or index}",
                log_prior=library.log_prior(entry),
            )
            for index, entry in enumerate(library.programs)
        ]

    def _propose(self, request: ProposalRequest) -> list[Program]:
        self.library.check_env(request.env)
        held = {program.id for program in request.current}
        posterior, fits = self._scored(request, self.programs)
        order = np.argsort(-posterior, kind="stable")
        ranked = [self.programs[i] for i in order]
        if self.novel is None or sum(fits) == 1:
            return [program for program in ranked if program.id not in held]
        written = self.novel.propose(request)
        self.usage.count_inner(self.novel.usage)
        novel = self._leaving(written)
        novel_posterior, _ = self._scored(request, novel)
        candidates = ranked + novel
        scores = np.concatenate([posterior[order], novel_posterior])
        best = [candidates[i] for i in np.argsort(-scores, kind="stable")]
        return [program for program in best if program.id not in held]

    def _leaving(self, written: Sequence[Program]) -> list[Program]:
        """`written` with the prior of programs outside the library, alpha / (N + alpha) times
        their own. A description length (the synthesizer's) is a prior on one scale with the
        library's shares, so a new program pays for its length against a library program's
        pointer, and a program fitted to one agent's noise does not beat its family's. Other
        priors are only relative (an LLM's samples are 0 each), so the new programs share the
        mass in proportion to them: the samples stand in for the base measure, 1 / K each."""
        assert self.novel is not None
        shift = self.library.log_novel
        if written and not self.novel.lengths:
            shift -= float(logsumexp([p.log_prior for p in written]))
        return [replace(p, log_prior=p.log_prior + shift) for p in written]

    def _scored(
        self, request: ProposalRequest, programs: Sequence[Program]
    ) -> tuple[FloatArray, list[bool]]:
        """Each program's log prior plus log marginal likelihood of the history, and whether
        it named every action."""
        if not programs:
            return np.zeros(0), []
        actions = [step.action for step in request.history]
        results = self.sandbox.replay(
            [program.source for program in programs],
            [step.observation for step in request.history],
            request.env.action_names,
        )
        names, noise = request.env.action_names, request.env_noise
        loglik = np.stack(
            [sequence_log_likelihood(result.outputs, actions, names, noise) for result in results]
        )
        posterior = np.array([p.log_prior for p in programs]) + log_marginal(
            loglik, noise.log_prior
        )
        fits = [
            result.error is None
            and all(agrees(o, a) for o, a in zip(result.outputs, actions, strict=True) if a)
            for result in results
        ]
        return posterior, fits

    def close(self) -> None:
        if self.novel is not None and self._closes_novel:
            self.novel.close()
        if self._owns_sandbox:
            self.sandbox.close()


def with_library(proposer: Proposer, library: Library | None) -> Proposer:
    """`proposer` writing the new programs behind `library` (none: the proposer as it is)."""
    return proposer if library is None else LibraryProposer(library, proposer)
