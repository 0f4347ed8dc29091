"""Foreign programs as skills: the synthesizer refines programs it did not write (the hybrid)."""

from __future__ import annotations

import pytest

from rote import make_env
from rote.agents import make_agent
from rote.programs import Sandbox
from rote.programs.program import Program
from rote.proposers import ProposalRequest
from rote.proposers.synthesizer import Budget, SynthProposer
from rote.proposers.synthesizer.construction import ConstructionVocabulary
from rote.proposers.synthesizer.dsl import IDLE, Mode, Ring, Rule, Skill, Tables, run
from rote.proposers.synthesizer.emit import embed, to_source
from rote.rollout import rollout
from rote.trajectory import Step

SPEC = make_env("construction")
VOCABULARY = ConstructionVocabulary()
SKILLS = {skill.name: skill for skill in VOCABULARY.skills()}
GUARDS = {guard.name: guard for guard in VOCABULARY.guards()}

SLIPPED = '''"""green-to-corner as a careless writer put it: it carries to the wrong corner."""
from __future__ import annotations

from rote.skills.construction import corner_cell, fetch, free_cells, manhattan, parse

RADIUS = 2


def parse_twice(observation):  # a module-level helper, like the ones LLMs write
    return parse(observation)


class Agent:
    def __init__(self):
        self.steps = 0

    def act(self, observation):
        self.steps += 1
        state = parse_twice(observation)
        corner = corner_cell(state, "top-left")
        free = free_cells(state)
        if not free:
            return "stay"
        if state.held is not None:
            wrong = corner_cell(state, "bottom-right")
            return fetch(state, [min(free, key=lambda cell: manhattan(cell, wrong))])
        drop = min(free, key=lambda cell: (manhattan(cell, corner), cell[1], cell[0]))
        if manhattan(drop, corner) > RADIUS:
            return "stay"
        loose = [cell for cell in state.cells_of("green") if manhattan(cell, corner) > RADIUS]
        return fetch(state, loose)
'''

COUNTING = """class Agent:
    def __init__(self):
        self.calls = 0

    def act(self, observation):
        self.calls += 1
        return ["up", "stay", "left"][self.calls % 3]
"""
"""Answers that depend on how often it was asked: right only if it runs every step."""


@pytest.fixture(scope="module")
def steps() -> list[Step]:
    agent = make_agent("construction", "green-to-corner")
    return list(rollout(SPEC, agent, steps=30, seed=1).steps)


def answers(sandbox: Sandbox, source: str, steps: list[Step]) -> list[str]:
    (result,) = sandbox.replay([source], [s.observation for s in steps], SPEC.action_names)
    assert result.error is None, result.error
    return [str(output) for output in result.outputs]


def test_a_program_that_cannot_live_in_a_function_is_not_embedded() -> None:
    assert embed("from math import *\nclass Agent:\n    pass\n") is None
    assert embed("class Agent(:\n") is None


@pytest.mark.parametrize("shape", ["patched by a rule", "in a ring"])
@pytest.mark.parametrize("source", [SLIPPED, COUNTING], ids=["slipped", "counting"])
def test_a_program_embedding_another_replays_as_the_search_reads_it(
    sandbox: Sandbox, steps: list[Step], shape: str, source: str
) -> None:
    skill = embed(source)
    assert isinstance(skill, Skill)
    column = answers(sandbox, source, steps)
    program = (
        Ring(
            (
                Mode(
                    skill,
                    (Rule(GUARDS["holding anything"], SKILLS["drop near the top-left corner"]),),
                ),
            )
        )
        if shape == "patched by a rule"
        else Ring((Mode(SKILLS["walk to blue"], exit=IDLE), Mode(skill, exit=IDLE)))
    )
    tables = Tables(VOCABULARY, [step.observation for step in steps], {skill: column})
    assert answers(sandbox, to_source(program, VOCABULARY), steps) == run(program, tables)


def test_the_synthesizer_refines_a_foreign_program_with_a_rule(
    sandbox: Sandbox, steps: list[Step]
) -> None:
    truth = [step.action for step in steps]
    foreign = Program(SLIPPED, origin="llm:test")
    assert answers(sandbox, SLIPPED, steps) != truth  # the slip shows in this history
    request = ProposalRequest(env=SPEC, history=steps, n=5, current=(foreign,))
    with SynthProposer(Budget(programs=3000)) as proposer:
        top = proposer.propose(request)[0]
    dsl = top.meta["dsl"]
    assert any(skill.embedded == SLIPPED for skill in dsl.skills()), dsl.describe()
    assert any(mode.rules for mode in dsl.modes), dsl.describe()
    assert answers(sandbox, top.source, steps) == truth


def test_a_held_refinement_of_a_program_no_longer_given_is_not_a_seed(
    steps: list[Step],
) -> None:
    """Its embedded program's answers are not replayed in this search, so it cannot be
    scored: the rejuvenation of a rote-library run (whose library programs are refined, then
    held while the library programs leave the particles) once failed on exactly this."""
    skill = embed(SLIPPED)
    assert skill is not None
    ring = Ring((Mode(skill),))
    held = Program(to_source(ring, VOCABULARY), "synth", meta={"dsl": ring})
    request = ProposalRequest(env=SPEC, history=steps, n=3, current=(held,))
    with SynthProposer(Budget(programs=300)) as proposer:
        found = proposer.propose(request)
    assert found and all(p.id != held.id for p in found)
