"""The Overcooked vocabulary: the search recovers a cook's decision list from what it did (the
contract every vocabulary keeps is in test_vocabularies.py)."""

from __future__ import annotations

from typing import Any

from rote import make_env
from rote.programs import Sandbox
from rote.proposers import ProposalRequest
from rote.proposers.synthesizer import Budget, SynthProposer
from rote.proposers.synthesizer.dsl import Mode, Ring, Rule, Tables, run
from rote.proposers.synthesizer.overcooked import OvercookedVocabulary
from rote.proposers.synthesizer.search import Search
from rote.trajectory import Step
from tests.envs.test_overcooked import kitchen

SPEC = make_env("overcooked", layout="asymmetric_advantages")
VOCABULARY = OvercookedVocabulary()
SKILLS = {skill.name: skill for skill in VOCABULARY.skills()}
GUARDS = {guard.name: guard for guard in VOCABULARY.guards()}

COOK = Ring(
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


def observations(n: int = 60) -> list[dict[str, Any]]:
    return [kitchen("asymmetric_advantages", seed) for seed in range(n)]


def test_staying_is_the_cheapest_skill() -> None:
    """People stay more than anything else; the prior should not charge it more than a move."""
    assert SKILLS["stay"].cost == min(skill.cost for skill in SKILLS.values())


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
