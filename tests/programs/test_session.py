"""Live programs: a session steps them one observation at a time, exactly as a replay would."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from typing import Any

import pytest

from rote import make_agent, make_env, rollout
from rote.agents import agent_source
from rote.agents.construction import AGENTS
from rote.programs import Limits, Sandbox
from rote.programs.sandbox import StepResult

from .processes import programs, programs_settle, table

ACTIONS = ["stay", "up", "down", "left", "right"]
LIMITS = Limits(call_seconds=0.5, replay_seconds=5.0, memory_mb=64)

CALLS = """
class Agent:
    def __init__(self):
        self.calls = 0

    def act(self, observation):
        self.calls += 1
        return ["stay", "up", "down", "left", "right"][(self.calls + observation["t"]) % 5]
"""
"""Depends on how often it was called as well as on what it saw: a second call is visible."""


def observations(n: int, offset: int = 0) -> list[dict[str, Any]]:
    return [{"t": t + offset} for t in range(n)]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(workers=2, limits=LIMITS) as box:
        yield box


def replayed(sandbox: Sandbox, program: str, seen: list[dict[str, Any]]) -> list[Any]:
    return sandbox.replay([program], seen, ACTIONS)[0].outputs


def test_stepping_equals_replaying(sandbox: Sandbox) -> None:
    spec = make_env("construction")
    steps = rollout(spec, make_agent("construction", "snake"), steps=40, seed=3).steps
    seen = [step.observation for step in steps]
    sources = {name: agent_source("construction", name) for name in AGENTS}
    with sandbox.session(spec.action_names) as session:
        for observation in seen[:10]:
            session.step(observation)
        joined = session.add(sources)
        live = [session.step(observation) for observation in seen[10:]]
    reference = sandbox.replay(list(sources.values()), seen, spec.action_names)
    for name, expected in zip(sources, reference, strict=True):
        assert joined[name].outputs == expected.outputs[:10]
        assert [step.outputs[name] for step in live] == expected.outputs[10:], name


def test_peek_then_step_of_the_same_observation_calls_each_program_once(
    sandbox: Sandbox,
) -> None:
    seen = observations(6)
    with sandbox.session(ACTIONS) as session:
        session.add({"calls": CALLS})
        for observation in seen:
            peeked = session.peek(observation)
            assert session.peek(observation) == peeked
            assert session.step(observation) == peeked
        assert (
            session.step({"t": 6}).outputs["calls"] == replayed(sandbox, CALLS, observations(7))[-1]
        )


def test_a_different_observation_after_a_peek_undoes_the_peek(sandbox: Sandbox) -> None:
    with sandbox.session(ACTIONS) as session:
        session.add({"calls": CALLS})
        session.step({"t": 0})
        session.peek({"t": 5})
        session.peek({"t": 7})
        taken = session.step({"t": 1})
        after = session.step({"t": 2})
    expected = replayed(sandbox, CALLS, observations(3))
    assert [taken.outputs["calls"], after.outputs["calls"]] == expected[1:]


def test_programs_added_later_replay_the_history_including_peeked_steps(
    sandbox: Sandbox,
) -> None:
    with sandbox.session(ACTIONS) as session:
        session.add({"early": CALLS})
        for observation in observations(4):
            session.peek(observation)
            session.step(observation)
        session.peek({"t": 4})  # not committed: a newcomer must not see it
        late = session.add({"late": CALLS + "# late\n"})
        assert late["late"].outputs == replayed(sandbox, CALLS, observations(4))
        both = session.step({"t": 4}).outputs
    assert both["early"] == both["late"]


def test_dropping_ends_a_programs_process(sandbox: Sandbox) -> None:
    before = programs()
    with sandbox.session(ACTIONS) as session:
        session.add({"a": CALLS, "b": CALLS + "# b\n"})
        assert len(programs() - before) == 2
        session.drop(["a"])
        # the worker reads the drop before the step, which it answers without "a"; the
        # process it ended may still be leaving the process table on a loaded machine
        assert set(session.step({"t": 0}).outputs) == {"b"}
        assert programs_settle(lambda running: len(running - before) == 1)
    # none of this session's programs is left; a program of an earlier test that was still
    # ending when the test began may end meanwhile, so "the same as before" is too strict
    assert programs_settle(lambda running: not running - before)


def test_a_time_bomb_fails_at_its_step_and_no_other(sandbox: Sandbox) -> None:
    bomb = CALLS.replace("self.calls += 1", "self.calls += 1\n        assert self.calls <= 500")
    results: list[StepResult] = []
    with sandbox.session(ACTIONS) as session:
        session.add({"bomb": bomb, "steady": CALLS})
        results = [session.step(observation) for observation in observations(520)]
    assert all(result.errors == {} for result in results[:500])
    assert results[500].errors == {"bomb": "step 500: AssertionError"}
    assert all(result.outputs["bomb"] is None for result in results[500:])
    assert all(result.errors == {} for result in results[501:])
    steady = replayed(sandbox, CALLS, observations(520))
    assert [result.outputs["steady"] for result in results] == steady


def test_memory_that_grows_across_calls_fails_that_program_only(sandbox: Sandbox) -> None:
    hoarder = CALLS.replace("self.calls = 0", "self.calls = 0\n        self.hoard = []")
    hoarder = hoarder.replace("+= 1", "+= 1\n        self.hoard.append(bytearray(8 * 2**20))")
    with sandbox.session(ACTIONS) as session:
        session.add({"hoarder": hoarder, "steady": CALLS})
        results = [session.step(observation) for observation in observations(30)]
    failures = [(t, result.errors) for t, result in enumerate(results) if result.errors]
    assert len(failures) == 1, failures
    t, errors = failures[0]
    assert errors == {"hoarder": f"step {t}: MemoryError"} and 2 < t < 12
    assert [result.outputs["steady"] for result in results] == replayed(
        sandbox, CALLS, observations(30)
    )


def test_a_program_whose_state_cannot_be_copied_keeps_running(sandbox: Sandbox) -> None:
    generator = """
def moves():
    while True:
        yield "up"
        yield "down"

class Agent:
    def __init__(self):
        self.moves = moves()

    def act(self, observation):
        return next(self.moves)
"""
    with sandbox.session(ACTIONS) as session:
        session.add({"generator": generator})
        outputs = [session.step(o).outputs["generator"] for o in observations(5)]
    assert outputs == ["up", "down", "up", "down", "up"]


def test_a_lost_worker_is_rebuilt_by_replay_and_counted() -> None:
    with Sandbox(workers=1, limits=LIMITS) as box, box.session(ACTIONS) as session:
        session.add({"calls": CALLS})
        before = [session.step(observation) for observation in observations(5)]
        (program,) = programs()
        host = table()[program].parent
        os.kill(host, signal.SIGKILL)
        after = [session.step(observation) for observation in observations(5, offset=5)]
        assert session.rebuilds == 1
        assert programs() and program not in programs()
    with Sandbox(workers=1) as box:
        expected = box.replay([CALLS], observations(10), ACTIONS)[0].outputs
    assert [step.outputs["calls"] for step in before + after] == expected
