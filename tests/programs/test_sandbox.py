"""The sandbox: faithful replays of well-behaved programs, and containment of hostile ones."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rote.programs import Limits, ReplayResult, Sandbox

from .processes import alive, descendants, limits_of, programs

ACTIONS = ["stay", "up", "down", "left", "right"]
OBSERVATIONS: list[dict[str, Any]] = [{"t": t, "agent": [t, 0], "held": None} for t in range(6)]
LIMITS = Limits(call_seconds=0.2, replay_seconds=1.0, memory_mb=256)

COUNTER = """
class Agent:
    def __init__(self):
        self.count = 0

    def act(self, observation):
        self.count += 1
        return "up" if self.count % 3 else "down"
"""
COUNTER_OUTPUTS = ["up", "up", "down", "up", "up", "down"]


def constant(action: str) -> str:
    return f"class Agent:\n    def act(self, observation):\n        return {action!r}\n"


def acting(body: str, init: str = "pass", header: str = "") -> str:
    """A program whose act() runs `body` (indented by the caller's newlines) then says "stay"."""
    indent = "\n        "
    return (
        f"{header}\nclass Agent:\n    def __init__(self):{indent}{init.replace(chr(10), indent)}"
        f"\n    def act(self, observation):{indent}{body.replace(chr(10), indent)}"
        f"{indent}return 'stay'\n"
    )


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
    assert replay_one(sandbox, COUNTER) == ReplayResult(COUNTER_OUTPUTS, None, None)


def test_a_batch_comes_back_in_input_order(sandbox: Sandbox) -> None:
    sources = [constant(action) for action in ACTIONS] + [COUNTER]
    results = sandbox.replay(sources, OBSERVATIONS, ACTIONS)
    assert [result.outputs for result in results] == [
        *([action] * len(OBSERVATIONS) for action in ACTIONS),
        COUNTER_OUTPUTS,
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
    assert sandbox.replay([COUNTER], [], ACTIONS) == [ReplayResult([], None, None)]


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


@pytest.mark.parametrize(
    ("output", "error"),
    [
        ("'jump'", "step 2: invalid action 'jump' (not one of stay, up, down, left, right)"),
        ("3", "step 2: invalid action 3 (expected an action name or a dict"),
        ("None", "step 2: invalid action None"),
        ("['up']", "step 2: invalid action of type list"),
        ("{'jump': 1.0}", "step 2: invalid action 'jump' in distribution"),
        ("{'up': -1.0, 'down': 2.0}", "probability -1.0 for 'up'"),
        ("{'up': float('nan')}", "probability nan for 'up'"),
        ("{'up': float('inf')}", "probability inf for 'up'"),
        ("{'up': True}", "probability True for 'up'"),
        ("{'up': 10**400}", "for 'up'"),
        ("{'up': 0, 'down': 0.0}", "probabilities must have a positive finite sum"),
        ("{}", "probabilities must have a positive finite sum"),
    ],
)
def test_invalid_outputs_fail_from_that_step(sandbox: Sandbox, output: str, error: str) -> None:
    source = acting(
        f"self.t += 1\nif self.t >= 2:\n    return {output}",
        init="self.t = -1",
    )
    result = replay_one(sandbox, source)
    assert result.outputs[:2] == ["stay", "stay"]
    assert_failed(result, 2, error)


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
        ("(" * 300 + ")" * 300, "syntax error: line 1: too many nested parentheses"),
        ("x = 1\n", "init: no class Agent defined"),
        (acting("pass", init="raise ValueError('no\\nway')"), "init: ValueError: no way"),
        ("import math\nmath.sqrt(-1)\nclass Agent: pass\n", "init: ValueError: math domain error"),
        ("class Agent:\n    pass\n", "step 0: AttributeError: 'Agent' object has no attribute"),
    ],
)
def test_programs_that_cannot_start_fail_at_zero(sandbox: Sandbox, source: str, error: str) -> None:
    assert_failed(replay_one(sandbox, source), 0, error)


# Hostile programs: each contained and reported, with the rest of the batch unharmed

HOSTILE = {
    "loop in act": (acting("while True:\n    pass"), "step 0: timeout after 0.2 s"),
    "loop in init": (acting("pass", init="while True:\n    pass"), "init: timeout after 0.2 s"),
    "loop at import": ("while True:\n    pass\n", "init: timeout after 0.2 s"),
    "swallowing the timeout": (
        acting("while True:\n    try:\n        while True: pass\n    except:\n        pass"),
        "step 0: timeout after 0.2 s",
    ),
    "reaching BaseException": (acting("Exception.mro()"), "name 'mro' is not allowed"),
    "catching BaseException": (
        acting("while True:\n    try:\n        while True: pass\n    except BaseException: pass"),
        "step 0: timeout after 0.2 s",
    ),
    "looping in finally": (
        acting("try:\n    while True: pass\nfinally:\n    while True: pass"),
        "step 0: timeout after 0.2 s",
    ),
    "looping __str__": (
        acting(
            "raise E()",
            header="class E(Exception):\n    def __str__(self):\n        while True: pass",
        ),
        "step 0: timeout after 0.2 s",
    ),
    "10**10**10": (acting("x = 10**10**10"), "timeout"),
    "timing out while building something big": (
        # unwinding frees what was built, which outlasts the timer's repeat interval
        acting(
            "build()",
            header="def build():\n    return [[0] * 10 for _ in range(10**6)] + spin()\n"
            "def spin():\n    while True: pass",
        ),
        "step 0: timeout after 0.2 s",
    ),
    "C-level loop": (
        acting("any(itertools.repeat(0))", header="import itertools"),
        "timeout: replay exceeded 1 s (program killed)",
    ),
    "C-level loop at import": (
        "sum(range(10**18))\n",
        "timeout: replay exceeded 1 s (program killed)",
    ),
    "huge allocation": (acting("x = [0] * 10**10"), "step 0: MemoryError"),
    "growing list": (
        acting("x = []\nwhile True:\n    x.append(bytes(10**7))"),
        "step 0: MemoryError",
    ),
    "huge string": (acting("x = 'x' * 10**10"), "step 0: MemoryError"),
    "deep recursion": (
        acting("return f(0)", header="def f(n):\n    return f(n + 1)"),
        "step 0: RecursionError: maximum recursion depth exceeded",
    ),
    "endless printing": (acting("while True:\n    print('spam' * 1000)"), "timeout after 0.2 s"),
    "fork bomb": (acting("while True:\n    os.fork()", header="import os"), "import of 'os'"),
    "read /etc/passwd": (acting("open('/etc/passwd').read()"), "use of 'open' is not allowed"),
    "socket": (acting("socket.socket()", header="import socket"), "import of 'socket'"),
    "import subprocess": (acting("pass", header="import subprocess"), "import of 'subprocess'"),
    "import ctypes": (acting("pass", header="from ctypes import CDLL"), "import from 'ctypes'"),
    "import a submodule": (acting("pass", header="import collections.abc"), "'collections.abc'"),
    "relative import": (acting("pass", header="from . import x"), "import from '.'"),
    "__import__": (acting("__import__('os').system('true')"), "name '__import__' is not allowed"),
    "builtins": (acting("__builtins__['open']"), "name '__builtins__' is not allowed"),
    "eval": (acting("eval('1')"), "use of 'eval' is not allowed"),
    "exec": (acting("exec('1')"), "use of 'exec' is not allowed"),
    "type": (acting("type('X', (), {})"), "use of 'type' is not allowed"),
    "getattr by pieces": (
        acting("getattr(observation, '__cla' + 'ss__')"),
        "use of 'getattr' is not allowed",
    ),
    "subclasses": (
        acting("().__class__.__mro__[1].__subclasses__()"),
        "name '__subclasses__' is not allowed",
    ),
    "function globals": (acting("(lambda: 0).__globals__"), "name '__globals__' is not allowed"),
    "generator frame": (
        acting("(x for x in []).gi_frame.f_back.f_globals"),
        "name 'f_globals' is not allowed",
    ),
    "traceback frame": (
        acting("try:\n    1 / 0\nexcept Exception as e:\n    e.__traceback__.tb_frame"),
        "name 'tb_frame' is not allowed",
    ),
    "dunder in a pattern": (
        acting("match 1:\n    case int(__class__=c):\n        pass"),
        "name '__class__' is not allowed",
    ),
    "module masquerade": (acting("pass", header="__name__ = 'os'"), "assignment to '__name__'"),
    "monkeypatching a dunder": (
        acting("Agent.__init__ = None"),
        "assignment to attribute '__init__' is not allowed",
    ),
    "typing.sys": (
        acting("typing.sys.modules['os']", header="import typing"),
        "step 0: AttributeError: module 'typing (sandboxed)' has no attribute 'sys'",
    ),
    "private module attribute": (
        acting("random._os.system('true')", header="import random"),
        "module 'random (sandboxed)' has no attribute '_os'",
    ),
    "from-import of a submodule": (
        acting("pass", header="from collections import abc"),
        "init: ImportError: cannot import name 'abc'",
    ),
    "from-import of a private submodule": (
        acting("pass", header="from re import _compiler"),
        "init: ImportError: cannot import name '_compiler'",
    ),
    "string.Formatter": (
        acting("string.Formatter().get_field('0.__class__', [()], {})", header="import string"),
        "module 'string (sandboxed)' has no attribute 'Formatter'",
    ),
    "functools.update_wrapper": (
        acting("functools.update_wrapper(self, len, ('__self__',))", header="import functools"),
        "module 'functools (sandboxed)' has no attribute 'update_wrapper'",
    ),
    "typing.get_type_hints": (
        acting("typing.get_type_hints(self.act, {})", header="import typing"),
        "module 'typing (sandboxed)' has no attribute 'get_type_hints'",
    ),
    "hasattr with a dunder": (
        acting("hasattr(self, '__cla' + 'ss__')"),
        "step 0: ValueError: hasattr: attribute name '__class__' is not allowed",
    ),
    "modules are not preloaded": (
        acting("pass", init="self.root = math.sqrt(2)"),
        "init: NameError: name 'math' is not defined",
    ),
}


@pytest.mark.parametrize(("source", "error"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_programs_are_contained(sandbox: Sandbox, source: str, error: str) -> None:
    # With two workers the first worker runs the hostile program and then a good one, so a
    # killed worker is replaced within the batch.
    results = sandbox.replay([source, COUNTER, COUNTER, COUNTER], OBSERVATIONS, ACTIONS)
    assert results[0].error is not None and error in results[0].error, results[0].error
    assert results[0].outputs == [None] * len(OBSERVATIONS) and results[0].failed_at == 0
    assert results[1:] == [ReplayResult(COUNTER_OUTPUTS, None, None)] * 3
    assert replay_one(sandbox, COUNTER).outputs == COUNTER_OUTPUTS


def test_a_slow_program_runs_out_of_replay_budget(sandbox: Sandbox) -> None:
    # About 50 ms a call: each call is well inside its budget, fifty of them are not.
    source = acting("for _ in range(3):\n    sum(range(10**6))")
    observations = [{"t": t} for t in range(50)]
    result = sandbox.replay([source], observations, ACTIONS)[0]
    assert result.error is not None and result.failed_at is not None, result
    assert result.error == f"step {result.failed_at}: timeout: replay exceeded 1 s"
    assert 3 < result.failed_at < 40
    assert result.outputs == ["stay"] * result.failed_at + [None] * (50 - result.failed_at)


def test_writing_a_file_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    result = replay_one(sandbox, acting(f"open({str(target)!r}, 'w').write('x')"))
    assert_failed(result, 0, "use of 'open' is not allowed")
    assert not target.exists()


@pytest.mark.parametrize(
    "body",
    [
        "x = '{0.__class__.__mro__[1].__subclasses__}'.format(())",
        "x = '{0.gi_frame.f_globals}'.format(x for x in [])",
        "x = '{0.__globals__[__builtins__]}'.format(lambda: 0)",
        "x = '{:>{}}'.format('', 10**5)",
        "x = format(observation, '')",
    ],
)
def test_format_tricks_only_make_strings(sandbox: Sandbox, body: str) -> None:
    result = replay_one(sandbox, acting(f"{body}\nassert isinstance(x, str)"))
    assert result == ReplayResult(["stay"] * len(OBSERVATIONS), None, None)


def test_huge_output_is_swallowed(sandbox: Sandbox) -> None:
    result = replay_one(sandbox, acting("for _ in range(10):\n    print('x' * 10**6)"))
    assert result == ReplayResult(["stay"] * len(OBSERVATIONS), None, None)


# Processes: one per program, under limits, all gone on close


def test_programs_run_under_rlimits(sandbox: Sandbox) -> None:
    with sandbox.session(ACTIONS) as session:
        session.add({"counter": COUNTER, "other": constant("up")})
        running = programs()
        assert len(running) == 2
        for pid in running:
            limits = limits_of(pid)
            assert limits["Max file size"] == "0"
            assert limits["Max core file size"] == "0"
            assert limits["Max processes"] == "0"
            assert limits["Max open files"] == "5"
            assert int(limits["Max address space"]) < 2 * LIMITS.memory_mb * 2**20
    assert programs() == set()


def test_closing_leaves_nothing_behind(workdir: Path) -> None:
    before, others = set(sandbox_dirs(workdir)), descendants()  # the shared sandbox's
    box = Sandbox(workers=2, limits=LIMITS)
    hang = acting("sum(range(10**18))")
    results = box.replay([hang, COUNTER, COUNTER + "# 2"], OBSERVATIONS, ACTIONS)
    assert results[0].error is not None and "program killed" in results[0].error
    assert results[1].outputs == results[2].outputs == COUNTER_OUTPUTS
    session = box.session(ACTIONS)
    session.add({"live": COUNTER})
    mine = descendants() - others
    directories = set(sandbox_dirs(workdir)) - before
    assert len(programs()) == 1 and len(directories) == 2
    box.close()
    assert descendants() == others
    assert not any(alive(pid) for pid in mine)
    assert not any(directory.exists() for directory in directories)
    with pytest.raises(RuntimeError, match="closed"):
        box.replay([COUNTER], OBSERVATIONS, ACTIONS)
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
        results = box.replay([busy, COUNTER], OBSERVATIONS, ACTIONS)
        crasher.join()
    assert results == [
        ReplayResult([None] * len(OBSERVATIONS), "program crashed (SIGSEGV)", 0),
        ReplayResult(COUNTER_OUTPUTS, None, None),
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
