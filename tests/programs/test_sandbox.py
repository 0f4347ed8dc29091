"""The sandbox: faithful replays of well-behaved programs, and containment of hostile ones."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from rote.programs import Limits, ReplayResult, Sandbox

from . import hostile
from .attacks import Targets, planted
from .hostile import ACTIONS, LIMITS, OBSERVATIONS, STEADY, STEADY_OUTPUTS, acting, constant
from .processes import alive, descendants, limits_of, programs, programs_settle


def sandbox_dirs(root: Path) -> list[Path]:
    return sorted(root.glob("rote-sandbox-*"))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Sandbox directories go here, so the tests can see them come and go."""
    root = tmp_path_factory.mktemp("sandboxes")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(root))
        yield root


@pytest.fixture(scope="module")
def sandbox(workdir: Path) -> Iterator[Sandbox]:
    """One sandbox shared by the module; on teardown nothing of it may be left behind."""
    box = Sandbox(workers=2, limits=LIMITS)
    yield box
    box.close()
    assert descendants() == set()
    assert sandbox_dirs(workdir) == []


def replay_one(sandbox: Sandbox, source: str) -> ReplayResult:
    return sandbox.replay([source], OBSERVATIONS, ACTIONS)[0]


def assert_failed(result: ReplayResult, at: int, error: str) -> None:
    assert result.failed_at == at
    assert result.error is not None and error in result.error, result.error
    assert "\n" not in result.error
    assert result.outputs[at:] == [None] * (len(OBSERVATIONS) - at)


# Faithful replays


def test_a_stateful_program_replays_step_by_step(sandbox: Sandbox) -> None:
    assert replay_one(sandbox, STEADY) == ReplayResult(STEADY_OUTPUTS, None, None)


def test_a_batch_comes_back_in_input_order(sandbox: Sandbox) -> None:
    sources = [constant(action) for action in ACTIONS] + [STEADY]
    results = sandbox.replay(sources, OBSERVATIONS, ACTIONS)
    assert [result.outputs for result in results] == [
        *([action] * len(OBSERVATIONS) for action in ACTIONS),
        STEADY_OUTPUTS,
    ]


def test_str_and_dict_subclasses_are_read_as_plain_values(sandbox: Sandbox) -> None:
    header = "import collections, enum\nclass Move(str, enum.Enum):\n    UP = 'up'"
    enum_member = acting("return Move.UP", header=header)
    counter = acting("return collections.Counter({Move.UP: 1, 'down': 1})", header=header)
    results = sandbox.replay([enum_member, counter], OBSERVATIONS, ACTIONS)
    assert results == [
        ReplayResult(["up"] * len(OBSERVATIONS), None, None),
        ReplayResult([{"up": 0.5, "down": 0.5}] * len(OBSERVATIONS), None, None),
    ]
    assert all(type(output) is str for output in results[0].outputs)


def test_distributions_are_normalised(sandbox: Sandbox) -> None:
    source = constant("stay").replace("'stay'", "{'up': 1, 'down': 3.0, 'left': 0}")
    result = replay_one(sandbox, source)
    assert result.error is None
    assert result.outputs == [{"up": 0.25, "down": 0.75, "left": 0.0}] * len(OBSERVATIONS)


def test_observations_are_fresh_copies_for_every_call() -> None:
    mutator = acting("observation['agent'].append(99)\nobservation['t'] = -1")
    reader = acting("assert observation['agent'] == [observation['t'], 0], observation")
    with Sandbox(workers=1, limits=LIMITS) as box:
        results = box.replay([mutator, reader, mutator, reader], OBSERVATIONS, ACTIONS)
    assert [result.error for result in results] == [None] * 4


def test_observations_and_programs_may_be_empty(sandbox: Sandbox) -> None:
    assert sandbox.replay([], OBSERVATIONS, ACTIONS) == []
    assert sandbox.replay([STEADY], [], ACTIONS) == [ReplayResult([], None, None)]


def test_replays_are_deterministic(sandbox: Sandbox) -> None:
    seeded = acting(
        "return random.choice(['up', 'down', 'left', 'right'])",
        header="import random\nfrom random import random as uniform",
    )
    own_generator = acting(
        "return self.rng.choice(['up', 'down']) if uniform() < 0.9 else 'stay'",
        init="self.rng = random.Random()",
        header="import random\nfrom random import random as uniform",
    )
    sources = [seeded, own_generator, seeded, own_generator]
    first = sandbox.replay(sources, OBSERVATIONS, ACTIONS)
    assert first == sandbox.replay(sources, OBSERVATIONS, ACTIONS)
    assert first[0] == first[2] and first[1] == first[3]
    assert len(set(first[0].outputs)) > 1


def test_ordinary_python_works(sandbox: Sandbox) -> None:
    source = '''
from __future__ import annotations

import collections, heapq, itertools, math, re, statistics, string
from copy import deepcopy
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Optional

class Move(Enum):
    UP = "up"
    DOWN = "down"

@dataclass
class Memory:
    seen: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.seen.append(0)

class Base:
    def __init__(self) -> None:
        self.memory = Memory()

@lru_cache(maxsize=None)
def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)

class Agent(Base):
    """Uses a bit of everything the sandbox allows."""

    def __init__(self) -> None:
        super().__init__()
        self.queue: collections.deque[int] = collections.deque(maxlen=3)

    def act(self, observation: dict) -> Optional[str]:
        t = observation["t"]
        self.queue.append(t)
        self.memory.seen.append(fib(t + 10))
        tête = list(self.queue)  # a non-ASCII name: the parser normalises it (NFKC)
        heap = tête
        heapq.heapify(heap)
        assert heap[0] == min(self.queue) and deepcopy(observation) == observation
        assert math.isclose(statistics.mean([1, 3]), 2) and re.match(r"\\w+", string.ascii_letters)
        assert list(itertools.islice(itertools.count(), 2)) == [0, 1]
        print("thinking about", observation, hasattr(self, "queue"), end="")
        try:
            {}["missing"]
        except:
            pass
        return (Move.UP if t % 2 else Move.DOWN).value

if __name__ == "__main__":
    raise SystemExit("never run as a script")
'''
    result = replay_one(sandbox, source)
    assert result == ReplayResult(["down", "up", "down", "up", "down", "up"], None, None)


# Failures become one-line errors


def test_exceptions_report_the_step(sandbox: Sandbox) -> None:
    source = acting("if observation['t'] == 3:\n    return 1 / 0")
    result = replay_one(sandbox, source)
    assert result.outputs[:3] == ["stay"] * 3
    assert result.error == "step 3: ZeroDivisionError: division by zero"
    assert_failed(result, 3, "ZeroDivisionError")


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("class Agent:\n    def act(self, observation)\n", "syntax error: line 2: "),
        ("return 1\n", "syntax error: line 1: 'return' outside function"),
        ("x = 1\n", "init: no class Agent defined"),
        (acting("pass", init="raise ValueError('no\\nway')"), "init: ValueError: no way"),
        ("import math\nmath.sqrt(-1)\nclass Agent: pass\n", "init: ValueError: math domain error"),
        ("class Agent:\n    pass\n", "step 0: AttributeError: 'Agent' object has no attribute"),
    ],
)
def test_programs_that_cannot_start_fail_at_zero(sandbox: Sandbox, source: str, error: str) -> None:
    assert_failed(replay_one(sandbox, source), 0, error)


# Hostile programs (the corpus of tests/programs/hostile.py): each contained and reported, with
# the rest of the batch unharmed and nothing happening outside


@pytest.fixture(scope="module")
def targets() -> Iterator[Targets]:
    with planted() as planted_targets:
        yield planted_targets


def named(case: hostile.Hostile) -> str:
    return case.name


@pytest.mark.parametrize("case", [c for c in hostile.CORPUS if not c.slow], ids=named)
def test_hostile_programs_are_contained(
    sandbox: Sandbox, targets: Targets, case: hostile.Hostile
) -> None:
    assert hostile.check_replay(sandbox, case, targets) is None


def test_hostile_programs_the_worker_kills_are_contained(targets: Targets) -> None:
    # Seconds each (loops in C that no timer interrupts): a worker each, they overrun together.
    slow = [case for case in hostile.CORPUS if case.slow]
    assert slow
    with Sandbox(workers=len(slow), limits=LIMITS) as box:
        assert hostile.check_batch(box, slow, targets) == {}


@pytest.mark.parametrize("case", [c for c in hostile.CORPUS if c.live and not c.slow], ids=named)
def test_hostile_programs_are_contained_live(
    sandbox: Sandbox, targets: Targets, case: hostile.Hostile
) -> None:
    assert hostile.check_live(sandbox, case, targets) is None


def test_a_slow_program_runs_out_of_replay_budget(sandbox: Sandbox) -> None:
    # About 50 ms a call: each call is well inside its budget, fifty of them are not.
    source = acting("for _ in range(3):\n    sum(range(10**6))")
    observations = [{"t": t} for t in range(50)]
    result = sandbox.replay([source], observations, ACTIONS)[0]
    assert result.error is not None and result.failed_at is not None, result
    assert result.error == f"step {result.failed_at}: timeout: replay exceeded 1 s"
    assert 3 < result.failed_at < 40
    assert result.outputs == ["stay"] * result.failed_at + [None] * (50 - result.failed_at)


# Processes: one per program, under limits, all gone on close


def test_programs_run_under_rlimits(sandbox: Sandbox) -> None:
    with sandbox.session(ACTIONS) as session:
        session.add({"counter": STEADY, "other": constant("up")})
        running = programs()
        assert len(running) == 2
        for pid in running:
            limits = limits_of(pid)
            assert limits["Max file size"] == "0"
            assert limits["Max core file size"] == "0"
            assert limits["Max processes"] == "0"
            assert limits["Max open files"] == "5"
            assert int(limits["Max address space"]) < 2 * LIMITS.memory_mb * 2**20
    assert programs_settle(lambda running: not running)


def test_closing_leaves_nothing_behind(workdir: Path) -> None:
    before, others = set(sandbox_dirs(workdir)), descendants()  # the shared sandbox's
    box = Sandbox(workers=2, limits=LIMITS)
    hang = acting("sum(range(10**18))")
    results = box.replay([hang, STEADY, STEADY + "# 2"], OBSERVATIONS, ACTIONS)
    assert results[0].error is not None and "program killed" in results[0].error
    assert results[1].outputs == results[2].outputs == STEADY_OUTPUTS
    session = box.session(ACTIONS)
    session.add({"live": STEADY})
    mine = descendants() - others
    directories = set(sandbox_dirs(workdir)) - before
    assert len(programs()) == 1 and len(directories) == 2
    box.close()
    assert descendants() == others
    assert not any(alive(pid) for pid in mine)
    assert not any(directory.exists() for directory in directories)
    with pytest.raises(RuntimeError, match="closed"):
        box.replay([STEADY], OBSERVATIONS, ACTIONS)
    box.close()


def test_a_crashed_program_is_reported_and_the_rest_carry_on() -> None:
    with Sandbox(workers=1, limits=LIMITS) as box:
        busy = acting("any(itertools.repeat(0))", header="import itertools")

        def crash() -> None:  # the first program process to appear is the busy one
            while not (found := sorted(programs())):
                threading.Event().wait(0.01)
            os.kill(found[0], signal.SIGSEGV)

        crasher = threading.Thread(target=crash)
        crasher.start()
        results = box.replay([busy, STEADY], OBSERVATIONS, ACTIONS)
        crasher.join()
    assert results == [
        ReplayResult([None] * len(OBSERVATIONS), "program crashed (SIGSEGV)", 0),
        ReplayResult(STEADY_OUTPUTS, None, None),
    ]


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one worker"):
        Sandbox(workers=0)
    with pytest.raises(ValueError, match="positive"):
        Limits(call_seconds=0)


def test_set_iteration_order_is_the_same_in_every_worker() -> None:
    # ten steps, each picking an action from the iteration order of a different set of strings:
    # with per-process hash seeds two workers would agree by chance with probability ~ 5**-10
    program = (
        "class Agent:\n"
        "    def act(self, observation):\n"
        "        names = {f'{observation[\"t\"]}-{i}' for i in range(50)}\n"
        "        position = list(names).index(f'{observation[\"t\"]}-0')\n"
        "        return ['stay', 'up', 'down', 'left', 'right'][position % 5]\n"
    )
    observations = [{"t": t} for t in range(10)]
    with Sandbox(workers=2) as box:
        results = box.replay([program] * 6, observations, ACTIONS)
    assert all(result.error is None for result in results), results
    assert len({tuple(result.outputs) for result in results}) == 1
