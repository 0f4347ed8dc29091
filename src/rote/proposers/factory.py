"""A proposer by name: the one place `rote predict` and the bench's methods build them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from rote.errors import RoteError
from rote.proposers.base import Proposer
from rote.proposers.hybrid import HybridProposer
from rote.proposers.listed import ListProposer
from rote.proposers.llm.config import LLMConfig
from rote.proposers.llm.proposer import LLMProposer
from rote.proposers.synthesizer import Budget, SynthProposer

PROPOSERS = ("synth", "list", "llm", "hybrid")
"""synth: the offline synthesizer; list: programs from files; llm: an LLM writes them;
hybrid: the LLM's programs and the synthesizer's."""
LLM_PROPOSERS = ("llm", "hybrid")
"""The proposers that ask an LLM, so need its settings."""


def make_proposer(
    name: str,
    *,
    budget: int = Budget().programs,
    rejuvenation_budget: int | None = None,
    llm: LLMConfig | None = None,
    programs: Sequence[str | Path] = (),
    show_progress: bool = False,
    on_problem: Callable[[str], None] | None = None,
) -> Proposer:
    """The proposer `name` (one of PROPOSERS). `budget` is the programs the synthesizer scores
    per search (synth, hybrid), `rejuvenation_budget` per rejuvenation if fewer (`Budget`);
    `llm` the LLM settings (llm, hybrid); `programs` the program files or directories (list,
    and only list: elsewhere they would be silently ignored); `on_problem` hears of each of
    those that fails (list)."""
    if name not in PROPOSERS:
        raise RoteError(f"unknown proposer {name!r}: choose from {', '.join(PROPOSERS)}")
    if programs and name != "list":
        raise RoteError("--programs is for --proposer list")
    if name == "list":
        if not programs:
            raise RoteError("--proposer list needs --programs FILE_OR_DIR ...")
        return ListProposer.from_paths(programs, on_problem)

    def synthesizer() -> SynthProposer:
        """Built only where used, so `--proposer llm` never checks a budget it does not use."""
        budgets = Budget(budget, rejuvenation=rejuvenation_budget)
        return SynthProposer(budgets, show_progress=show_progress)

    if name == "synth":
        return synthesizer()
    if llm is None:
        raise RoteError(f"proposer {name} needs LLM settings (an LLMConfig)")
    writer = LLMProposer.from_config(llm)
    if name == "llm":
        return writer
    return HybridProposer(writer, synthesizer())
