"""The ROTE model through the real sandbox: inference, frozen and online prediction, records."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np
import pytest

from rote.agents import make_agent
from rote.envs import make_env
from rote.errors import RoteError
from rote.evaluation.protocols import accuracy, predict_trajectory
from rote.inference.ess import logsumexp
from rote.inference.likelihood import NoiseModel, log_marginal, step_log_likelihood
from rote.model import ROTE
from rote.programs import Limits, Sandbox
from rote.programs.program import Program
from rote.proposers import ListProposer, ProposalRequest, Proposer
from rote.rollout import rollout
from rote.trajectory import Step
from tests.programs_corpus import ACTIONS, always, bounce, decoys


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(limits=Limits(call_seconds=0.5, replay_seconds=5.0)) as box:
        yield box


def episode(agent: str, seed: int = 0, steps: int = 30) -> list[Step]:
    spec = make_env("construction")
    return rollout(spec, make_agent("construction", agent), steps=steps, seed=seed).steps


CORPUS = [bounce(d) for d in ("left", "right", "up", "down")] + decoys()


@pytest.mark.parametrize(("agent", "seed"), [("left-right", 0), ("left-right", 1), ("up-down", 2)])
def test_true_program_among_decoys_predicts_perfectly(
    sandbox: Sandbox, agent: str, seed: int
) -> None:
    proposer = ListProposer(CORPUS)
    with ROTE("construction", proposer, n_particles=len(CORPUS), sandbox=sandbox) as model:
        predictions = predict_trajectory(model, episode(agent, seed), 10, "frozen").predictions
        assert accuracy(predictions) == 1.0
        top = model.programs(k=1)[0]
        assert top.source in (bounce("left"), bounce("up"), bounce("right"), bounce("down"))
    assert proposer.usage.calls == 1  # frozen prediction never calls the proposer


class Batches(Proposer):
    """Hands out one batch of sources per call, then nothing."""

    name = "batches"

    def __init__(self, batches: Sequence[Sequence[str]]) -> None:
        super().__init__()
        self.batches = [list(batch) for batch in batches]
        self.requests: list[ProposalRequest] = []

    def _propose(self, request: ProposalRequest) -> list[Program]:
        self.requests.append(request)
        batch = self.batches.pop(0) if self.batches else []
        return [Program(source, origin=self.name) for source in batch]


def test_online_rejuvenates_when_no_program_explains_the_agent(sandbox: Sandbox) -> None:
    wrong = [always("stay"), always("interact")]
    proposer = Batches([wrong, [bounce("left")]])
    steps = episode("left-right", seed=0)
    with ROTE("construction", proposer, n_particles=4, sandbox=sandbox, window=3) as model:
        predictions = predict_trajectory(model, steps, 2, "online").predictions
        rejuvenations = [record for record in model.records if record.rejuvenated]
        assert rejuvenations and rejuvenations[0].proposals == 1
        assert {p.id for p in proposer.requests[1].failing} <= {Program(s, "x").id for s in wrong}
        assert model.programs(k=1)[0].source == bounce("left")
        assert np.mean([p.distribution[p.actual] > 0.5 for p in predictions[-10:]]) == 1.0
    for record in model.records:
        assert np.isclose(logsumexp(record.log_weights), 0.0)
        assert 1.0 - 1e-9 <= record.ess <= len(record.log_weights) + 1e-9


@pytest.mark.parametrize("surprise", [0.05, 0.0])
def test_online_rejuvenates_at_once_when_a_fitting_program_is_plainly_wrong(
    sandbox: Sandbox, surprise: float
) -> None:
    """A pacer walks one way for several steps, then turns: "always that way" fitted every step
    so far, so the turn had almost no probability. With `surprise`, that step rejuvenates; the
    window rule alone waits for more misses, predicting the old way meanwhile."""
    steps = episode("left-right", seed=0)
    turn = next(t for t, step in enumerate(steps) if step.action != steps[0].action)
    assert turn >= 4
    proposer = Batches([[always(steps[0].action or "")], [bounce("left"), bounce("right")]])
    with ROTE(
        "construction", proposer, n_particles=2, sandbox=sandbox, window=5, surprise=surprise
    ) as model:
        predict_trajectory(model, steps[: turn + 1], 2, "online")
        assert model.records[-1].t == turn
        assert model.records[-1].rejuvenated == (surprise > 0)


def test_surprise_must_be_a_probability_below_one() -> None:
    with pytest.raises(RoteError, match="surprise"):
        ROTE("construction", Batches([]), surprise=1.0)


def test_after_rejuvenation_weights_equal_an_independent_full_replay(sandbox: Sandbox) -> None:
    proposer = Batches([[always("stay"), always("up")], [bounce("left"), bounce("right")]])
    steps = episode("left-right", seed=3)
    checked = 0
    with ROTE("construction", proposer, n_particles=4, sandbox=sandbox, window=3) as model:
        model.observe(steps[0].observation, steps[0].action)  # type: ignore[arg-type]
        model.infer()
        for step in steps[1:15]:
            model.observe(step.observation, step.action)  # type: ignore[arg-type]
            if not model.records[-1].rejuvenated:
                continue
            assert model.particles is not None
            sources = [program.source for program in model.particles.programs]
            results = sandbox.replay(sources, [s.observation for s in model.history], ACTIONS)
            loglik = np.zeros((len(sources), model.noise.size))
            for t, past in enumerate(model.history):
                loglik += np.stack(
                    [
                        step_log_likelihood(r.outputs[t], past.action, ACTIONS, model.noise)
                        for r in results
                    ]  # type: ignore[arg-type]
                )
            expected = log_marginal(loglik, model.noise.log_prior)
            assert np.allclose(model.particles.log_weights, expected - logsumexp(expected))
            checked += 1
    assert checked >= 1


def test_failures_are_recorded_and_scored_as_misses(sandbox: Sandbox) -> None:
    crashes_at_3 = (
        "class Agent:\n"
        "    def __init__(self):\n"
        "        self.t = 0\n"
        "    def act(self, o):\n"
        "        self.t += 1\n"
        "        return 'left' if self.t < 4 else 1 / 0\n"
    )
    proposer = ListProposer([crashes_at_3, bounce("left")])
    steps = episode("left-right", seed=0)
    with ROTE("construction", proposer, n_particles=2, sandbox=sandbox) as model:
        model.observe(steps[0].observation, steps[0].action)  # type: ignore[arg-type]
        model.infer()
        for step in steps[1:6]:
            model.observe(step.observation, step.action)  # type: ignore[arg-type]
        failures = [f for record in model.records for f in record.failures]
        assert len(failures) == 1
        assert "ZeroDivisionError" in failures[0][1]
        assert model.programs(k=1)[0].source == bounce("left")


def test_bad_input_is_a_one_line_rote_error(sandbox: Sandbox) -> None:
    steps = episode("left-right")
    with ROTE("construction", ListProposer([always("up")]), sandbox=sandbox) as model:
        with pytest.raises(RoteError, match='action "jump" is not one of'):
            model.observe(steps[0].observation, "jump")
        with pytest.raises(RoteError, match=r"observation\.agent"):
            model.observe({**steps[0].observation, "agent": [9, 9]}, "up")
        with pytest.raises(RoteError, match="--observe must be between 1 and 29"):
            predict_trajectory(model, steps, 30, "frozen")
    with pytest.raises(RoteError, match="n_particles"):
        ROTE("construction", ListProposer([always("up")]), n_particles=0, sandbox=sandbox)


@pytest.mark.parametrize(("steady", "winner"), [(None, 0), (1.0, 1)])
def test_a_program_the_agent_pauses_in_wins_with_the_tempo_layer(
    sandbox: Sandbox, steady: float | None, winner: int
) -> None:
    """A left-right pacer that pauses on 12 of 20 ticks, as people do between key presses:
    with the tempo layer its program explains it (it is right whenever the agent acts); with
    the paper's model alone (rate 1), "always stay" is wrong less often and wins."""
    steps = episode("left-right", steps=21)
    paused = [
        replace(step, action="stay") if t % 5 in (1, 2, 4) else step for t, step in enumerate(steps)
    ]
    assert sum(step.action == "stay" for step in paused[:20]) == 12
    assert all(step.action != "stay" for step in steps)  # the pacer itself never stays
    programs = [bounce("left"), always("stay")]
    noise = None if steady is None else NoiseModel(steady=steady)
    with ROTE(
        "construction", ListProposer(programs), n_particles=2, sandbox=sandbox, noise=noise
    ) as model:
        for step in paused[:20]:
            model.observe(step.observation, step.action)  # type: ignore[arg-type]
        model.infer()
        held = model.programs(k=None)
        assert held[0].source == programs[winner]
        distribution = model.predict(paused[20].observation)
    if steady is None:  # with stay set aside, the pacer's next move is the prediction
        moves = {a: p for a, p in distribution.items() if a != "stay"}
        assert max(moves, key=moves.__getitem__) == steps[20].action


def test_when_the_agent_acts_depends_on_how_long_it_has_idled(sandbox: Sandbox) -> None:
    """A pacer that stays right after each move and moves after one idle tick: the model
    learns a rate per bucket of idle ticks, so it predicts a pause right after a move and the
    move right after a pause, from the actions it saw alone."""
    steps = episode("left-right", steps=31)
    paused = [replace(step, action="stay") if t % 2 else step for t, step in enumerate(steps)]
    with ROTE(
        "construction", ListProposer([bounce("left")]), n_particles=1, sandbox=sandbox
    ) as model:
        for step in paused[:29]:  # the last one seen is a move
            model.observe(step.observation, step.action)  # type: ignore[arg-type]
        after_move = model.predict(paused[29].observation)
        model.observe(paused[29].observation, "stay")
        after_pause = model.predict(paused[30].observation)
        rates = model.programs(1)[0].acting_rates
    assert rates is not None and rates["0"] < 0.2 < 0.8 < rates["1-3"]
    assert after_move["stay"] > 0.8
    assert max(after_pause, key=after_pause.__getitem__) == steps[30].action
    assert after_pause["stay"] < 0.2
