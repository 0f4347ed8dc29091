"""The Overcooked vocabulary: its programs replay in the sandbox exactly as the search runs them,
and the search recovers a cook's decision list from what it did."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from rote import make_env
from rote.programs import Sandbox
from rote.proposers import ProposalRequest
from rote.proposers.synthesizer import Budget, SynthProposer, vocabulary_for
from rote.proposers.synthesizer.dsl import IDLE, Exit, Mode, Program, Rule, Tables, run
from rote.proposers.synthesizer.emit import to_source
from rote.proposers.synthesizer.overcooked import OvercookedVocabulary
from rote.proposers.synthesizer.search import Search
from rote.trajectory import Step
from tests.envs.test_overcooked import kitchen

SPEC = make_env("overcooked", layout="asymmetric_advantages")
VOCABULARY = OvercookedVocabulary()
SKILLS = {skill.name: skill for skill in VOCABULARY.skills()}
GUARDS = {guard.name: guard for guard in VOCABULARY.guards()}

COOK = Program(
    (
        Mode(
            SKILLS["use an onion dispenser"],
            rules=(
                Rule(GUARDS["holding soup"], SKILLS["use a serving counter"]),
                Rule(GUARDS["holding dish"], SKILLS["use a ready pot"]),
                Rule(GUARDS["holding onion"], SKILLS["use a pot with room"]),
                Rule(GUARDS["a pot is ready"], SKILLS["use a dish dispenser"]),
            ),
        ),
    )
)
PROGRAMS = {
    "cook": COOK,
    "waiter": Program(
        (
            Mode(
                SKILLS["stay"],
                rules=(Rule(GUARDS["partner next to me"], SKILLS["move left"]),),
                exit=Exit("after", steps=3),
            ),
            Mode(SKILLS["go to a dish dispenser"], exit=IDLE),
            Mode(SKILLS["interact"], exit=Exit("guard", GUARDS["not facing a counter"])),
        )
    ),
}


def observations(n: int = 60) -> list[dict[str, Any]]:
    return [kitchen("asymmetric_advantages", seed) for seed in range(n)]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(workers=1) as box:
        yield box


def test_the_registry_gives_overcooked_its_vocabulary() -> None:
    assert isinstance(vocabulary_for(SPEC), OvercookedVocabulary)
    assert SKILLS["stay"].cost == min(skill.cost for skill in SKILLS.values())


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_emitted_source_replays_in_the_sandbox_as_the_dsl_runs(sandbox: Sandbox, name: str) -> None:
    program = PROGRAMS[name]
    seen = observations()
    (result,) = sandbox.replay([to_source(program, VOCABULARY)], seen, SPEC.action_names)
    assert result.error is None, result.error
    expected = run(program, Tables(VOCABULARY, seen))
    assert result.outputs == expected
    assert len(set(expected)) >= 3  # the kitchens differ enough to exercise the rules


def test_the_search_recovers_a_cook_and_its_programs_replay(sandbox: Sandbox) -> None:
    seen = observations()
    actions = run(COOK, Tables(VOCABULARY, seen))
    search = Search(
        Tables(VOCABULARY, seen), actions, SPEC.action_names, budget=Budget(programs=4000), seed=0
    )
    search.run()
    best = search.best(1)[0].program
    found = run(best, Tables(VOCABULARY, seen))
    assert sum(a == b for a, b in zip(found, actions, strict=True)) >= 0.95 * len(actions)
    assert len(best.modes[0].rules) >= 3  # no one errand explains a cook: it needs the list
    assert "holding" in best.describe()
    steps = [Step(o, a) for o, a in zip(seen, actions, strict=True)]
    request = ProposalRequest(env=SPEC, history=steps, n=8, seed=1)
    with SynthProposer(Budget(programs=2000), sandbox=sandbox) as proposer:
        programs = proposer.propose(request)
    assert programs
    results = sandbox.replay([p.source for p in programs], seen, SPEC.action_names)
    tables = Tables(VOCABULARY, seen)
    for program, result in zip(programs, results, strict=True):
        assert result.error is None, result.error
        assert result.outputs == run(program.meta["dsl"], tables)
