"""The search ranks programs by the very posterior the SMC weighs them with: a program's search
score and its SMC log weight on the same history differ by one constant shared by all programs.
Real sandbox, real SMC (`ROTE`), a noisy Construction trajectory, so programs differ in hits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import ClassVar

import numpy as np
import pytest

from rote import ROTE, make_env
from rote.agents import make_agent
from rote.inference.likelihood import NoiseModel
from rote.programs import Sandbox
from rote.programs.program import Program
from rote.proposers import ProposalRequest, Proposer
from rote.proposers.synthesizer import Budget, SynthProposer
from rote.proposers.synthesizer.construction import ConstructionVocabulary
from rote.proposers.synthesizer.dsl import Exit, Mode, Ring, Skill, Tables, run
from rote.proposers.synthesizer.emit import to_source
from rote.proposers.synthesizer.search import Search
from rote.rollout import rollout
from rote.trajectory import Step

SPEC = make_env("construction")
VOCABULARY = ConstructionVocabulary()
SKILLS = {skill.name: skill for skill in VOCABULARY.skills()}
QUICK = Budget(programs=3000)
JUMP = Skill("jump", '"jump"', lambda state: "jump")
"""Not one of Construction's actions: the sandbox fails a program the first time it says it."""
AGREE = 1e-9


def noisy_history() -> list[Step]:
    agent = make_agent("construction", "snake", noise=0.2, action_names=SPEC.action_names, seed=1)
    return list(rollout(SPEC, agent, steps=20, seed=1).steps)


def paused_history() -> list[Step]:
    """The noisy history with pauses of one to three ticks, as people make: steps of every
    bucket of the tempo layer (idle ticks since the agent last acted)."""
    pauses = {2, 5, 6, 10, 11, 12, 13, 14, 17}
    return [
        replace(step, action="stay") if t in pauses else step
        for t, step in enumerate(noisy_history())
    ]


class Given(Proposer):
    """Hands out the programs it was made with, each with its log prior."""

    name: ClassVar[str] = "given"

    def __init__(self, programs: Sequence[Program]) -> None:
        super().__init__()
        self.programs = list(programs)

    def _propose(self, request: ProposalRequest) -> list[Program]:
        return list(self.programs)


def smc_log_weights(
    proposer: Proposer, steps: list[Step], n: int, noise: NoiseModel | None = None
) -> dict[Program, float]:
    """The log weight SMC gives each program it infers from `steps`, by program."""
    with ROTE(SPEC, proposer, n_particles=n, seed=0, noise=noise) as model:
        for step in steps:
            assert step.action is not None
            model.observe(step.observation, step.action)
        model.infer()
        assert model.particles is not None
        particles = model.particles
    return dict(zip(particles.programs, map(float, particles.log_weights), strict=True))


def assert_one_constant_apart(smc: Sequence[float], search: Sequence[float]) -> None:
    offsets = np.asarray(smc) - np.asarray(search)
    assert np.all(np.isfinite(offsets))
    assert np.ptp(offsets) < AGREE, offsets - offsets[0]


@pytest.mark.parametrize("history", [noisy_history, paused_history])
def test_search_scores_are_smc_log_weights_up_to_one_constant(
    history: Callable[[], list[Step]],
) -> None:
    """Found programs, a poor one, and one the sandbox fails partway through: it says "jump"
    at step 8 and is a miss from then on, although the DSL would hit again after it. On a
    history with pauses too, where the tempo layer's rates differ by bucket."""
    steps = history()
    observations = [step.observation for step in steps]
    actions = [step.action or "" for step in steps]
    noise = NoiseModel().for_env(SPEC.idle_action)  # as ROTE weighs programs on this env
    tables = Tables(VOCABULARY, observations)
    search = Search(tables, actions, SPEC.action_names, budget=QUICK, noise=noise)
    search.run()
    failing = Ring(
        (
            Mode(SKILLS["pace from left"], exit=Exit("after", steps=8)),
            Mode(JUMP, exit=Exit("after", steps=1)),
        )
    )
    programs = [
        *(scored.program for scored in search.best(6)),
        Ring((Mode(SKILLS["stay"]),)),
        failing,
    ]
    sources = [to_source(program, VOCABULARY) for program in programs]
    with Sandbox(workers=1) as sandbox:
        replayed = sandbox.replay(sources[-1:], observations, SPEC.action_names)[0]
    assert replayed.failed_at == 8, replayed.error
    outputs = run(failing, search.tables)
    assert any(o == a for o, a in zip(outputs[9:], actions[9:], strict=True))  # hits it loses

    proposed = [
        Program(source, origin="given", log_prior=-program.cost)
        for source, program in zip(sources, programs, strict=True)
    ]
    weights = smc_log_weights(Given(proposed), steps, len(proposed))
    scores = [search.score(program) for program in programs]
    assert len({round(scored.loglik, 6) for scored in scores}) >= 4  # programs differ in fit
    assert_one_constant_apart([weights[p] for p in proposed], [s.score for s in scores])


@pytest.mark.parametrize(
    "noise",
    [
        None,
        NoiseModel(grid=(0.05, 0.5), prior=(3.0, 1.0)),
        NoiseModel(rates=(0.5,), buckets=(2,)),
        NoiseModel(steady=1.0),
    ],
)
def test_the_synthesizers_proposals_carry_their_smc_log_weight(noise: NoiseModel | None) -> None:
    """What the proposer hands SMC, prior included: its score is the weight SMC gives it, under
    the default noise model and under ones the model was given (with the tempo layer's rates,
    other rates, and none)."""
    weights = smc_log_weights(SynthProposer(QUICK), noisy_history(), 30, noise)
    scores = [program.meta["score"] for program in weights]
    assert len(weights) == 30 and len({round(score, 6) for score in scores}) >= 4
    assert_one_constant_apart(list(weights.values()), scores)
