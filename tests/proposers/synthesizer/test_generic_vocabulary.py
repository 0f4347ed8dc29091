"""The generic vocabulary on an env that brings none: a threshold rule on a numeric field is found
as a threshold, so it predicts values never seen (issue 18, item 13)."""

from __future__ import annotations

import random
import re

from rote import ROTE, EnvSpec
from rote.evaluation.protocols import accuracy, predict_trajectory
from rote.observation import Observation
from rote.programs import Sandbox
from rote.proposers import ProposalRequest
from rote.proposers.synthesizer import Budget, SynthProposer
from rote.proposers.synthesizer.dsl import Tables, run
from rote.proposers.synthesizer.generic import MAX_THRESHOLDS, GenericVocabulary, _thresholds
from rote.trajectory import Step


class Thermostat(EnvSpec):
    """A replay-only toy: the room's temperature and the hour; heat or cool."""

    id = "thermostat"

    def __init__(self) -> None:
        super().__init__(
            action_names=("heat", "cool"),
            rules="Keep the room comfortable.",
            observation_schema={"type": "object"},
            kwargs={},
        )

    def render_text(self, observation: Observation) -> str:
        return str(observation)


SPEC = Thermostat()


def thermostat(temperatures: list[int]) -> list[Step]:
    """A person who heats below 20 degrees and cools from 20 up."""
    return [
        Step({"hour": hour % 24, "temp": temp}, "heat" if temp < 20 else "cool")
        for hour, temp in enumerate(temperatures)
    ]


def test_a_threshold_rule_predicts_temperatures_never_seen() -> None:
    rng = random.Random(0)
    seen = [rng.choice([14, 16, 17, 19, 20, 22, 23, 25]) for _ in range(30)]
    unseen = [rng.choice([3, 8, 11, 13, 26, 29, 31, 35]) for _ in range(30)]
    steps = thermostat(seen + unseen)
    with ROTE(SPEC, SynthProposer(Budget(programs=3000)), n_particles=10, seed=0) as model:
        predictions = predict_trajectory(model, steps, len(seen), "frozen").predictions
        best = model.programs(1)[0].source
    assert accuracy(predictions) == 1.0
    assert re.search(r"state\['temp'\] (<=|>) 19\b", best), best


def test_threshold_guards_replay_in_the_sandbox_as_the_search_runs_them(sandbox: Sandbox) -> None:
    steps = thermostat([14, 16, 17, 19, 20, 22, 23, 25] * 3)
    request = ProposalRequest(env=SPEC, history=steps, n=10, seed=0)
    programs = SynthProposer(Budget(programs=1500), sandbox=sandbox).propose(request)
    observations = [step.observation for step in steps]
    results = sandbox.replay([p.source for p in programs], observations, SPEC.action_names)
    tables = Tables(GenericVocabulary(SPEC), observations)
    for program, result in zip(programs, results, strict=True):
        assert result.error is None, result.error
        assert result.outputs == run(program.meta["dsl"], tables)


def test_a_field_with_many_values_gets_thresholds_spread_over_them() -> None:
    thresholds = _thresholds([float(v) for v in range(1000)])
    assert len(thresholds) == MAX_THRESHOLDS
    assert thresholds[0] == 0 and thresholds[-1] > 900
    assert _thresholds([3.0, 1.0, 3.0, 2.0]) == [1.0, 2.0]  # the largest bounds nothing above
