"""Programs a population runs, as the prior for a new agent: proposing from a library.

`LibraryProposer` proposes the library's programs first, weighted by the library's mixture
prior (`rote.programs.library`). When one of them names every observed action, no search runs:
a familiar agent costs a replay of the library. Otherwise it also asks another proposer (the
synthesizer, an LLM) for new programs, which pay the price of leaving the library on top of
their own prior, and hands it the library programs that come closest, so that a program that
almost fits is refined (the synthesizer embeds programs it did not write as skills).

Libraries are learned by `rote.evaluation.library`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

import numpy as np

from rote.errors import RoteError
from rote.inference.ess import FloatArray
from rote.inference.likelihood import agrees, log_marginal, sequence_log_likelihood
from rote.programs.library import Library
from rote.programs.program import Program
from rote.programs.sandbox import Sandbox
from rote.proposers.base import ProposalRequest, Proposer

REFINED = 4
"""Library programs, the closest first, handed to the other proposer to refine."""


class LibraryProposer(Proposer):
    """The library's programs first; another proposer's new ones when none fits."""

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
        env = request.env
        if (env.id, dict(env.kwargs)) != (self.library.env, self.library.env_kwargs):
            raise RoteError(
                f"the library is of env {self.library.env} {self.library.env_kwargs}, "
                f"not {env.id} {dict(env.kwargs)}"
            )
        held = {program.id for program in request.current}
        posterior, fits = self._scored(request, self.programs)
        order = np.argsort(-posterior, kind="stable")
        ranked = [self.programs[i] for i in order]
        if self.novel is None or any(fits):
            return [program for program in ranked if program.id not in held]
        closest = tuple(ranked[:REFINED])
        written = self.novel.propose(request._replace(failing=(*closest, *request.failing)))
        self.usage.count_inner(self.novel.usage)
        novel = [replace(p, log_prior=p.log_prior + self.library.log_novel) for p in written]
        novel_posterior, _ = self._scored(request, novel)
        candidates = ranked + novel
        scores = np.concatenate([posterior[order], novel_posterior])
        best = [candidates[i] for i in np.argsort(-scores, kind="stable")]
        return [program for program in best if program.id not in held]

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
        names, eps = request.env.action_names, request.eps.eps
        loglik = np.stack(
            [sequence_log_likelihood(result.outputs, actions, names, eps) for result in results]
        )
        posterior = np.array([p.log_prior for p in programs]) + log_marginal(
            loglik, request.eps.log_prior
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
