"""LLM programs and synthesized programs in one particle set.

Each call asks the LLM for a share of the programs and the synthesizer for the rest; SMC then
weighs them side by side by prior times likelihood. An LLM sample's log prior is 0 (it was
drawn from the model); synthesized programs' priors are shifted so the shortest is 0 too, and
the longer ones keep their description-length discount. The LLM brings open-ended structure the
DSL cannot express, the synthesizer brings programs that fit. The synthesizer sees the LLM's
programs (new and held) and refines them: each becomes one of its skills, which rules can
override where it errs and rings can alternate with others. On rejuvenation both see the
failing programs. Accounting is the sum of the two.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from rote.programs.program import Program
from rote.proposers.base import ProposalRequest, Proposer
from rote.proposers.synthesizer import SynthProposer


class HybridProposer(Proposer):
    """`llm_share` of each request from the LLM (at least one program), the rest synthesized.
    Any proposer can take the LLM's place (e.g. hand-written seeds, to study refinement)."""

    name: ClassVar[str] = "hybrid"

    def __init__(self, llm: Proposer, synth: SynthProposer, *, llm_share: float = 0.5) -> None:
        super().__init__()
        if not 0 < llm_share <= 1:
            raise ValueError(f"llm_share must be in (0, 1], not {llm_share}")
        self.llm = llm
        self.synth = synth
        self.llm_share = llm_share

    def _propose(self, request: ProposalRequest) -> list[Program]:
        n_llm = max(1, round(request.n * self.llm_share))
        programs = self.llm.propose(request._replace(n=n_llm))
        held = [*request.current, *programs]
        if request.n > len(programs):
            synthesized = self.synth.propose(
                request._replace(n=request.n - len(programs), current=tuple(held))
            )
            if synthesized:  # the shortest synthesized program on a par with an LLM sample
                top = max(program.log_prior for program in synthesized)
                programs += [replace(p, log_prior=p.log_prior - top) for p in synthesized]
        self.usage.count_inner(self.llm.usage, self.synth.usage)
        return programs

    def close(self) -> None:
        self.llm.close()
        self.synth.close()
