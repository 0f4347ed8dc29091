"""Conventions: ties the skills break one way by default, which programs may set otherwise,
the prior charges once, the search fits, and the sandbox replays as the search scored."""

from __future__ import annotations

import math

import pytest

from rote.envs import make_env
from rote.programs import Sandbox
from rote.programs.program import Program
from rote.proposers.base import ProposalRequest
from rote.proposers.synthesizer import Budget, SynthProposer
from rote.proposers.synthesizer.construction import ConstructionVocabulary
from rote.proposers.synthesizer.dsl import IDLE, Convention, Mode, Ring, Tables, kind, run
from rote.proposers.synthesizer.emit import to_source
from rote.proposers.synthesizer.minigrid import CONVENTIONS as MINIGRID_CONVENTIONS
from rote.proposers.synthesizer.proposer import VARIANTS, _allotted
from rote.proposers.synthesizer.search import Plan, Scored, Search
from rote.proposers.synthesizer.terms import AXIS_ORDERS
from rote.rollout import rollout
from rote.skills.construction import parse, walk
from rote.skills.grid import ORDERS
from rote.trajectory import Step

SPEC = make_env("construction")
VOCABULARY = ConstructionVocabulary()
SKILLS = {skill.name: skill for skill in VOCABULARY.skills()}
CYCLE = ("green", "blue", "purple")


class ColourCycle:
    """Our colour-cycle family, walking by another move order."""

    def __init__(self, order: str) -> None:
        self.order = order
        self.target = 0

    def act(self, observation: dict[str, object]) -> str:
        state = parse(observation)
        for _ in CYCLE:
            colour = CYCLE[self.target]
            goals = state.cells_of(colour)
            if goals and state.blocks.get(state.agent) != colour:
                return walk(state, goals, self.order)
            self.target = (self.target + 1) % len(CYCLE)
        return "stay"


def history(order: str, seed: int, steps: int = 20) -> list[Step]:
    return list(rollout(SPEC, ColourCycle(order), steps=steps, seed=seed).steps)


def cycle(order: str | None = None) -> Ring:
    ring = Ring(tuple(Mode(SKILLS[f"walk to {colour}"], exit=IDLE) for colour in CYCLE))
    return ring if order is None else ring.with_convention("order", order)


def test_a_convention_is_in_the_code_and_charged_once_per_program() -> None:
    walk_green = SKILLS["walk to green"]
    assert walk_green.code == 'walk(state, state.cells_of("green"))'
    varied = walk_green.vary("order", "lrud") if walk_green.vary else None
    assert varied is not None and varied.code.endswith(', order="lrud")')
    assert varied.name == "walk to green (order lrud)"
    assert kind(varied.code) == kind(walk_green.code)
    assert varied.vary is not None and varied.vary("order", "udlr") == walk_green
    corner = SKILLS["drop near the top-left corner"]
    assert corner.vary is not None and corner.vary("order", "lrud").code.count("lrud") == 2
    (setting,) = {s for skill in cycle("lrud").skills() for s in skill.settings}
    # three skills keep the habit, the prior charges it once: one more nat than naming which
    assert cycle("lrud").cost - cycle().cost == setting.cost
    assert cycle("lrud").with_convention("order", "udlr") == cycle()


@pytest.mark.parametrize("convention", MINIGRID_CONVENTIONS, ids=lambda c: c.keyword)
def test_a_convention_prior_favours_the_default_then_the_common_and_sums_as_before(
    convention: Convention,
) -> None:
    """Naming a common value is shorter than a rare one, but the departures from the default
    share one nat's worth of mass however they are split: 1/e, beside the default's 1."""
    costs = {value: convention.cost(value) for value in convention.values}
    assert costs[convention.default] == 0.0
    assert sum(math.exp(-cost) for cost in costs.values()) == pytest.approx(1 + math.exp(-1))
    common = [c for v, c in costs.items() if v in convention.common and v != convention.default]
    rare = [c for v, c in costs.items() if v not in convention.common and v != convention.default]
    if common and rare:
        assert 0 < max(common) < min(rare)


def test_orders_by_axis_are_the_common_ones() -> None:
    assert {"udlr", "lrud", "rldu", "durl"} <= AXIS_ORDERS and len(AXIS_ORDERS) == 8
    assert not {"ulrd", "dlru", "uldr"} & AXIS_ORDERS


def test_the_default_wins_where_the_data_cannot_tell() -> None:
    steps = history("udlr", seed=1)
    tables = Tables(VOCABULARY, [step.observation for step in steps])
    actions = [step.action or "" for step in steps]
    search = Search(tables, actions, SPEC.action_names)
    for program in (cycle(), *(cycle(order) for order in ("udrl", "dulr"))):
        for skill in program.skills():
            tables.add(skill)
    default, *others = (search.score(p) for p in (cycle(), cycle("udrl"), cycle("dulr")))
    assert default.misses == 0 and all(other.score < default.score for other in others)


def test_the_search_fits_the_convention_of_a_plan_it_found() -> None:
    """An agent of ours but for the order it breaks ties by: the search finds the plan with our
    order, missing the ties, and the conventions phase fits the order."""
    steps = history("rdlu", seed=5)
    tables = Tables(VOCABULARY, [step.observation for step in steps])
    actions = [step.action or "" for step in steps]
    search = Search(tables, actions, SPEC.action_names, budget=Budget(programs=3000), seed=0)
    assert run(cycle(), tables) != actions
    search.run()
    best = search.best(1)[0]
    assert best.misses == 0, best.program.describe()
    assert {s.value for skill in best.program.skills() for s in skill.settings} == {"rdlu"}


def test_a_habit_of_walking_horizontally_first_is_found(sandbox: Sandbox) -> None:
    """Horizontally first, the agent's walks differ from ours at nearly every step, so the plan
    is found only by a search in that habit; its program replays in the sandbox as scored."""
    steps = history("lrud", seed=1, steps=30)
    observed = steps[:20]
    request = ProposalRequest(env=SPEC, history=tuple(observed), n=5, seed=0)
    with SynthProposer(Budget(programs=4000), sandbox=sandbox) as proposer:
        (best, *_) = proposer.propose(request)
    assert 'order="lrud"' in best.source, best.source
    observations = [step.observation for step in steps]
    (result,) = sandbox.replay([best.source], observations, SPEC.action_names)
    assert result.error is None, result.error
    assert result.outputs == [step.action for step in steps]  # ten steps it never saw, too
    assert result.outputs[:20] == run(best.meta["dsl"], Tables(VOCABULARY, observations[:20]))
    assert to_source(best.meta["dsl"], VOCABULARY) == best.source


def test_a_plan_holds_every_setting_that_acts_alike_and_no_other() -> None:
    """The settings the history cannot tell apart are one plan, each at its own prior; every
    order left out does something else on the history."""
    steps = history("rdlu", seed=5)
    tables = Tables(VOCABULARY, [step.observation for step in steps])
    actions = [step.action or "" for step in steps]
    search = Search(tables, actions, SPEC.action_names)
    plan = search.settings(search.score(cycle("rdlu")))
    outputs = run(cycle("rdlu"), tables)
    alike = {order for order in ORDERS if run(cycle(order), tables) == outputs}
    assert 1 < len(alike) < len(ORDERS)  # the history tells some orders apart, not all
    assert {variant.program for variant in plan.variants} == {cycle(order) for order in alike}
    assert all(variant.loglik == plan.variants[0].loglik for variant in plan.variants)
    assert [v.score for v in plan.variants] == sorted(
        (v.score for v in plan.variants), reverse=True
    )
    assert plan.score == pytest.approx(
        math.log(sum(math.exp(v.loglik - v.program.cost) for v in plan.variants))
    )


def test_the_proposer_gives_each_plan_the_weight_of_all_its_settings(sandbox: Sandbox) -> None:
    """Where a plan fits under more settings than it emits, those emitted carry the rest of the
    plan's prior, so the particles weigh the plan as the posterior does; where it emits them
    all, each keeps its own."""
    steps = history("rdlu", seed=0, steps=10)  # eight orders do what it does
    observations = [step.observation for step in steps]
    request = ProposalRequest(env=SPEC, history=tuple(steps), n=30, seed=0)
    with SynthProposer(Budget(programs=3000), sandbox=sandbox) as proposer:
        proposed = proposer.propose(request)
    tables = Tables(VOCABULARY, observations)
    by_plan: dict[tuple[str, ...], list[Program]] = {}
    for program in proposed:
        ring = program.meta["dsl"]
        for skill in ring.skills():
            tables.add(skill)
        default = ring.with_convention("order", "udlr")
        by_plan.setdefault((default.describe(), *run(ring, tables)), []).append(program)
    checked = 0
    for (_, *outputs), emitted in by_plan.items():
        ring = emitted[0].meta["dsl"]
        alike = [
            p
            for p in (ring.with_convention("order", o) for o in ORDERS)
            if run(p, tables) == outputs
        ]
        assert 1 <= len(emitted) <= min(len(alike), VARIANTS)
        mass = sum(math.exp(program.log_prior) for program in emitted)
        assert mass == pytest.approx(sum(math.exp(-p.cost) for p in alike))
        checked += 1 < len(emitted) < len(alike)
    assert checked  # some plan emits several settings and carries the rest


def test_particles_go_to_a_plan_by_its_weight() -> None:
    """A plan the posterior is sure of gets a particle per setting, up to `VARIANTS`; the rest
    one each, however unlikely, so an unsure posterior keeps many plans."""

    def plan(score: float, settings: int) -> Plan:
        return Plan(tuple(Scored(score, score, cycle(), 0) for _ in range(settings)))

    sure = [plan(0.0, 24), plan(-9.0, 24), plan(-9.0, 2)]
    assert _allotted(sure, 30) == [VARIANTS, 1, 1]
    unsure = [plan(0.0, 3), *(plan(-0.1, 24) for _ in range(40))]
    assert _allotted(unsure, 30) == [1] * 41
    assert _allotted([plan(0.0, 3)], 30) == [3]
