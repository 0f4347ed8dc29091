"""The offline synthesizer as a proposer: n programs for a history, with no LLM.

Each call searches the env's vocabulary (`vocabulary_for`) for programs that explain the
history, seeded with the DSL form of the programs the particle set holds (so rejuvenation
revises them), and emits the best as `class Agent` sources. A program carries its DSL form in
`meta["dsl"]` and its search score in `meta["score"]`.

Programs it did not write (an LLM's, in the hybrid) become skills of their own: each is replayed
in the sandbox and its answers join the search's tables, so the search can patch one with rules
("if blocked up: move left; else do what program 1a2b3c4d does") or put it in a ring. The
emitted source embeds the program, so such a refinement is again a plain sandbox program.

Where the vocabulary lists habits (conventions other agents commonly keep, such as walking
horizontally first), the history is searched again in each, with a share of the budget, and the
programs of every search compete by score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar

from rich.progress import Progress

from rote.envs.base import EnvSpec
from rote.envs.registry import registration
from rote.inference.ess import logsumexp
from rote.programs.program import Program
from rote.programs.sandbox import Sandbox
from rote.proposers.base import ProposalRequest, Proposer
from rote.proposers.synthesizer.dsl import Answers, Habitual, Ring, Skill, Tables, Vocabulary
from rote.proposers.synthesizer.emit import embed, to_source
from rote.proposers.synthesizer.generic import GenericVocabulary
from rote.proposers.synthesizer.search import Budget, Plan, Scored, Search

MAX_EMBEDDED = 4
"""Foreign programs (failing ones first) made into skills per search."""
VARIANTS = 6
"""Settings of one plan's conventions emitted at most, each a particle (`Plan`): where the
history cannot tell the settings apart, the particles' vote among them is what predicts."""
HABIT_BUDGET = 0.25
"""The share of the budget a search in each of the vocabulary's other habits gets
(`Vocabulary.habits`): enough to find the plans, the rest is spent refining ours."""


def vocabulary_for(env: EnvSpec) -> Vocabulary:
    """The vocabulary the env's family registered, or the generic one."""
    factory = registration(env).vocabulary_factory()
    return GenericVocabulary(env) if factory is None else factory(env)


def _allotted(plans: Sequence[Plan], n: int) -> list[int]:
    """How many of each plan's settings to emit: its share of n by weight, at least one, at
    most `VARIANTS`. A posterior sure of one plan spends particles on that plan's settings (the
    future tells them apart); an unsure one keeps a particle for each of many plans."""
    if not plans:
        return []
    total = float(logsumexp([plan.score for plan in plans]))
    return [
        min(VARIANTS, len(plan.variants), max(1, round(n * math.exp(plan.score - total))))
        for plan in plans
    ]


def _spread(variants: tuple[Scored, ...], k: int) -> list[Scored]:
    """The cheapest variant, then k - 1 of the rest spread evenly through them (they are
    listed by value, so evenly spread settings differ more than neighbours)."""
    if len(variants) <= k:
        return list(variants)
    rest = variants[1:]
    return [variants[0], *(rest[i * len(rest) // (k - 1)] for i in range(k - 1))]


class SynthProposer(Proposer):
    """Programs from enumerative and local search over the env's vocabulary."""

    name: ClassVar[str] = "synth"
    lengths: ClassVar[bool] = True

    def __init__(
        self,
        budget: Budget | None = None,
        *,
        show_progress: bool = False,
        sandbox: Sandbox | None = None,
    ) -> None:
        super().__init__()
        self.budget = budget or Budget()
        self.show_progress = show_progress
        self.sandbox = sandbox or Sandbox(workers=1)  # its worker starts on first replay
        self._owns_sandbox = sandbox is None
        self._answers: dict[tuple[tuple[str, str], ...], Answers] = {}
        """What the vocabulary, in each habit, said of the histories searched so far."""

    def _propose(self, request: ProposalRequest) -> list[Program]:
        vocabulary = vocabulary_for(request.env)
        observations = [step.observation for step in request.history]
        given = (*request.failing, *request.current)
        seeds = [p.meta["dsl"] for p in given if isinstance(p.meta.get("dsl"), Ring)]
        foreign = [p for p in given if "dsl" not in p.meta and p.origin != self.name]
        embedded = self._embedded(request, foreign)
        # a held refinement of a program not embedded now cannot be scored without its answers
        seeds = [
            ring
            for ring in seeds
            if all(skill.embedded is None or skill in embedded for skill in ring.skills())
        ]
        tables = Tables(vocabulary, observations, embedded, self._answered(()))
        plans = self._search(request, tables, seeds).plans(2 * request.n)
        for habit in vocabulary.habits:  # another habit may join up what ours broke
            answers = self._answered(tuple(sorted(habit.items())))
            tables = Tables(Habitual(vocabulary, habit), observations, embedded, answers)
            plans += self._search(request, tables, seeds, HABIT_BUDGET).plans(2 * request.n)
        plans.sort(key=lambda plan: -plan.score)
        distinct: list[Plan] = []
        placed: set[Ring] = set()
        for plan in plans:
            if plan.variants[0].program not in placed:  # else found by another search too
                placed.update(variant.program for variant in plan.variants)
                distinct.append(plan)
        held = {program.id for program in request.current}
        programs = []
        for plan, count in zip(distinct, _allotted(distinct, request.n), strict=True):
            chosen = _spread(plan.variants, count)
            # the settings left out are counted on those emitted, so the plan keeps its weight
            unsaid = plan.score - float(logsumexp([variant.score for variant in chosen]))
            for scored in chosen:
                program = Program(
                    to_source(scored.program, vocabulary),
                    origin=self.name,
                    log_prior=unsaid - scored.program.cost,
                    meta={"dsl": scored.program, "score": scored.score + unsaid},
                )
                if program.id not in held:
                    held.add(program.id)
                    programs.append(program)
        return programs[: request.n]

    def _answered(self, habit: tuple[tuple[str, str], ...]) -> Answers:
        return self._answers.setdefault(habit, Answers())

    def _search(
        self, request: ProposalRequest, tables: Tables, seeds: list[Ring], share: float = 1.0
    ) -> Search:
        programs = self.budget.programs
        if request.current and self.budget.rejuvenation is not None:
            programs = min(programs, self.budget.rejuvenation)
        budget = Budget(max(1, int(programs * share)), self.budget.seconds * share)
        search = Search(
            tables,
            [step.action or "" for step in request.history],
            request.env.action_names,
            budget=budget,
            seed=request.seed,
            noise=request.env_noise,
        )
        if self.show_progress:
            with Progress(transient=True) as bar:
                task = bar.add_task("synthesizing programs", total=1.0)
                search.progress = lambda done: bar.update(task, completed=done)
                search.run(seeds)
        else:
            search.run(seeds)
        return search

    def _embedded(self, request: ProposalRequest, foreign: list[Program]) -> dict[Skill, list[str]]:
        """Skills for up to MAX_EMBEDDED foreign programs, with their answers on the history.
        A program that fails on the history, or answers with distributions, is left out."""
        unique = list({program.id: program for program in foreign}.values())[:MAX_EMBEDDED]
        if not unique:
            return {}
        results = self.sandbox.replay(
            [program.source for program in unique],
            [step.observation for step in request.history],
            request.env.action_names,
        )
        found: dict[Skill, list[str]] = {}
        for program, result in zip(unique, results, strict=True):
            answers = [output for output in result.outputs if isinstance(output, str)]
            skill = embed(program.source)
            if result.error is None and len(answers) == len(result.outputs) and skill is not None:
                found[skill] = answers
        return found

    def close(self) -> None:
        if self._owns_sandbox:
            self.sandbox.close()
