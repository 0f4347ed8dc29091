"""The Overcooked vocabulary: the search recovers a cook's decision list from what it did (the
contract every vocabulary keeps is in test_vocabularies.py)."""

from __future__ import annotations

import copy
from typing import Any

from rote import make_env
from rote.programs import Sandbox
from rote.proposers import ProposalRequest
from rote.proposers.synthesizer import Budget, SynthProposer
from rote.proposers.synthesizer.dsl import Answers, Mode, Ring, Rule, Tables, run
from rote.proposers.synthesizer.emit import to_source
from rote.proposers.synthesizer.overcooked import OvercookedVocabulary
from rote.proposers.synthesizer.search import Search
from rote.skills.grid import MOVES, step_cell
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


def walked(
    steps: int, seed: int, errand: str = "go to an onion dispenser"
) -> tuple[list[dict[str, Any]], list[str]]:
    """A cook who, whenever its last key did something, presses the same way again, and else
    runs the errand, with the kitchen moving as Overcooked's does (a move turns, then steps
    onto free floor; an interact changes nothing here) and each observation carrying the key
    pressed at the tick before; every 12 steps the kitchen is drawn afresh."""
    heading = Ring(
        (Mode(SKILLS[errand], (Rule(GUARDS["moved last tick"], SKILLS["keep heading"]),)),)
    )
    seen: list[dict[str, Any]] = []
    actions: list[str] = []
    for t in range(steps):
        if t % 12 == 0:
            observation = kitchen("asymmetric_advantages", seed + t)
        else:
            observation = copy.deepcopy(seen[-1])
            me = observation["player"]
            if actions[-1] in MOVES:
                me["facing"] = actions[-1]
                x, y = step_cell(tuple(me["pos"]), actions[-1])
                if observation["layout"][y][x] == " " and [x, y] != observation["partner"]["pos"]:
                    me["pos"] = [x, y]
        if t > 0:
            observation["player"]["last_action"] = actions[-1]
        seen.append(observation)
        actions.append(run(heading, Tables(VOCABULARY, seen))[-1])
    return seen, actions


def test_a_cook_who_keeps_heading_after_a_move_is_found_and_replays(sandbox: Sandbox) -> None:
    """The guard reads the previous observation: the search tabulates each step after the one
    before it, and the emitted program remembers the last observation, so the sandbox replays
    what the search scored."""
    seen, actions = walked(48, seed=3)
    moved = Tables(VOCABULARY, seen).truth[GUARDS["moved last tick"]]
    assert 0 < sum(moved) < len(moved) - 1 and not moved[0]
    assert sum(a != "stay" and m for a, m in zip(actions, moved, strict=True)) >= 5
    search = Search(
        Tables(VOCABULARY, seen), actions, SPEC.action_names, budget=Budget(programs=3000), seed=0
    )
    search.run()
    best = search.best(1)[0].program
    assert run(best, Tables(VOCABULARY, seen)) == actions
    assert "moved last tick" in best.describe()
    source = to_source(best, VOCABULARY)
    assert "parse(observation, self.previous)" in source
    assert sandbox.replay([source], seen, SPEC.action_names)[0].outputs == actions


def test_each_last_tick_guard_replays_in_the_sandbox_as_the_search_runs_it(
    sandbox: Sandbox,
) -> None:
    """A step, a turn only, either, a key that changed nothing, an interact: each guard on
    the tick before holds at some steps of a walk and not at others, and the emitted program
    says the same there as the tables."""
    seen, _ = walked(48, seed=3, errand="use an onion dispenser")
    tables = Tables(VOCABULARY, seen)
    names = ("moved last tick", "stepped last tick", "only turned last tick")
    names += ("bumped last tick", "interacted last tick")
    programs = []
    for name in names:
        assert 0 < sum(tables.truth[GUARDS[name]]) < len(seen), name
        rule = Rule(GUARDS[name], SKILLS["interact"])
        programs.append(Ring((Mode(SKILLS["go to an onion dispenser"], (rule,)),)))
    sources = [to_source(program, VOCABULARY) for program in programs]
    results = sandbox.replay(sources, seen, SPEC.action_names)
    for program, result in zip(programs, results, strict=True):
        assert result.error is None, result.error
        assert result.outputs == run(program, tables)


def test_tables_remembered_answer_a_step_by_the_one_before_it() -> None:
    """The same observation after a different one is a different row: a cache keyed on the
    observation alone would carry one step's `moved` into another."""
    seen, _ = walked(30, seed=5)
    answers = Answers()
    Tables(VOCABULARY, seen, answers=answers)
    shuffled = seen[::-1]
    assert Tables(VOCABULARY, shuffled, answers=answers).truth == Tables(VOCABULARY, shuffled).truth
