"""LibraryProposer: the library's programs first, new ones unless exactly one fits."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from rote.agents import agent_source, make_agent
from rote.envs import make_env
from rote.errors import RoteError
from rote.inference.likelihood import NoiseModel
from rote.library import Library, LibraryProgram, PopulationNoise
from rote.model import ROTE
from rote.programs.program import Program
from rote.proposers import Budget, ListProposer, ProposalRequest, SynthProposer
from rote.proposers.library import LibraryProposer
from rote.rollout import rollout
from rote.trajectory import Step

ENV = make_env("construction")
LEFT = agent_source("construction", "left-right")
UP = agent_source("construction", "up-down")
SNAKE = agent_source("construction", "snake")


def library() -> Library:
    return Library(
        "construction",
        (LibraryProgram(LEFT, 3.0), LibraryProgram(UP, 1.0)),
        dict(ENV.kwargs),
        concentration=1.0,
    )


def history(family: str, steps: int = 12) -> list[Step]:
    agent = make_agent("construction", family, action_names=ENV.action_names)
    return rollout(ENV, agent, steps=steps, seed=3).steps


def request(family: str) -> ProposalRequest:
    return ProposalRequest(ENV, history(family), n=10)


def test_a_library_program_that_fits_means_no_search() -> None:
    novel = ListProposer([SNAKE])
    with LibraryProposer(library(), novel) as proposer:
        programs = proposer.propose(request("up-down"))
    assert [p.source for p in programs] == [UP, LEFT]  # the fitting one first
    assert programs[0].log_prior == pytest.approx(math.log(1 / 5))
    assert programs[0].origin.startswith("library:")
    assert novel.usage.calls == 0


def test_without_a_fit_new_programs_pay_for_leaving_the_library() -> None:
    novel = ListProposer([SNAKE])
    with LibraryProposer(library(), novel) as proposer:
        programs = proposer.propose(request("snake"))
    assert novel.usage.calls == 1
    assert programs[0].source == SNAKE  # it fits, so it outranks the library's
    assert programs[0].log_prior == pytest.approx(math.log(1 / 5))
    assert {p.source for p in programs} == {SNAKE, LEFT, UP}


STAY = "class Agent:\n    def act(self, observation):\n        return 'stay'\n"
WAIT = (  # stays for 40 steps, then walks: another explanation of an agent seen staying
    "class Agent:\n    def __init__(self):\n        self.t = 0\n"
    "    def act(self, observation):\n        self.t += 1\n"
    "        return 'stay' if self.t <= 40 else 'left'\n"
)


def test_when_several_library_programs_fit_new_ones_are_sought_too() -> None:
    waiting = Library(
        "construction", (LibraryProgram(WAIT, 3.0), LibraryProgram(LEFT, 1.0)), dict(ENV.kwargs)
    )
    stays = [Step(step.observation, "stay") for step in history("left-right")]
    novel = ListProposer([STAY])
    with LibraryProposer(waiting, novel) as proposer:
        proposer.propose(ProposalRequest(ENV, stays, n=10))
    assert novel.usage.calls == 0  # one library program fits: nothing else is asked for
    again = LibraryProgram(WAIT + "\n", 1.0)  # another source of the same waiting
    twice = Library("construction", (*waiting.programs, again), dict(ENV.kwargs))
    with LibraryProposer(twice, novel) as proposer:
        programs = proposer.propose(ProposalRequest(ENV, stays, n=10))
    assert novel.usage.calls == 1  # two fit and the history cannot tell them apart
    assert STAY in [p.source for p in programs]


def test_new_programs_pay_for_leaving_the_library_on_their_proposer_s_scale() -> None:
    lengths = [3.0, 5.0, 8.0]
    written = [
        Program(f"# {i}\n" + SNAKE, "synth", log_prior=-cost) for i, cost in enumerate(lengths)
    ]
    # a description length is set against the library's shares as it is
    with LibraryProposer(library(), SynthProposer(Budget(programs=10))) as proposer:
        kept = [p.log_prior for p in proposer._leaving(written)]
    assert kept == pytest.approx([math.log(1 / 5) - cost for cost in lengths])
    # relative priors (an LLM's samples, a list's programs: 0 each) share the mass
    with LibraryProposer(library(), ListProposer([SNAKE])) as proposer:
        shared = [p.log_prior for p in proposer._leaving(written)]
    assert math.fsum(math.exp(p) for p in shared) == pytest.approx(1 / 5)  # alpha / (N + alpha)
    assert shared[0] - shared[1] == pytest.approx(2.0)  # and keep their differences


def test_programs_the_particles_hold_are_not_proposed_again() -> None:
    with LibraryProposer(library()) as proposer:
        held = proposer.programs[:1]
        programs = proposer.propose(request("left-right")._replace(current=tuple(held)))
    assert [p.source for p in programs] == [UP]


def test_a_library_of_another_env_is_refused() -> None:
    game = make_env("repeated-game")
    other = ProposalRequest(game, [Step({"round": 0}, "C")], n=3)
    with LibraryProposer(library()) as proposer, pytest.raises(RoteError, match="of env"):
        proposer.propose(other)


def test_rote_with_a_library_predicts_by_the_program_that_explains_the_agent() -> None:
    steps = history("left-right", steps=14)
    with ROTE(ENV, library=library(), n_particles=5) as model:
        for step in steps[:12]:
            assert step.action is not None
            model.observe(step.observation, step.action)
        predicted = model.predict(steps[12].observation)
        top = model.programs(k=1)[0]
    assert max(predicted, key=predicted.__getitem__) == steps[12].action
    assert top.source == LEFT and top.origin.startswith("library:")
    assert model.proposer.usage.calls == 1


def test_a_proposer_given_to_rote_with_a_library_stays_the_callers() -> None:
    steps = history("snake", steps=8)
    with SynthProposer(Budget(programs=200)) as synth:
        with ROTE(ENV, synth, library=library(), n_particles=3) as model:
            for step in steps:
                assert step.action is not None
                model.observe(step.observation, step.action)
            model.infer()
        assert synth.usage.calls == 1  # snake fits no library program: the search ran
        assert synth.propose(ProposalRequest(ENV, steps, n=1))  # and its sandbox still works


def test_rote_with_a_library_expects_its_population_s_pauses() -> None:
    grid = NoiseModel(idle="stay")
    rates = [grid.rate(bucket) for bucket in range(grid.n_buckets)]
    half = np.logical_and.reduce([rate == 0.45 for rate in rates]) & (grid.eps == 0.02)
    pausing = replace(library(), noise=PopulationNoise(grid, tuple(half / half.sum())))
    pausing = pausing.with_concentration(0.1)  # a population of agents alike
    steps = history("left-right", steps=6)
    stay = {}
    for name, given, noise in [
        ("pausing", pausing, None),
        ("steady", library(), None),
        ("told", pausing, NoiseModel()),
    ]:
        with ROTE(ENV, library=given, n_particles=5, noise=noise) as model:
            for step in steps[:4]:
                assert step.action is not None
                model.observe(step.observation, step.action)
            stay[name] = model.predict(steps[4].observation)["stay"]
            assert model.noise == (
                pausing.noise_model() if name == "pausing" else NoiseModel(idle="stay")
            )
    # four moves in a row do not yet outweigh that these agents act on half the ticks (twelve
    # would: 0.45 ** 12 against the tenth of an agent's weight a steady tempo keeps)
    assert stay["pausing"] > 0.3 > 0.1 > stay["steady"] == stay["told"]
    with pytest.raises(RoteError, match="of env"):
        ROTE("repeated-game", library=library())
