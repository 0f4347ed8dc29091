"""The hostile corpus: programs that try to escape, starve or corrupt the sandbox, and what
containing each one means.

Each case is run with the Python layer on, beside steady programs, while the targets of
`attacks.planted` wait outside. It is contained when it ends as its case says (an error naming
the reason, at the step given, or harmless valid outputs where its trick can only make those),
its neighbours answer as in a clean run, and nothing happened outside. Programs that reach an
object they must not have call `harm` with it, which tries the harm of `attacks` and, if any call
went through to the real thing, fails with ESCAPED: the OS layer may still stop the harm, but
the Python layer was passed. `tests/programs/test_sandbox.py` runs every case;
`benchmarks/reliability.py` counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rote.programs import Limits, ReplayResult, Sandbox

from .attacks import Targets

ACTIONS = ["stay", "up", "down", "left", "right"]
OBSERVATIONS: list[dict[str, Any]] = [{"t": t, "agent": [t, 0], "held": None} for t in range(6)]
LIMITS = Limits(call_seconds=0.2, replay_seconds=1.0, memory_mb=256)
ESCAPED = "escaped the Python layer"
HARMED = "harm outside"


def escaped(problem: str) -> bool:
    """Whether a check's problem is an escape (rather than, say, an unexpected message): the
    program passed the Python layer, or something happened outside."""
    return problem.startswith((ESCAPED, HARMED))


STEADY = """
class Agent:
    def __init__(self):
        self.count = 0

    def act(self, observation):
        assert observation == {"t": self.count, "agent": [self.count, 0], "held": None}
        self.count += 1
        return "up" if self.count % 3 else "down"
"""
"""A program beside the hostile ones: it counts its calls and checks what it is given."""
STEADY_OUTPUTS = ["up", "up", "down", "up", "up", "down"]

REAL_OS = (
    "harm([c for c in ().__class__.__base__.__subclasses__() if c.__name__ == '_wrap_close']"
    "[0].__init__.__globals__['sys'].modules['os'])"
)
"""Python that reaches the real os from any frame, for code that no AST check sees."""
INJECTED = "x=__import__('sys').modules['program'].harm(__import__('os'))"
"""A field name that is code, not an identifier: what a hand-made `__annotations__` would hand
a code generator (dataclass writes field names into source it execs)."""
AGENT = "class Agent:\n    def act(self, observation):\n        return 'stay'\n"


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


def from_step(step: int, output: str) -> str:
    """A program that says "stay" until `step`, then returns `output` (a Python expression)."""
    return acting(f"self.t += 1\nif self.t >= {step}:\n    return {output}", init="self.t = -1")


def payload(targets: Targets) -> str:
    """`harm(os)`: the harm of `attacks` through whatever a program got hold of."""
    port = targets.listener.getsockname()[1]
    connect = f"import socket; socket.create_connection(('127.0.0.1', {port}))"
    attempts = [
        f"os.system({f'echo pwned > {targets.executed}'!r})",
        f"os.write(os.open({str(targets.written)!r}, os.O_CREAT | os.O_WRONLY),"
        " os.environ.get('OPENAI_API_KEY', '').encode())",
        f"os.unlink({str(targets.secret)!r})",
        f"os.kill({targets.bystander.pid}, 9)",
        f"os.system({f'/usr/bin/python3 -c {connect!r}'!r})",
    ]
    listed = "".join(f"        lambda: {attempt},\n" for attempt in attempts)
    return (
        "def harm(os):\n"
        f"    reached = False\n    for attempt in [\n{listed}    ]:\n"
        "        try:\n            attempt()\n"
        "        except AttributeError:\n            continue\n"
        "        except Exception:\n            pass\n        reached = True\n"
        f"    if reached:\n        raise RuntimeError({ESCAPED!r})\n"
    )


@dataclass(frozen=True)
class Hostile:
    name: str
    source: str
    error: str | None
    """A part of the one-line error the program must end with; None: it must run to the end,
    its trick giving only valid outputs."""
    at: int = 0
    """The step it fails at (0 for compile and init failures, and for a program killed during
    its replay, since only its worker knows which step it was on)."""
    live: bool = False
    """Also run live, one step at a time beside a steady program (`check_live`)."""

    @property
    def slow(self) -> bool:
        """Killed by the worker: a loop in C, a few seconds each; tests run these together."""
        return "program killed" in (self.error or "")

    def program(self, targets: Targets) -> str:
        """The source, with `harm` aimed at the targets when the program calls it."""
        return payload(targets) + self.source if "harm(" in self.source else self.source


def steady(count: int) -> list[str]:
    """Distinct steady programs (equal sources would run once)."""
    return [f"{STEADY}# {index}\n" for index in range(count)]


def verdict(case: Hostile, result: ReplayResult) -> str | None:
    """How a replay of the case differs from containing it, or None."""
    error = result.error
    if error is not None and ESCAPED in error:
        return f"{ESCAPED}: {error}"
    if case.error is None:
        return None if error is None else f"expected to run harmlessly, got {error!r}"
    if error is None or case.error not in error:
        return f"expected an error with {case.error!r}, got {error!r}"
    if "\n" in error:
        return f"the error is not one line: {error!r}"
    if result.failed_at != case.at:
        return f"expected to fail at step {case.at}, failed at {result.failed_at}"
    if None in result.outputs[: case.at] or result.outputs[case.at :] != [None] * (
        len(result.outputs) - case.at
    ):
        return f"outputs not cut at step {case.at}: {result.outputs}"
    return None


def check_replay(sandbox: Sandbox, case: Hostile, targets: Targets) -> str | None:
    """Replay the case beside three steady programs (one of them on its worker, with two
    workers), then a steady one alone: what went wrong, or None."""
    results = sandbox.replay([case.program(targets), *steady(3)], OBSERVATIONS, ACTIONS)
    problem = verdict(case, results[0])
    clean = ReplayResult(STEADY_OUTPUTS, None, None)
    if problem is None and results[1:] != [clean] * 3:
        problem = f"harmed its neighbours: {results[1:]}"
    if problem is None and sandbox.replay(steady(1), OBSERVATIONS, ACTIONS) != [clean]:
        problem = "the sandbox no longer runs programs"
    harmed = targets.harmed()
    return problem if harmed is None else f"{HARMED}: {harmed} ({problem})"


def check_batch(sandbox: Sandbox, cases: list[Hostile], targets: Targets) -> dict[str, str]:
    """Replay the cases in one batch, a steady program after each: what went wrong, by case.
    Faster for slow cases, which then overrun side by side."""
    sources = []
    for case, beside in zip(cases, steady(len(cases)), strict=True):
        sources += [case.program(targets), beside]
    results = sandbox.replay(sources, OBSERVATIONS, ACTIONS)
    problems = {}
    for case, result, beside in zip(cases, results[::2], results[1::2], strict=True):
        problem = verdict(case, result)
        if problem is None and beside != ReplayResult(STEADY_OUTPUTS, None, None):
            problem = f"harmed its neighbour: {beside}"
        if problem is not None:
            problems[case.name] = problem
    harmed = targets.harmed()
    if harmed is not None:
        problems["the batch"] = f"{HARMED}: {harmed}"
    return problems


def check_live(sandbox: Sandbox, case: Hostile, targets: Targets) -> str | None:
    """Run the case live beside a steady program, one observation at a time. The error is
    checked as in a replay, but a program the worker killed reports its step live, and the
    step's budget rather than the replay's."""
    with sandbox.session(ACTIONS) as session:
        started = session.add({"hostile": case.program(targets), "steady": STEADY})
        error, at = started["hostile"].error, 0
        steady_outputs = []
        for step, observation in enumerate(OBSERVATIONS):
            result = session.step(observation)
            steady_outputs.append(result.outputs["steady"])
            if error is None and "hostile" in result.errors:
                error, at = result.errors["hostile"], step
    problem = None
    killed = "(program killed)"
    if error is not None and ESCAPED in error:
        problem = f"{ESCAPED}: {error}"
    elif case.error is None and error is not None:
        problem = f"expected to run harmlessly, got {error!r}"
    elif case.error is not None and not (
        error is not None
        and "\n" not in error
        and ((case.error in error and at == case.at) or (killed in case.error and killed in error))
    ):
        problem = f"expected an error with {case.error!r} at step {case.at}, got {error!r} at {at}"
    elif steady_outputs != STEADY_OUTPUTS:
        problem = f"harmed its neighbour: {steady_outputs}"
    harmed = targets.harmed()
    return problem if harmed is None else f"{HARMED}: {harmed} ({problem})"


def _forbidden(name: str) -> str:
    return f"name {name!r} is not allowed"


def _hidden(module: str, name: str) -> str:
    return f"module '{module} (sandboxed)' has no attribute '{name}'"


TIMEOUT = "timeout after 0.2 s"
KILLED = "timeout: replay exceeded 1 s (program killed)"

# Loops, timeouts and the ways to swallow them
LOOPS = [
    Hostile("loop in act", acting("while True:\n    pass"), f"step 0: {TIMEOUT}"),
    Hostile("loop in init", acting("pass", init="while True:\n    pass"), f"init: {TIMEOUT}"),
    Hostile("loop at import", "while True:\n    pass\n", f"init: {TIMEOUT}"),
    Hostile(
        "swallowing the timeout",
        acting("while True:\n    try:\n        while True: pass\n    except:\n        pass"),
        f"step 0: {TIMEOUT}",
    ),
    Hostile("reaching BaseException", acting("Exception.mro()"), _forbidden("mro")),
    Hostile(
        "catching BaseException",
        acting("while True:\n    try:\n        while True: pass\n    except BaseException: pass"),
        f"step 0: {TIMEOUT}",
    ),
    Hostile(
        "looping in finally",
        acting("try:\n    while True: pass\nfinally:\n    while True: pass"),
        f"step 0: {TIMEOUT}",
    ),
    Hostile(
        "looping __str__",
        acting(
            "raise E()",
            header="class E(Exception):\n    def __str__(self):\n        while True: pass",
        ),
        f"step 0: {TIMEOUT}",
    ),
    Hostile(
        "return in finally swallows the timeout",
        acting(
            "return swallow()",
            header="def swallow():\n    try:\n        while True: pass\n    finally:\n"
            "        return 'up'",
        ),
        f"step 0: {TIMEOUT}",
    ),
    Hostile(
        # unwinding frees what was built, which outlasts the timer's repeat interval
        "timing out while building something big",
        acting(
            "build()",
            header="def build():\n    return [[0] * 10 for _ in range(10**6)] + spin()\n"
            "def spin():\n    while True: pass",
        ),
        f"step 0: {TIMEOUT}",
    ),
    Hostile(
        "continue in finally swallows every timeout",
        acting("while True:\n    try:\n        while True: pass\n    finally:\n        continue"),
        f"step 0: {TIMEOUT}",
    ),
    Hostile(
        "the timeout turned into a TypeError",
        acting(
            "while True:\n    try:\n        try:\n            while True: pass\n"
            "        except (ValueError, object):\n            pass\n    except Exception:\n"
            "        pass"
        ),
        f"step 0: {TIMEOUT}",
    ),
    Hostile(
        "a context manager swallowing the timeout",
        acting(
            "with Swallow():\n    while True: pass",
            header="class Swallow:\n    def __enter__(self): return self\n"
            "    def __exit__(self, *exc): return True",
        ),
        _forbidden("__enter__"),
    ),
    Hostile(
        "a property that loops",
        acting(
            "P().p",
            header="class P:\n    @property\n    def p(self):\n        while True: pass",
        ),
        f"step 0: {TIMEOUT}",
    ),
    Hostile(
        "a comparator that loops",
        acting(
            "sorted([3, 1, 2], key=functools.cmp_to_key(spin))",
            header=("import functools\ndef spin(a, b):\n    while True: pass"),
        ),
        f"step 0: {TIMEOUT}",
    ),
    Hostile(
        "total_ordering over a looping __lt__",
        acting(
            "T() > T()",
            header=(
                "import functools\n@functools.total_ordering\nclass T:\n"
                "    def __eq__(self, other): return False\n"
                "    def __lt__(self, other):\n        while True: pass"
            ),
        ),
        f"step 0: {TIMEOUT}",
    ),
    Hostile(
        "heapq.nlargest over an endless count",
        acting("heapq.nlargest(2, itertools.count())", header="import heapq, itertools"),
        f"step 0: {TIMEOUT}",
    ),
    Hostile(
        "reduce with a lambda over an endless count",
        acting(
            "functools.reduce(lambda a, b: b, itertools.count())",
            header="import functools, itertools",
        ),
        f"step 0: {TIMEOUT}",
    ),
]

# CPU in C: big-number arithmetic and the regex engine look for signals, so the timer stops
# them; loops in C that never do are killed by the worker
C_LOOPS = [
    Hostile("10**10**10", acting("x = 10**10**10"), "timeout"),
    Hostile("C-level loop", acting("any(itertools.repeat(0))", header="import itertools"), KILLED),
    Hostile("C-level loop at import", "sum(range(10**18))\n", KILLED),
    Hostile("sum of a huge range in act", acting("sum(range(10**18))"), KILLED),
    Hostile(
        "regex catastrophic backtracking",
        acting("re.match(r'(a+)+$', 'a' * 64 + 'b')", header="import re"),
        f"step 0: {TIMEOUT}",
    ),
    Hostile("str(10**10**7)", acting("str(10**10**7)"), f"step 0: {TIMEOUT}"),
    Hostile(
        "math.factorial of 10**8",
        acting("math.factorial(10**8)", header="import math"),
        f"step 0: {TIMEOUT}",
    ),
    Hostile(
        "math.comb of huge numbers",
        acting("math.comb(10**8, 5 * 10**7)", header="import math"),
        f"step 0: {TIMEOUT}",
    ),
    Hostile(
        "reduce in C over an endless count",
        acting("functools.reduce(max, itertools.count())", header="import functools, itertools"),
        KILLED,
    ),
    Hostile("iter(int, 1) forever", acting("any(iter(int, 1))"), KILLED),
    Hostile(
        "string.Template with a catastrophic pattern",
        acting(
            "T('$' + 'a' * 64 + 'b').safe_substitute()",
            header="import string\nclass T(string.Template):\n    idpattern = r'(a+)+$'",
        ),
        f"step 0: {TIMEOUT}",
    ),
]

# Memory, of several kinds: each program has `memory_mb` (256 MB here) of address space
MEMORY = [
    Hostile("huge allocation", acting("x = [0] * 10**10"), "step 0: MemoryError"),
    Hostile(
        "growing list",
        acting("x = []\nwhile True:\n    x.append(bytes(10**7))"),
        "step 0: MemoryError",
    ),
    Hostile("huge string", acting("x = 'x' * 10**10"), "step 0: MemoryError"),
    Hostile("bytearray bomb", acting("bytearray(10**10)"), "step 0: MemoryError"),
    Hostile("list of a huge range", acting("list(range(10**10))"), "step 0: MemoryError"),
    Hostile("tuple repetition", acting("(0,) * 10**10"), "step 0: MemoryError"),
    Hostile("str.ljust bomb", acting("'x'.ljust(10**10)"), "step 0: MemoryError"),
    Hostile("join bomb", acting("''.join(['x' * 10**6] * 1000)"), "step 0: MemoryError"),
    Hostile(
        "bytes.replace bomb",
        acting("(b'x' * 10**6).replace(b'x', b'x' * 1000)"),
        "step 0: MemoryError",
    ),
    Hostile("int.to_bytes bomb", acting("(1).to_bytes(10**10, 'big')"), "step 0: MemoryError"),
    Hostile(
        "a bytes join bomb",
        acting("b''.join([bytes(10**8)] * 10)"),
        "step 0: MemoryError",
    ),
    Hostile(
        "random sample bomb",
        acting("random.sample(range(10**10), 10**9)", header="import random"),
        "step 0: MemoryError",
    ),
    Hostile(
        "itertools.product materialising its input",
        acting("itertools.product(range(10**10), repeat=2)", header="import itertools"),
        "step 0: MemoryError",
    ),
    Hostile(
        "a dict of big values",
        acting("x = {i: bytes(10**8) for i in range(10)}"),
        "step 0: MemoryError",
    ),
    Hostile(
        "a stash beyond the limit",
        acting("collections.Counter.stash = bytearray(480 * 2**20)", header="import collections"),
        "step 0: MemoryError",
    ),
    Hostile("memory bomb at import", "x = bytearray(10**10)\n" + AGENT, "init: MemoryError"),
    Hostile(
        "memory bomb in __init__", acting("pass", init="x = bytes(10**10)"), "init: MemoryError"
    ),
    Hostile("format width bomb", acting("x = '{:>{}}'.format('', 10**10)"), "step 0: MemoryError"),
    Hostile(  # bytes(n) takes calloc'd pages it never touches: a bytearray zeroed its 100 MB,
        # and on a loaded machine the page faults alone overran the 0.2 s budget at step 0
        "memory growing across calls",
        acting("self.hoard.append(bytes(100 * 2**20))", init="self.hoard = []"),
        "step 2: MemoryError",
        at=2,
        live=True,
    ),
]

# Recursion, in Python and in C
RECURSION = [
    Hostile(
        "deep recursion",
        acting("return f(0)", header="def f(n):\n    return f(n + 1)"),
        "step 0: RecursionError: maximum recursion depth exceeded",
    ),
    Hostile(
        "recursion in __init__",
        acting("pass", init="self.__init__()"),
        "init: RecursionError",
    ),
    Hostile(
        "recursion at import",
        "def f():\n    return f()\nf()\n" + AGENT,
        "init: RecursionError",
    ),
    Hostile(
        "recursion in __repr__",
        acting("repr(R())", header="class R:\n    def __repr__(self):\n        return repr(self)"),
        "step 0: RecursionError",
    ),
    Hostile(
        "recursion in __hash__",
        acting("{H()}", header="class H:\n    def __hash__(self):\n        return hash(self)"),
        "step 0: RecursionError",
    ),
    Hostile(
        "recursion through lru_cache",
        acting(
            "f(0)",
            header="import functools\n@functools.lru_cache(maxsize=None)\ndef f(n):\n"
            "    return f(n + 1)",
        ),
        "step 0: RecursionError",
    ),
    Hostile(
        "repr of a deeply nested list",
        acting("x = []\nfor _ in range(10**5):\n    x = [x]\nrepr(x)"),
        "step 0: RecursionError",
    ),
    Hostile(
        "deepcopy of a deeply nested list",
        acting(
            "x = []\nfor _ in range(10**5):\n    x = [x]\ncopy.deepcopy(x)", header="import copy"
        ),
        "step 0: RecursionError",
    ),
    Hostile(
        "nested maps overflow the C stack",
        acting("m = iter([1])\nfor _ in range(10**5):\n    m = map(abs, m)\nnext(m)"),
        "program crashed",
    ),
    Hostile(
        "recursion at step 2",
        acting("if observation['t'] == 2:\n    f(0)", header="def f(n):\n    return f(n + 1)"),
        "step 2: RecursionError",
        at=2,
        live=True,
    ),
]

# Imports: only the allowed standard-library modules and rote's skills, through proxies
IMPORTS = [
    Hostile(
        "fork bomb", acting("while True:\n    os.fork()", header="import os"), "import of 'os'"
    ),
    Hostile("socket", acting("socket.socket()", header="import socket"), "import of 'socket'"),
    Hostile(
        "import subprocess", acting("pass", header="import subprocess"), "import of 'subprocess'"
    ),
    Hostile(
        "import ctypes", acting("pass", header="from ctypes import CDLL"), "import from 'ctypes'"
    ),
    Hostile(
        "import a submodule", acting("pass", header="import collections.abc"), "'collections.abc'"
    ),
    Hostile("relative import", acting("pass", header="from . import x"), "import from '.'"),
    Hostile("__import__", acting("__import__('os').system('true')"), _forbidden("__import__")),
    Hostile("import sys", acting("sys.modules['os']", header="import sys"), "import of 'sys'"),
    Hostile("import builtins", acting("pass", header="import builtins"), "import of 'builtins'"),
    Hostile("import importlib", acting("pass", header="import importlib"), "import of 'importlib'"),
    Hostile("import gc", acting("gc.get_objects()", header="import gc"), "import of 'gc'"),
    Hostile("import inspect", acting("pass", header="import inspect"), "import of 'inspect'"),
    Hostile("import pickle", acting("pass", header="import pickle"), "import of 'pickle'"),
    Hostile("import marshal", acting("pass", header="import marshal"), "import of 'marshal'"),
    Hostile("import types", acting("pass", header="import types"), "import of 'types'"),
    Hostile("import threading", acting("pass", header="import threading"), "import of 'threading'"),
    Hostile("import signal", acting("pass", header="import signal"), "import of 'signal'"),
    Hostile("import time", acting("pass", header="import time"), "import of 'time'"),
    Hostile("import rote", acting("pass", header="import rote"), "import of 'rote'"),
    Hostile(
        "from os import system", acting("pass", header="from os import system"), "import from 'os'"
    ),
    Hostile(
        "typing.sys",
        acting("typing.sys.modules['os']", header="import typing"),
        "step 0: AttributeError: " + _hidden("typing", "sys"),
    ),
    Hostile(
        "from typing import sys",
        acting("pass", header="from typing import sys"),
        "init: ImportError: cannot import name 'sys'",
    ),
    Hostile(
        "private module attribute",
        acting("random._os.system('true')", header="import random"),
        _hidden("random", "_os"),
    ),
    Hostile(
        "from random import _os",
        acting("pass", header="from random import _os"),
        "init: ImportError: cannot import name '_os'",
    ),
    Hostile(
        "from-import of a submodule",
        acting("pass", header="from collections import abc"),
        "init: ImportError: cannot import name 'abc'",
    ),
    Hostile(
        "from-import of a private submodule",
        acting("pass", header="from re import _compiler"),
        "init: ImportError: cannot import name '_compiler'",
    ),
    Hostile(
        "from a skills module import __builtins__",
        acting("pass", header="from rote.skills.grid import __builtins__"),
        _forbidden("__builtins__"),
    ),
    Hostile(
        "a skills module's private name",
        acting("pass", header="from rote.skills.grid import deque"),
        "init: ImportError: cannot import name 'deque'",
    ),
    Hostile(
        "modules are not preloaded",
        acting("pass", init="self.root = math.sqrt(2)"),
        "init: NameError: name 'math' is not defined",
    ),
]

# Names: forbidden builtins, dunders and introspection attributes, however spelt
NAMES = [
    Hostile("read /etc/passwd", acting("open('/etc/passwd').read()"), "use of 'open'"),
    Hostile(
        "write a file",
        acting("open('/tmp/pwned', 'w').write('x')"),
        "use of 'open' is not allowed",
    ),
    Hostile("builtins", acting("__builtins__['open']"), _forbidden("__builtins__")),
    Hostile("eval", acting("eval('1')"), "use of 'eval' is not allowed"),
    Hostile("exec", acting("exec('1')"), "use of 'exec' is not allowed"),
    Hostile("compile", acting("compile('1', '', 'eval')"), "use of 'compile' is not allowed"),
    Hostile("type", acting("type('X', (), {})"), "use of 'type' is not allowed"),
    Hostile("globals", acting("globals()['__builtins__']"), "use of 'globals' is not allowed"),
    Hostile("locals", acting("locals()"), "use of 'locals' is not allowed"),
    Hostile("vars", acting("vars(self)"), "use of 'vars' is not allowed"),
    Hostile("dir", acting("dir(self)"), "use of 'dir' is not allowed"),
    Hostile("setattr", acting("setattr(self, '__class__', int)"), "use of 'setattr'"),
    Hostile("delattr", acting("delattr(Agent, 'act')"), "use of 'delattr' is not allowed"),
    Hostile("breakpoint", acting("breakpoint()"), "use of 'breakpoint' is not allowed"),
    Hostile("input", acting("input()"), "use of 'input' is not allowed"),
    Hostile("memoryview", acting("memoryview(b'x')"), "use of 'memoryview' is not allowed"),
    Hostile("exit", acting("exit()"), "use of 'exit' is not allowed"),
    Hostile(
        "getattr by pieces",
        acting("getattr(observation, '__cla' + 'ss__')"),
        "use of 'getattr' is not allowed",
    ),
    Hostile(
        "getattr shadowed by itself",
        "getattr = getattr\n" + AGENT,
        "init: NameError: name 'getattr' is not defined",
    ),
    Hostile(
        "a forbidden builtin as a default argument",
        acting("pass", header="def f(v=vars):\n    return v"),
        "use of 'vars' is not allowed",
    ),
    Hostile("type as a local name", acting("type = 'up'\nreturn type"), None),
    Hostile(
        "fullwidth eval", acting("\uff45\uff56\uff41\uff4c('1')"), "use of 'eval' is not allowed"
    ),
    Hostile(
        "fullwidth dunder",
        acting("observation.__\uff43\uff4c\uff41\uff53\uff53__"),
        _forbidden("__class__"),
    ),
    Hostile(
        "subclasses",
        acting("().__class__.__mro__[1].__subclasses__()"),
        _forbidden("__subclasses__"),
    ),
    Hostile("function globals", acting("(lambda: 0).__globals__"), _forbidden("__globals__")),
    Hostile("function code", acting("(lambda: 0).__code__"), _forbidden("__code__")),
    Hostile("function closure", acting("(lambda: self).__closure__"), _forbidden("__closure__")),
    Hostile("builtin __self__", acting("len.__self__"), _forbidden("__self__")),
    Hostile("instance __dict__", acting("self.__dict__"), _forbidden("__dict__")),
    Hostile(
        "module __loader__",
        acting("math.__loader__", header="import math"),
        _forbidden("__loader__"),
    ),
    Hostile("a docstring read", acting("Agent.__doc__"), _forbidden("__doc__")),
    Hostile(
        "hasattr with a dunder",
        acting("hasattr(self, '__cla' + 'ss__')"),
        "step 0: ValueError: hasattr: attribute name '__class__' is not allowed",
    ),
    Hostile(
        "hasattr with a sunder",
        acting("hasattr(enum.Enum, '_conv' + 'ert_')", header="import enum"),
        "step 0: ValueError: hasattr: attribute name '_convert_' is not allowed",
    ),
    Hostile(
        "generator frame",
        acting("(x for x in []).gi_frame.f_back.f_globals"),
        _forbidden("f_globals"),
    ),
    Hostile("generator code", acting("(x for x in []).gi_code"), _forbidden("gi_code")),
    Hostile(
        "generator yieldfrom",
        acting("g = (x for x in [])\ng.gi_yieldfrom"),
        _forbidden("gi_yieldfrom"),
    ),
    Hostile(
        "coroutine frame",
        acting("c = co()\nc.cr_frame", header="async def co():\n    pass"),
        _forbidden("cr_frame"),
    ),
    Hostile(
        "async generator frame",
        acting("ag().ag_frame", header="async def ag():\n    yield 1"),
        _forbidden("ag_frame"),
    ),
    Hostile(
        "traceback frame",
        acting("try:\n    1 / 0\nexcept Exception as e:\n    e.__traceback__.tb_frame"),
        _forbidden("tb_frame"),
    ),
    Hostile(
        "exception context",
        acting("try:\n    1 / 0\nexcept Exception as e:\n    e.__context__"),
        _forbidden("__context__"),
    ),
    Hostile(
        "dunder in a pattern",
        acting("match 1:\n    case int(__class__=c):\n        pass"),
        _forbidden("__class__"),
    ),
    Hostile(
        "module masquerade", acting("pass", header="__name__ = 'os'"), "assignment to '__name__'"
    ),
    Hostile(
        "a class claiming a module",
        acting("pass", header="class C:\n    __module__ = 'typing'"),
        _forbidden("__module__"),
    ),
    Hostile(
        "monkeypatching a dunder",
        acting("Agent.__init__ = None"),
        "assignment to attribute '__init__' is not allowed",
    ),
    Hostile(
        "renaming a class",
        acting("Agent.__name__ = 'os'"),
        "assignment to attribute '__name__' is not allowed",
    ),
]

# The escapes a probe found, and their variants: sunder hooks, code generators fed names
ESCAPES = [
    Hostile(
        "enum._convert_",
        "import enum\n"
        "found = enum.Enum._convert_('Xm', '__main__', lambda n: n == 'contextlib')\n"
        f"harm(found.contextlib.value.os)\n{AGENT}",
        _forbidden("_convert_"),
    ),
    Hostile(
        "typing.get_origin to type, then dataclass",
        "import typing, dataclasses\n"
        "real_type = typing.get_origin(typing.Type)\n"
        f"C = real_type('C', (), {{'__annotations__': {{{INJECTED!r}: int}},"
        " '__module__': 'typing'})\n"
        f"dataclasses.dataclass(C)\n{AGENT}",
        "init: AttributeError: " + _hidden("typing", "get_origin"),
    ),
    Hostile(
        "the Enum functional API, then dataclass",
        "import enum, dataclasses\n"
        f"E = enum.Enum('E', [('__annotations__', {{{INJECTED!r}: int}}),"
        " ('__module__', 'typing')])\n"
        f"dataclasses.dataclass(E)\n{AGENT}",
        "init: TypeError: the Enum functional API is not available to programs",
    ),
    Hostile(
        # dataclass writes the names of a base's fields into the source it execs for a
        # subclass; the Field renamed is a copy now, so nothing happens
        "a renamed Field, then a dataclass subclass",
        "import dataclasses\n"
        "@dataclasses.dataclass\nclass Base:\n    x: int = 0\n"
        f"dataclasses.fields(Base)[0].name = {'x,' + REAL_OS!r}\n"
        "@dataclasses.dataclass(init=False, repr=False)\nclass Sub(Base):\n    pass\n"
        f"Sub() == Sub()\n{AGENT}",
        None,
    ),
]
ESCAPE_NAMES = [case.name for case in ESCAPES]
"""The escapes, which `tests/programs/test_escapes.py` also sends through the CLI, an LLM
server and the cache."""

ENUM_HEADER = "import enum\nclass E(enum.Enum):\n    A = 1"
VARIANTS = [
    Hostile(
        "enum _missing_ hook",
        acting(
            "E(5)",
            header=f"{ENUM_HEADER}\n    @classmethod\n    def _missing_(cls, value):\n"
            f"        {REAL_OS}",
        ),
        _forbidden("_missing_"),
    ),
    Hostile(
        "enum _generate_next_value_",
        acting(
            "pass",
            header="import enum\nclass E(enum.Enum):\n"
            "    def _generate_next_value_(name, start, count, last):\n        return name\n"
            "    A = enum.auto()",
        ),
        _forbidden("_generate_next_value_"),
    ),
    Hostile(
        "enum _ignore_",
        acting("pass", header=f"{ENUM_HEADER}\n    _ignore_ = ['x']"),
        _forbidden("_ignore_"),
    ),
    Hostile(
        "enum member _value_", acting("E.A._value_", header=ENUM_HEADER), _forbidden("_value_")
    ),
    Hostile(
        "enum _member_map_",
        acting("E._member_map_", header=ENUM_HEADER),
        _forbidden("_member_map_"),
    ),
    Hostile(
        "enum._create_",
        acting("enum.Enum._create_('E', ['A'])", header="import enum"),
        _forbidden("_create_"),
    ),
    Hostile(
        "enum member named __annotations__",
        acting("pass", header=f"{ENUM_HEADER}\n    __annotations__ = {{{INJECTED!r}: int}}"),
        _forbidden("__annotations__"),
    ),
    Hostile(
        "enum.EnumType", acting("enum.EnumType", header="import enum"), _hidden("enum", "EnumType")
    ),
    Hostile(
        "from enum import EnumMeta",
        acting("pass", header="from enum import EnumMeta"),
        "init: ImportError: cannot import name 'EnumMeta'",
    ),
    Hostile(
        "enum.global_enum",
        acting("enum.global_enum(E)", header=ENUM_HEADER),
        _hidden("enum", "global_enum"),
    ),
    Hostile(
        "IntEnum functional API",
        acting("pass", header="import enum\nE = enum.IntEnum('E', 'A B')"),
        "init: TypeError: the Enum functional API is not available to programs",
    ),
    Hostile(
        "Flag functional API with hostile names",
        acting(
            "pass",
            header=f"import enum\nF = enum.Flag('F', [('__annotations__', {{{INJECTED!r}: 1}})])",
        ),
        "init: TypeError: the Enum functional API is not available to programs",
    ),
    Hostile(
        "StrEnum functional API",
        acting("pass", header="import enum\nS = enum.StrEnum('S', ['a'])"),
        "init: TypeError: the Enum functional API is not available to programs",
    ),
    Hostile(
        "Enum functional API by keyword",
        acting("pass", header="import enum\nE = enum.Enum('E', names='A B')"),
        "init: TypeError: the Enum functional API is not available to programs",
    ),
    Hostile(
        "functional API of an Enum subclass",
        acting("E('F', ['X'])", header=ENUM_HEADER),
        "step 0: TypeError: the Enum functional API is not available to programs",
    ),
    Hostile(
        "an enum lookup by value",
        acting("return 'up' if E(1) is E.A else 'down'", header=ENUM_HEADER),
        None,
    ),
    Hostile(
        "typing.Type",
        acting("typing.Type", header="import typing"),
        _hidden("typing", "Type"),
    ),
    Hostile(
        "from typing import get_origin",
        acting("pass", header="from typing import get_origin"),
        "init: ImportError: cannot import name 'get_origin'",
    ),
    Hostile(
        "typing.get_args",
        acting("typing.get_args(int)", header="import typing"),
        _hidden("typing", "get_args"),
    ),
    Hostile(
        "typing.ForwardRef",
        acting("typing.ForwardRef('x')", header="import typing"),
        _hidden("typing", "ForwardRef"),
    ),
    Hostile(
        "typing.get_type_hints",
        acting("typing.get_type_hints(self.act, {})", header="import typing"),
        _hidden("typing", "get_type_hints"),
    ),
    Hostile(
        "dataclasses.make_dataclass",
        acting(f"dataclasses.make_dataclass('C', [{INJECTED!r}])", header="import dataclasses"),
        _hidden("dataclasses", "make_dataclass"),
    ),
    Hostile(
        "TypedDict with a hostile key, then dataclass",
        "import typing, dataclasses\n"
        f"T = typing.TypedDict('T', {{{INJECTED!r}: int}})\ndataclasses.dataclass(T)\n{AGENT}",
        "init: TypeError: dataclass: field name",
    ),
    Hostile(
        "TypedDict with a keyword key, then dataclass",
        "import typing, dataclasses\n"
        f"T = typing.TypedDict('T', {{'class': int}})\ndataclasses.dataclass(T)\n{AGENT}",
        "init: TypeError: dataclass: field name 'class' is not allowed",
    ),
    Hostile(
        "NamedTuple with a hostile field",
        f"import typing\nN = typing.NamedTuple('N', [({INJECTED!r}, int)])\n{AGENT}",
        "init: ValueError: Type names and field names must be valid identifiers",
    ),
    Hostile(
        "namedtuple with a hostile field",
        f"import collections\nN = collections.namedtuple('N', [{INJECTED!r}])\n{AGENT}",
        "init: ValueError: Type names and field names must be valid identifiers",
    ),
    Hostile(
        "namedtuple with a hostile type name",
        f"import collections\nN = collections.namedtuple({INJECTED!r}, ['a'])\n{AGENT}",
        "init: ValueError: Type names and field names must be valid identifiers",
    ),
    Hostile(
        "namedtuple with a keyword field",
        f"import collections\nN = collections.namedtuple('N', ['class'])\n{AGENT}",
        "init: ValueError: Type names and field names cannot be a keyword",
    ),
    Hostile(
        "namedtuple with a dunder field",
        f"import collections\nN = collections.namedtuple('N', ['__class__'])\n{AGENT}",
        "init: ValueError: Field names cannot start with an underscore",
    ),
    Hostile(
        "namedtuple renaming hostile fields",
        "import collections\n"
        f"N = collections.namedtuple('N', [{INJECTED!r}, '__class__'], rename=True)\n{AGENT}",
        None,
    ),
    Hostile(
        "a namedtuple in typing's module, then dataclass",
        "import collections, dataclasses\n"
        "N = collections.namedtuple('N', ['a'], module='typing')\n"
        f"dataclasses.dataclass(N)\n{AGENT}",
        None,
    ),
    Hostile(
        "NamedTuple class with an underscore field",
        acting("pass", header="import typing\nclass N(typing.NamedTuple):\n    _x: int"),
        "init: ValueError: Field names cannot start with an underscore",
    ),
    Hostile(
        "dataclass with a hostile string annotation",
        acting(
            "return 'up' if C().x == 0 else 'down'",
            header=f"import dataclasses\n@dataclasses.dataclass\nclass C:\n    x: {INJECTED!r} = 0",
        ),
        None,
    ),
    Hostile(
        "dataclass replace with a hostile keyword",
        acting(
            f"dataclasses.replace(C(), **{{{INJECTED!r}: 1}})",
            header="import dataclasses\n@dataclasses.dataclass\nclass C:\n    x: int = 0",
        ),
        "step 0: TypeError",
    ),
    Hostile(
        "asdict after renaming a Field",
        acting(
            "f = dataclasses.fields(C)[0]\nf.name = '__class__'\n"
            "assert dataclasses.asdict(C()) == {'x': 0}",
            header="import dataclasses\n@dataclasses.dataclass\nclass C:\n    x: int = 0",
        ),
        None,
    ),
    Hostile(
        "replace after renaming a field()",
        acting(
            "F.name = '__class__'\nassert dataclasses.replace(C()).x == 0",
            header="import dataclasses\nF = dataclasses.field(default=0)\n"
            "@dataclasses.dataclass\nclass C:\n    x: int = F",
        ),
        None,
    ),
    Hostile(
        "a renamed field(), then a dataclass subclass",
        "import dataclasses\nF = dataclasses.field(default=0)\n"
        "@dataclasses.dataclass\nclass Base:\n    x: int = F\n"
        f"F.name = {'x,' + REAL_OS!r}\n"
        "@dataclasses.dataclass(init=False, repr=False)\nclass Sub(Base):\n    pass\n"
        f"assert Sub() == Sub()\n{AGENT}",
        None,
    ),
    Hostile(
        "a renamed Field, then a match on the subclass",
        "import dataclasses\n"
        "@dataclasses.dataclass\nclass Base:\n    x: int = 0\n"
        "dataclasses.fields(Base)[0].name = '__class__'\n"
        "@dataclasses.dataclass\nclass Sub(Base):\n    pass\n"
        "match Sub():\n    case Sub(found):\n        assert found == 0\n"
        f"{AGENT}",
        None,
    ),
    Hostile(
        "a frozen dataclass bypassed with object.__setattr__",
        acting(
            "object.__setattr__(C(), 'x', 1)",
            header="import dataclasses\n@dataclasses.dataclass(frozen=True)\n"
            "class C:\n    x: int = 0",
        ),
        _forbidden("__setattr__"),
    ),
    Hostile(
        "dataclass over an Enum functional class",
        f"import enum, dataclasses\ndataclasses.dataclass(enum.Enum('E', 'A'))\n{AGENT}",
        "init: TypeError: the Enum functional API is not available to programs",
    ),
    Hostile(
        "string.Formatter",
        acting("string.Formatter().get_field('0.__class__', [()], {})", header="import string"),
        _hidden("string", "Formatter"),
    ),
    Hostile(
        "string.Template substitute with a looping mapping",
        acting(
            "string.Template('$x').substitute(M())",
            header="import string\nclass M(dict):\n    def __getitem__(self, key):\n"
            "        while True: pass",
        ),
        f"step 0: {TIMEOUT}",
    ),
    Hostile(
        "string.Template with a pattern that is not one",
        acting("pass", header="import string\nclass T(string.Template):\n    pattern = 5"),
        "init: TypeError",
    ),
    Hostile(
        "string.Template subclass with a hostile delimiter",
        acting(
            "return T('{0.__class__}x').safe_substitute(x='up')",
            header="import string\nclass T(string.Template):\n    delimiter = '{0.__class__}'",
        ),
        None,
    ),
    Hostile(
        "functools.update_wrapper",
        acting("functools.update_wrapper(self, len, ('__self__',))", header="import functools"),
        _hidden("functools", "update_wrapper"),
    ),
    Hostile(
        "functools.wraps",
        acting("functools.wraps(len)", header="import functools"),
        _hidden("functools", "wraps"),
    ),
    Hostile(
        "functools.singledispatch",
        acting("functools.singledispatch(len)", header="import functools"),
        _hidden("functools", "singledispatch"),
    ),
    Hostile(
        "functools.partial of a forbidden builtin",
        acting("functools.partial(eval)", header="import functools"),
        "use of 'eval' is not allowed",
    ),
    Hostile(
        "cached_property writing a dunder key",
        acting(
            "C.p.attrname = '__class__'\nreturn C().p",
            header="import functools\nclass C:\n"
            "    p = functools.cached_property(lambda self: 'up')",
        ),
        None,
    ),
    Hostile(
        "copy with __reduce__",
        acting(
            "copy.copy(R())",
            header="import copy\nclass R:\n    def __reduce__(self):\n"
            "        return (eval, ('1',))",
        ),
        _forbidden("__reduce__"),
    ),
    Hostile(
        "deepcopy with __deepcopy__",
        acting(
            "copy.deepcopy(R())",
            header="import copy\nclass R:\n    def __deepcopy__(self, memo):\n        return 1",
        ),
        _forbidden("__deepcopy__"),
    ),
    Hostile(
        "deepcopy with a planted memo",
        acting("return copy.deepcopy(observation, {id(observation): 'up'})", header="import copy"),
        None,
    ),
    Hostile(
        "copy of a slotted object with dunder slot names",
        acting(
            "copy.copy(S())",
            header="import copy\nclass S:\n    __slots__ = ('__setstate__', '__reduce_ex__')",
        ),
        "step 0: TypeError",
    ),
]


def _hook(name: str, args: str = "self, *args", header: str = "") -> Hostile:
    """A class defining a hook the interpreter or a library would call."""
    source = acting(
        "C()",
        header=f"{header}\nclass C:\n    def {name}({args}):\n        {REAL_OS}",
    )
    return Hostile(f"a {name} hook", source, _forbidden(name))


# Hooks, metaclasses and the other ways classes run code
CLASSES = [
    _hook("__init_subclass__", "cls"),
    _hook("__class_getitem__", "cls, item"),
    _hook("__set_name__", "self, owner, name"),
    _hook("__getattr__", "self, name"),
    _hook("__getattribute__", "self, name"),
    _hook("__del__"),
    _hook("__new__", "cls"),
    _hook("__call__"),
    _hook("__format__", "self, spec"),
    _hook("__index__"),
    _hook("__float__"),
    _hook("__instancecheck__", "cls, instance"),
    _hook("__mro_entries__", "self, bases"),
    _hook("__reduce_ex__", "self, protocol"),
    _hook("__getstate__"),
    _hook("__missing__", "self, key"),
    Hostile(
        "a metaclass that is a function",
        acting("pass", header="class X(metaclass=lambda name, bases, ns: ns):\n    a = 1"),
        None,
    ),
    Hostile(
        "a metaclass that is a class",
        acting(
            "pass",
            header="class Meta:\n    def __init__(self, *args):\n        self.args = args\n"
            "class X(metaclass=Meta):\n    pass",
        ),
        None,
    ),
    Hostile(
        "a metaclass from an enum's class",
        acting("pass", header=f"{ENUM_HEADER}\nclass M(E.__class__):\n    pass"),
        _forbidden("__class__"),
    ),
    Hostile(
        "NamedTuple as a metaclass",
        acting("pass", header="import typing\nclass X(metaclass=typing.NamedTuple):\n    a = 1"),
        "init: TypeError",
    ),
    Hostile(
        "a module as a base class",
        acting("pass", header="import typing\nclass X(typing):\n    pass"),
        "init: TypeError",
    ),
    Hostile(
        "a Protocol's isinstance",
        acting(
            "return 'up' if isinstance(self, P) else 'down'",
            header="import typing\n@typing.runtime_checkable\nclass P(typing.Protocol):\n"
            "    def act(self, observation): ...",
        ),
        None,
    ),
    Hostile(
        "act is a property",
        "class Agent:\n    @property\n    def act(self):\n"
        "        return lambda observation: 'up'\n",
        None,
    ),
    Hostile(
        "act is a classmethod",
        "class Agent:\n    @classmethod\n    def act(cls, observation):\n        return 'up'\n",
        None,
    ),
    Hostile(
        "act is not callable",
        acting("pass", init="self.act = 5"),
        "step 0: TypeError: 'int' object is not callable",
    ),
    Hostile(
        "act deleted",
        "class Agent:\n    def act(self, observation):\n        return 'up'\ndel Agent.act\n",
        "step 0: AttributeError",
    ),
    Hostile(
        "Agent is not a class",
        "Agent = 5\n",
        "init: TypeError: 'int' object is not callable",
    ),
    Hostile(
        "classmethod __func__",
        acting("Agent.act.__func__"),
        _forbidden("__func__"),
    ),
    Hostile(
        "a property's getter globals",
        acting("P.p.fget.__globals__", header="class P:\n    p = property(lambda self: 1)"),
        _forbidden("__globals__"),
    ),
    Hostile("super() to a class", acting("super().__class__"), _forbidden("__class__")),
    Hostile(
        "super().__getattribute__",
        acting("super().__getattribute__('__class__')"),
        _forbidden("__getattribute__"),
    ),
    Hostile(
        "super with a foreign object",
        acting("super(Agent, 5).act(observation)"),
        "step 0: TypeError",
    ),
    Hostile(
        "super() outside a method",
        acting("f()", header="def f():\n    return super().x"),
        "step 0: RuntimeError",
    ),
    Hostile(
        "super to BaseException's methods",
        acting("super(Exception, ValueError()).with_traceback(None)"),
        None,
    ),
]

# Generators, coroutines and exceptions
FLOW = [
    Hostile(
        "act is a generator",
        "class Agent:\n    def act(self, observation):\n        yield 'up'\n",
        "step 0: invalid action of type generator",
    ),
    Hostile(
        "act is a coroutine",
        "class Agent:\n    async def act(self, observation):\n        return 'up'\n",
        "step 0: invalid action of type coroutine",
    ),
    Hostile(
        "a coroutine driven by hand",
        acting(
            "try:\n    co().send(None)\nexcept StopIteration as done:\n    return done.value",
            header="async def co():\n    return 'up'",
        ),
        None,
    ),
    Hostile(
        "a generator swallowing what is thrown in",
        acting(
            "g = gen()\nnext(g)\nreturn g.throw(ValueError())",
            header="def gen():\n    while True:\n        try:\n            yield 'up'\n"
            "        except Exception:\n            pass",
        ),
        None,
    ),
    Hostile(
        "AttributeError.obj",
        acting("try:\n    observation.nope\nexcept AttributeError as e:\n    return e.obj['t']"),
        "step 0: invalid action 0",
    ),
    Hostile(
        "an exception whose __str__ returns a non-str",
        acting("raise E()", header="class E(Exception):\n    def __str__(self):\n        return 1"),
        "step 0: an exception that cannot be printed",
    ),
    Hostile(
        "an exception whose __str__ raises",
        acting("raise E()", header="class E(Exception):\n    def __str__(self):\n        1 / 0"),
        "step 0: an exception that cannot be printed",
    ),
    Hostile(
        "an exception whose __str__ recurses",
        acting(
            "raise E()",
            header="class E(Exception):\n    def __str__(self):\n        return str(self)",
        ),
        "step 0: an exception that cannot be printed",
    ),
    Hostile(
        "an exception with a multi-line message",
        acting("raise ValueError('one\\ntwo\\r\\nthree')"),
        "step 0: ValueError: one two three",
    ),
    Hostile(
        "an exception with a huge message",
        acting("raise ValueError('x' * 10**6)"),
        "step 0: ValueError: xxx",
    ),
    Hostile(
        "an exception with a lone surrogate",
        acting("raise ValueError('\\ud800')"),
        "step 0: ValueError: \ud800",
    ),
    Hostile(
        "an exception with terminal escapes",
        acting("raise ValueError('\\x1b[2J\\x1b]0;pwned\\x07')"),
        "step 0: ValueError:",
    ),
    Hostile(
        "an exception forging a result",
        acting('raise ValueError(\'"}\\n{"outputs": ["up"], "error": null}\')'),
        "step 0: ValueError:",
    ),
    Hostile("raising a non-exception", acting("raise 1"), "step 0: TypeError"),
    Hostile("raising StopIteration", acting("raise StopIteration"), "step 0: StopIteration"),
    Hostile(
        "SystemExit is not there",
        acting("raise SystemExit(0)"),
        "step 0: NameError: name 'SystemExit' is not defined",
    ),
    Hostile(
        "KeyboardInterrupt is not there",
        acting("raise KeyboardInterrupt"),
        "step 0: NameError: name 'KeyboardInterrupt' is not defined",
    ),
    Hostile("raising MemoryError", acting("raise MemoryError"), "step 0: MemoryError"),
]

# Outputs: wrong, absurd, or values whose methods are hostile (read without calling them)
OUTPUTS = [
    Hostile(f"output {output}", from_step(2, output), error, at=2)
    for output, error in [
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
        ("{'up': 1e308, 'down': 1e308}", "step 2: OverflowError"),
        ("'x' * 10**7", "step 2: invalid action 'xxxxxxxx"),
        ("[0] * 10**7", "step 2: invalid action of type list"),
        ("'up\\x00'", "step 2: invalid action 'up\\x00'"),
        ("'\\ud800'", "step 2: invalid action '\\ud800'"),
        ('\'up"}\\n{"output": "down\'', "step 2: invalid action"),
        ("observation", "step 2: invalid action 't' in distribution"),
        ("('up',)", "step 2: invalid action of type tuple"),
        ("b'up'", "step 2: invalid action of type bytes"),
        ("{'up'}", "step 2: invalid action of type set"),
    ]
] + [
    Hostile(
        "a self-referential distribution",
        acting("d = {'up': 1.0}\nd['down'] = d\nreturn d"),
        "step 0: invalid action distribution: probability of type dict for 'down'",
    ),
    Hostile(
        "a float subclass as a probability",
        acting("return {'up': F(1.0)}", header="class F(float):\n    pass"),
        "step 0: invalid action distribution: probability of type F for 'up'",
    ),
    Hostile(
        "an IntEnum as an action",
        acting("return N.A", header="import enum\nclass N(enum.IntEnum):\n    A = 1"),
        "step 0: invalid action of type N",
    ),
    Hostile(
        "a str subclass with hostile methods",
        acting(
            "return S('up')",
            header="class S(str):\n    def __eq__(self, other):\n        while True: pass\n"
            "    def __hash__(self):\n        while True: pass\n"
            "    def __str__(self):\n        return 'down'\n"
            "    def __repr__(self):\n        return repr(self)\n"
            "    def __len__(self):\n        1 / 0",
        ),
        None,
    ),
    Hostile(
        "an invalid str subclass with a recursive __repr__",
        acting(
            "return S('jump')",
            header="class S(str):\n    def __repr__(self):\n        return repr(self)",
        ),
        "step 0: invalid action 'jump'",
    ),
    Hostile(
        "a dict subclass with hostile methods",
        acting(
            "return D(up=1.0)",
            header="class D(dict):\n    def __iter__(self):\n        while True: pass\n"
            "    def items(self):\n        while True: pass\n"
            "    def keys(self):\n        1 / 0\n"
            "    def __getitem__(self, key):\n        1 / 0\n"
            "    def __len__(self):\n        return -1",
        ),
        None,
    ),
    Hostile(
        "distribution keys with hostile methods",
        acting(
            "return {S('up'): 0.5, 'down': 0.5}",
            header="class S(str):\n    def __eq__(self, other):\n        while True: pass\n"
            "    def __hash__(self):\n        return 7\n"
            "    def __str__(self):\n        return 'left'",
        ),
        None,
    ),
    Hostile("a subnormal probability", constant("stay").replace("'stay'", "{'up': 5e-324}"), None),
    Hostile(
        "negative zero",
        constant("stay").replace("'stay'", "{'up': -0.0, 'down': 1}"),
        None,
    ),
    Hostile(
        "invalid output only at step 4",
        acting("if observation['t'] == 4:\n    return 'jump'"),
        "step 4: invalid action 'jump'",
        at=4,
        live=True,
    ),
]

# Printing: programs print into nothing
PRINTING = [
    Hostile("endless printing", acting("while True:\n    print('spam' * 1000)"), TIMEOUT),
    Hostile("huge output", acting("for _ in range(10):\n    print('x' * 10**6)"), None),
    Hostile(
        "printing a huge int",
        acting("print(10**5000)"),
        "step 0: ValueError: Exceeds the limit (4300 digits)",
    ),
    Hostile("printing to another file", acting("print('x', file=observation, flush=True)"), None),
    Hostile("printing a self-containing list", acting("x = []\nx.append(x)\nprint(x)"), None),
    Hostile(
        "printing with a looping __str__",
        acting("print(L())", header="class L:\n    def __str__(self):\n        while True: pass"),
        f"step 0: {TIMEOUT}",
    ),
    Hostile("printing a forged answer", acting('print(\'{"output": "up"}\')'), None),
    Hostile(  # ten times: once takes about the 0.2 s a step may, so it sometimes fitted
        "printing a million numbers, ten times",
        acting("for _ in range(10):\n    print(*range(10**6))"),
        f"step 0: {TIMEOUT}",
    ),
]

# Format strings walk attributes and items, but only ever make strings
FORMATS = [
    Hostile(
        f"format: {body}",
        acting(
            f"{body}\nassert isinstance(x, str)", header="from rote.skills.grid import manhattan"
        ),
        None,
    )
    for body in [
        "x = '{0.__class__.__mro__[1].__subclasses__}'.format(())",
        "x = '{0.gi_frame.f_globals}'.format(x for x in [])",
        "x = '{0.__globals__[__builtins__]}'.format(lambda: 0)",
        "x = '{:>{}}'.format('', 10**5)",
        "x = format(observation, '')",
        "x = '{0.__self__}'.format(len)",
        "x = '{0.__globals__[__builtins__][open]}'.format(manhattan)",
        "try:\n    1 / 0\nexcept Exception as e:\n    x = '{0.__traceback__.tb_frame}'.format(e)",
        "x = '{x.__class__}'.format_map({'x': self})",
        "x = '%s %r' % (self, observation)",
    ]
] + [
    Hostile(
        "format of a skills function's globals",
        acting(
            "x = '{0.__globals__}'.format(manhattan)\nreturn 'up' if 'MOVES' in x else 'down'",
            header="from rote.skills.grid import manhattan",
        ),
        None,
    ),
    Hostile(
        "a dunder in an f-string", acting("x = f'{observation.__class__}'"), _forbidden("__class__")
    ),
]

# Source text that strains the parser and the compiler
SOURCES = [
    Hostile("too many parentheses", "(" * 300 + ")" * 300, "syntax error: line 1: too many"),
    Hostile("a long chain of operators", "x = " + "1+" * 10**5 + "1\n" + AGENT, "syntax error"),
    Hostile("deeply nested unary minus", "x = " + "-" * 10**5 + "1\n" + AGENT, "syntax error"),
    Hostile("a NUL byte", "x = 1\0\n" + AGENT, "syntax error"),
    Hostile("a lone surrogate", "x = '\ud800'\n" + AGENT, "compile: UnicodeEncodeError"),
    Hostile("a four-megabyte program", "# padding\n" * 400_000 + AGENT, None),
    Hostile(
        "barry_as_FLUFL",
        "from __future__ import barry_as_FLUFL\nx = 1 <> 2\n" + AGENT,
        "syntax error",
    ),
]

# Programs that change over time: time bombs, failures on a later call, mutated observations
TIME = [
    Hostile(
        "time bomb at step 3",
        acting("if observation['t'] == 3:\n    while True: pass"),
        f"step 3: {TIMEOUT}",
        at=3,
        live=True,
    ),
    Hostile(
        "a C-level time bomb at step 4",
        acting("if observation['t'] == 4:\n    sum(range(10**18))"),
        KILLED,
        live=True,
    ),
    Hostile(
        "a memory bomb at step 5",
        acting("if observation['t'] == 5:\n    bytearray(10**10)"),
        "step 5: MemoryError",
        at=5,
        live=True,
    ),
    Hostile(
        "fails only on the second call",
        acting(
            "self.calls += 1\nif self.calls == 2:\n    raise ValueError('second')",
            init="self.calls = 0",
        ),
        "step 1: ValueError: second",
        at=1,
        live=True,
    ),
    Hostile(
        "times out only on the second call",
        acting("self.calls += 1\nif self.calls == 2:\n    while True: pass", init="self.calls = 0"),
        f"step 1: {TIMEOUT}",
        at=1,
        live=True,
    ),
    Hostile(
        "mutating the observation",
        acting("observation['agent'].append(99)\nobservation['t'] = -1"),
        None,
        live=True,
    ),
    Hostile("clearing the observation", acting("observation.clear()"), None, live=True),
    Hostile(
        "mutating an observation kept from before",
        acting(
            "if self.kept is not None:\n    self.kept.clear()\nself.kept = observation",
            init="self.kept = None",
        ),
        None,
        live=True,
    ),
    Hostile(
        "a generator left to the garbage collector each step",
        acting(
            "g = gen()\nnext(g)\ndel g",
            header="def gen():\n    try:\n        yield 1\n    finally:\n        print('x')",
        ),
        None,
        live=True,
    ),
]

CORPUS: list[Hostile] = [
    *LOOPS, *C_LOOPS, *MEMORY, *RECURSION, *IMPORTS, *NAMES, *ESCAPES, *VARIANTS, *CLASSES,
    *FLOW, *OUTPUTS, *PRINTING, *FORMATS, *SOURCES, *TIME,
]  # fmt: skip
assert len({case.name for case in CORPUS}) == len(CORPUS), "case names must be unique"
