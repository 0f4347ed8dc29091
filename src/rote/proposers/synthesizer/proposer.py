"""The offline synthesizer as a proposer: n programs for a history, with no LLM.

Each call searches the env's vocabulary (`vocabulary_for`) for programs that explain the
history, seeded with the DSL form of the programs the particle set holds (so rejuvenation
revises them), and emits the best as `class Agent` sources. A program carries its DSL form in
`meta["dsl"]` and its search score in `meta["score"]`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.progress import Progress

from rote.envs.base import EnvSpec
from rote.programs.program import Program
from rote.proposers.base import ProposalRequest, Proposer
from rote.proposers.synthesizer.construction import ConstructionVocabulary
from rote.proposers.synthesizer.dsl import Program as DslProgram
from rote.proposers.synthesizer.dsl import Tables, Vocabulary
from rote.proposers.synthesizer.emit import to_source
from rote.proposers.synthesizer.generic import GenericVocabulary
from rote.proposers.synthesizer.search import Budget, Search

VOCABULARIES: dict[str, Callable[[EnvSpec], Vocabulary]] = {
    "construction": lambda env: ConstructionVocabulary(),
}
"""Env id to its vocabulary; an env not listed gets the generic one."""


def vocabulary_for(env: EnvSpec) -> Vocabulary:
    factory = VOCABULARIES.get(env.id)
    return GenericVocabulary(env) if factory is None else factory(env)


class SynthProposer(Proposer):
    """Programs from enumerative and local search over the env's vocabulary."""

    name: ClassVar[str] = "synth"

    def __init__(self, budget: Budget | None = None, *, show_progress: bool = False) -> None:
        super().__init__()
        self.budget = budget or Budget()
        self.show_progress = show_progress

    def _propose(self, request: ProposalRequest) -> list[Program]:
        vocabulary = vocabulary_for(request.env)
        observations = [step.observation for step in request.history]
        actions = [step.action or "" for step in request.history]
        seeds: list[DslProgram] = [
            program.meta["dsl"]
            for program in (*request.failing, *request.current)
            if isinstance(program.meta.get("dsl"), DslProgram)
        ]
        search = Search(
            Tables(vocabulary, observations),
            actions,
            len(request.env.action_names),
            budget=self.budget,
            seed=request.seed,
        )
        if self.show_progress:
            with Progress(transient=True) as bar:
                task = bar.add_task("synthesizing programs", total=1.0)
                search.progress = lambda done: bar.update(task, completed=done)
                search.run(seeds)
        else:
            search.run(seeds)
        held = {program.id for program in request.current}
        programs = []
        for scored in search.best(2 * request.n):
            source = to_source(scored.program, vocabulary)
            program = Program(
                source,
                origin=self.name,
                log_prior=-scored.program.cost,
                meta={"dsl": scored.program, "score": scored.score},
            )
            if program.id not in held:
                held.add(program.id)
                programs.append(program)
        return programs[: request.n]
