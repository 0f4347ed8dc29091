"""Sandbox worker: replays untrusted behaviour programs for `rote.programs.sandbox`.

Started as `python -I _worker.py` and importing only the standard library, so neither rote nor
site-packages is reachable from a program. Protocol: one JSON object per line.

    parent -> worker  {"limits": {"call_seconds", "replay_seconds", "memory_mb"},
                       "skills": [[dotted name, source], ...]}                        once
    worker -> parent  {"ready": true}
    parent -> worker  {"observations": [...], "action_names": [...]}            per batch
    parent -> worker  {"sources": [...]}
    worker -> parent  {"outputs": [...], "error": str | null, "failed_at": int | null}  per source

Defence in layers, innermost first: an AST check, curated builtins and filtered module proxies
keep programs away from interpreter internals; SIGALRM timers bound each call; rlimits and a
dropped uid contain a program that escapes anyway; the parent kills the process group when a
program overruns (C-level loops never see the timer).
"""

from __future__ import annotations
import __future__

import ast
import builtins
import collections
import contextlib
import copy
import dataclasses
import enum
import functools
import heapq
import itertools
import json
import math
import os
import random
import re
import resource
import signal
import statistics
import string
import sys
import time
import types
import typing
from collections.abc import Callable
from typing import Any, BinaryIO, NamedTuple

Action = str | dict[str, float]

_PROGRAM_NAME = "program"
"""The module a program runs as. It sits in sys.modules during the program's replay because
dataclasses look a class's module up there (and then run generated methods in its globals)."""

_MODULES: dict[str, types.ModuleType] = {
    module.__name__: module
    for module in (
        *(__future__, collections, copy, dataclasses, enum, functools, heapq),
        *(itertools, math, random, re, statistics, string, typing),
    )
}

_HIDDEN: dict[str, frozenset[str]] = {
    # update_wrapper/wraps fetch attributes named by the caller (a getattr by string);
    # singledispatch evaluates string annotations.
    "functools": frozenset(
        {"update_wrapper", "wraps", "WRAPPER_ASSIGNMENTS", "WRAPPER_UPDATES"}
        | {"singledispatch", "singledispatchmethod"}
    ),
    # ForwardRef._evaluate and get_type_hints eval strings with real builtins; get_args hands
    # ForwardRefs out; the overload registry is shared between programs.
    "typing": frozenset(
        {"ForwardRef", "get_type_hints", "get_args", "get_overloads", "clear_overloads"}
    ),
    "dataclasses": frozenset({"make_dataclass"}),  # classes from arbitrary namespace dicts
    "enum": frozenset(
        {"EnumType", "EnumMeta", "global_enum", "global_enum_repr", "global_flag_repr"}
        | {"global_str", "pickle_by_enum_name", "pickle_by_global_name"}
    ),
    "string": frozenset({"Formatter"}),  # Formatter.get_field is a getattr by string
    "random": frozenset({"Random", "SystemRandom"}),  # replaced by seeded versions
    "__future__": frozenset({"all_feature_names"}),  # a mutable list shared by all programs
}

_ALLOWED_DUNDERS = frozenset(
    {"__init__", "__post_init__", "__name__", "__slots__", "__repr__", "__str__", "__hash__"}
    | {"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__", "__len__"}
    | {"__iter__", "__next__", "__contains__", "__getitem__"}
)
"""Dunders a program may write: method definitions and reads that yield only strings or bound
methods (whose own dunders stay forbidden)."""

_FORBIDDEN_ATTRIBUTES = frozenset(
    {"gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "cr_origin"}
    | {"ag_frame", "ag_code", "ag_await", "f_back", "f_builtins", "f_code", "f_globals"}
    | {"f_locals", "f_trace", "tb_frame", "tb_next", "co_code", "co_consts", "func_code"}
    | {"func_globals", "func_closure", "im_func", "im_self", "_getframe", "_evaluate", "mro"}
)
"""Introspection attributes without dunders that lead to frames, code or foreign globals, and
`mro`, which leads from Exception to BaseException and so to catching the timeout."""

_FORBIDDEN_BUILTINS = frozenset(
    {"eval", "exec", "compile", "open", "globals", "locals", "vars", "getattr", "setattr"}
    | {"delattr", "input", "breakpoint", "memoryview", "type", "dir", "help", "exit", "quit"}
)
"""Builtins that are missing from a program's builtins; naming one is rejected up front so the
error says why instead of surfacing as a NameError mid-replay."""

_SAFE_BUILTINS = (
    {"abs", "all", "any", "ascii", "bin", "bool", "bytearray", "bytes", "callable", "chr"}
    | {"classmethod", "complex", "dict", "divmod", "enumerate", "filter", "float", "format"}
    | {"frozenset", "hash", "hex", "id", "int", "isinstance", "issubclass", "iter", "len"}
    | {"list", "map", "max", "min", "next", "object", "oct", "ord", "pow", "property"}
    | {"range", "repr", "reversed", "round", "set", "slice", "sorted", "staticmethod", "str"}
    | {"sum", "super", "tuple", "zip", "Ellipsis", "NotImplemented", "Exception"}
    | {"ArithmeticError", "AssertionError", "AttributeError", "FloatingPointError"}
    | {"IndexError", "KeyError", "LookupError", "MemoryError", "NameError"}
    | {"NotImplementedError", "OverflowError", "RecursionError", "RuntimeError"}
    | {"StopIteration", "TypeError", "UnboundLocalError", "ValueError", "ZeroDivisionError"}
)
"""No BaseException: the timeout is one, so only a bare `except:` could catch it, and those are
rewritten to `except Exception:`."""

_MAX_MESSAGE = 300
_CACHE_SIZE = 1024
_REFIRE_SECONDS = 0.02
"""After a timeout fires it keeps firing, so a program that swallows it still stops."""
_CPU_BACKSTOP_SECONDS = 10
_NOBODY = 65534


class _ReplayError(Exception):
    """A finished, one-line error message for a replay (never raised by program code)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Timeout(BaseException):
    """Raised into program code by SIGALRM; a BaseException so `except Exception` misses it."""


class _Alarm:
    """Whether a tick of the call timer may interrupt (armed) and whether one did (fired)."""

    armed = False
    fired = False


_ALARM = _Alarm()


def _on_alarm(signum: int, frame: types.FrameType | None) -> None:
    if _ALARM.armed:
        _ALARM.fired = True
        raise _Timeout


class _Sink:
    """Where programs print: discards everything, so output can neither reach the protocol nor
    fill memory (nothing reads program output)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


_SINK = _Sink()


def _print(*values: object, sep: str | None = " ", end: str | None = "\n", **_: object) -> None:
    builtins.print(*values, sep=sep, end=end, file=_SINK)


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _hasattr(obj: object, name: str) -> bool:
    if type(name) is str and (
        name in _FORBIDDEN_ATTRIBUTES or (_is_dunder(name) and name not in _ALLOWED_DUNDERS)
    ):
        raise ValueError(f"hasattr: attribute name {name!r} is not allowed")
    return builtins.hasattr(obj, name)


class _SeededRandom(random.Random):
    """random.Random seeded with 0 instead of OS entropy when no seed is given, so replays
    repeat."""

    def seed(  # type: ignore[override]  # as typeshed's Random.seed over _random.Random
        self, a: int | float | str | bytes | bytearray | None = 0, version: int = 2
    ) -> None:
        super().seed(0 if a is None else a, version)


def _exports(module: types.ModuleType) -> dict[str, object]:
    names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
    hidden = _HIDDEN.get(module.__name__, frozenset())
    values = {name: getattr(module, name) for name in names if name not in hidden}
    return {name: v for name, v in values.items() if not isinstance(v, types.ModuleType)}


_EXPORTS = {name: _exports(module) for name, module in _MODULES.items()}


def _proxy(name: str) -> types.ModuleType:
    """A module holding only the public, non-module attributes of an allowed module: `typing.sys`
    and the like would otherwise lead to sys.modules.

    Its name is no real module's: `from collections import abc` falls back to
    sys.modules["<module name>.abc"] when the attribute is missing."""
    proxy = types.ModuleType(f"{name} (sandboxed)")
    proxy.__dict__.update(_EXPORTS[name])
    if name == "random":
        rng = _SeededRandom(0)
        proxy.__dict__.update({n: getattr(rng, n) for n in _EXPORTS[name]}, Random=_SeededRandom)
    return proxy


def _load_skills(modules: list[list[str]]) -> None:
    """Run rote's skills modules (trusted, stdlib-only; see `rote.skills`) and let programs
    import them like the standard library, through proxies."""
    for name, source in modules:
        module = types.ModuleType(name)
        package = name.rpartition(".")[0]
        while package and package not in sys.modules:  # so the modules can import each other
            sys.modules[package] = types.ModuleType(package)
            package = package.rpartition(".")[0]
        sys.modules[name] = module
        exec(compile(source, f"<{name}>", "exec"), module.__dict__)
        _MODULES[name] = module
        _EXPORTS[name] = _exports(module)


def _package_proxy(
    name: str, leaf: types.ModuleType, packages: dict[str, types.ModuleType]
) -> types.ModuleType:
    """What `import a.b.c` binds to `a`: package proxies down to the leaf module, shared by a
    program's imports so `import a.b.c` and `import a.b.d` both stay reachable."""
    parts = name.split(".")
    child = leaf
    for depth in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:depth])
        package = packages.setdefault(prefix, types.ModuleType(f"{prefix} (sandboxed)"))
        setattr(package, parts[depth], child)
        child = package
    return child


def _program_module() -> types.ModuleType:
    """Fresh globals for one replay: curated builtins and an import that hands out proxies,
    built anew so no program sees another's module attributes or random state."""
    imported: dict[str, types.ModuleType] = {}
    packages: dict[str, types.ModuleType] = {}

    def restricted_import(
        name: str,
        globals: object = None,
        locals: object = None,
        fromlist: object = (),
        level: int = 0,
    ) -> types.ModuleType:
        if type(name) is not str or level != 0 or name not in _MODULES:
            raise ImportError(f"import of {name!r} is not allowed")
        if name not in imported:
            imported[name] = _proxy(name)
        if fromlist or "." not in name:
            return imported[name]
        return _package_proxy(name, imported[name], packages)

    table: dict[str, object] = {name: getattr(builtins, name) for name in _SAFE_BUILTINS}
    table.update(
        print=_print,
        hasattr=_hasattr,
        __build_class__=builtins.__build_class__,
        __import__=restricted_import,
    )
    module = types.ModuleType(_PROGRAM_NAME)
    module.__dict__["__builtins__"] = table
    return module


def _bound_names(tree: ast.Module) -> set[str]:
    """Every name the program binds somewhere (a local `type = ...` is not the builtin)."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            bound.add(node.asname or node.name.partition(".")[0])
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
    return bound


def _identifiers(node: ast.AST) -> list[str]:
    """The identifiers a node spells out: every string field except literals and module names."""
    if isinstance(node, ast.Import):
        return [alias.asname for alias in node.names if alias.asname]
    if isinstance(node, ast.ImportFrom):
        return [n for alias in node.names for n in (alias.name, alias.asname) if n and n != "*"]
    if isinstance(node, ast.Constant | ast.alias):
        return []
    found: list[str] = []
    for _, value in ast.iter_fields(node):
        found.extend(v for v in (value if isinstance(value, list) else [value]) if type(v) is str)
    return found


def _problem(node: ast.AST, bound: set[str]) -> str | None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name not in _MODULES:
                return f"import of {alias.name!r} is not allowed"
    if isinstance(node, ast.ImportFrom):
        module = "." * node.level + (node.module or "")
        if module not in _MODULES:
            return f"import from {module!r} is not allowed"
    for name in _identifiers(node):
        if name in _FORBIDDEN_ATTRIBUTES or (_is_dunder(name) and name not in _ALLOWED_DUNDERS):
            return f"name {name!r} is not allowed"
    if isinstance(node, ast.Name):
        if isinstance(node.ctx, ast.Load):
            if node.id in _FORBIDDEN_BUILTINS and node.id not in bound:
                return f"use of {node.id!r} is not allowed"
        elif node.id == "__name__":
            return "assignment to '__name__' is not allowed"
    if (
        isinstance(node, ast.Attribute)
        and not isinstance(node.ctx, ast.Load)
        and _is_dunder(node.attr)
    ):
        return f"assignment to attribute {node.attr!r} is not allowed"
    return None


def _check_tree(tree: ast.Module) -> None:
    bound = _bound_names(tree)
    for node in ast.walk(tree):
        problem = _problem(node, bound)
        if problem is not None:
            raise _ReplayError(f"forbidden: line {getattr(node, 'lineno', 0)}: {problem}")


def _catch_exceptions_only(tree: ast.Module) -> None:
    """Turn bare `except:` into `except Exception:` so it cannot swallow the timeout."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is None:
            node.type = ast.copy_location(ast.Name("Exception", ast.Load()), node)


def _syntax_error(error: SyntaxError) -> _ReplayError:
    return _ReplayError(_one_line(f"syntax error: line {error.lineno}: {error.msg}"))


def _compile(source: str) -> types.CodeType:
    try:
        tree = ast.parse(source, "<program>")
    except SyntaxError as error:
        raise _syntax_error(error) from None
    except (RecursionError, MemoryError):
        raise _ReplayError("syntax error: program too deeply nested or too large") from None
    _check_tree(tree)
    _catch_exceptions_only(tree)
    try:
        return compile(tree, "<program>", "exec")
    except SyntaxError as error:
        raise _syntax_error(error) from None
    except (RecursionError, MemoryError):
        raise _ReplayError("syntax error: program too deeply nested or too large") from None


_CODE: dict[str, types.CodeType | str] = {}
"""Compiled programs (or their compile errors) by source, least recently used first."""


def _compiled(source: str) -> types.CodeType:
    cached = _CODE.pop(source, None)
    if cached is None:
        try:
            cached = _compile(source)
        except _ReplayError as failure:
            cached = failure.message
        if len(_CODE) >= _CACHE_SIZE:
            del _CODE[next(iter(_CODE))]
    _CODE[source] = cached
    if isinstance(cached, str):
        raise _ReplayError(cached)
    return cached


def _one_line(text: str) -> str:
    text = " ".join(text[: 2 * _MAX_MESSAGE].split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _describe(error: BaseException) -> str:
    """`Type: message` for any exception, even one whose class or str() runs program code."""
    try:
        name, text = type(error).__name__, str(error)
        if type(name) is not str or type(text) is not str:
            raise TypeError
    except BaseException:
        return "an exception that cannot be printed"
    return _one_line(f"{name}: {text}" if text else name)


def _guarded(
    prefix: str, seconds: float, timeout: str, run: Callable[..., Any], *args: Any
) -> tuple[Any, str | None]:
    """Run program code under the call timer: `(value, None)`, or `(None, one-line error)`."""
    value: Any = None
    error: str | None = None
    _ALARM.fired = False
    _ALARM.armed = True
    signal.setitimer(signal.ITIMER_REAL, seconds, _REFIRE_SECONDS)
    try:
        value = run(*args)
    except _ReplayError as failure:
        error = failure.message
    except BaseException as exc:
        error = prefix + _describe(exc)
    finally:
        _ALARM.armed = False  # first, so a tick landing from here on is ignored
        signal.setitimer(signal.ITIMER_REAL, 0)
    if _ALARM.fired:
        return None, prefix + timeout
    return value, error


class _Actions(NamedTuple):
    names: frozenset[str]
    listing: str


def _actions(names: list[str]) -> _Actions:
    listing = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
    return _Actions(frozenset(names), listing)


def _shown(value: object) -> str:
    """A short repr of a value from a program, calling no program code."""
    if type(value) in (str, int, float, bool, type(None)):
        try:
            text = repr(value)
        except ValueError:  # an int too long to print
            text = "a huge int"
        return text if len(text) <= 40 else text[:37] + "..."
    return f"of type {type(value).__name__}"


def _check(output: object, actions: _Actions, step: int) -> Action:
    """The output as a valid action, or a _ReplayError.

    Strs and dicts, subclasses included (a str-valued Enum, a Counter), are read through
    str.__str__ and dict.items, which call no program method: an overridden __eq__, __hash__ or
    __iter__ is never trusted."""
    invalid = f"step {step}: invalid action"
    if isinstance(output, str):
        name = str.__str__(output)
        if name in actions.names:
            return name
        raise _ReplayError(_one_line(f"{invalid} {_shown(name)} (not one of {actions.listing})"))
    if not isinstance(output, dict):
        raise _ReplayError(
            f"{invalid} {_shown(output)} (expected an action name or a dict of probabilities)"
        )
    weights: dict[str, float] = {}
    for key, value in dict.items(output):
        action = str.__str__(key) if isinstance(key, str) else None
        if action is None or action not in actions.names:
            raise _ReplayError(_one_line(f"{invalid} {_shown(key)} in distribution"))
        try:
            weight = float(value) if type(value) in (int, float) else math.nan
        except OverflowError:
            weight = math.inf
        if not (math.isfinite(weight) and weight >= 0):
            raise _ReplayError(
                _one_line(f"{invalid} distribution: probability {_shown(value)} for {action!r}")
            )
        weights[action] = weight
    total = math.fsum(weights.values())
    if not (math.isfinite(total) and total > 0):
        raise _ReplayError(f"{invalid} distribution: probabilities must have a positive finite sum")
    return {action: weight / total for action, weight in weights.items()}


def _load(code: types.CodeType) -> Any:
    module = sys.modules[_PROGRAM_NAME] = _program_module()
    exec(code, module.__dict__)
    agent_class = module.__dict__.get("Agent")
    if agent_class is None:
        raise _ReplayError("init: no class Agent defined")
    return agent_class()


def _act(agent: Any, observation: str, actions: _Actions, step: int) -> Action:
    return _check(agent.act(json.loads(observation)), actions, step)


class _Budget(NamedTuple):
    call_seconds: float
    replay_seconds: float


def _cpu_backstop(budget: _Budget) -> None:
    """Let this program use its replay budget plus slack in CPU time, then die by SIGXCPU: a
    last resort should the parent fail to kill a hung worker."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime + budget.replay_seconds) + _CPU_BACKSTOP_SECONDS
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    resource.setrlimit(resource.RLIMIT_CPU, (_capped(soft, hard), hard))


def replay(
    source: str, observations: list[str], actions: _Actions, budget: _Budget
) -> dict[str, Any]:
    """Run one program over the observations (JSON texts, parsed afresh for every call)."""
    outputs: list[Action | None] = [None] * len(observations)

    def result(error: str | None = None, failed_at: int | None = None) -> dict[str, Any]:
        return {"outputs": outputs, "error": error, "failed_at": failed_at}

    _cpu_backstop(budget)
    start = time.monotonic()
    call = f"timeout after {budget.call_seconds:g} s"
    code, error = _guarded("compile: ", budget.call_seconds, call, _compiled, source)
    if error is not None:
        return result(error, 0)
    agent, error = _guarded("init: ", budget.call_seconds, call, _load, code)
    if error is not None:
        return result(error, 0)
    for step, observation in enumerate(observations):
        left = budget.replay_seconds - (time.monotonic() - start)
        overrun = f"timeout: replay exceeded {budget.replay_seconds:g} s"
        if left <= 0:
            return result(f"step {step}: {overrun}", step)
        seconds = min(budget.call_seconds, left)
        timeout = call if seconds == budget.call_seconds else overrun
        output, error = _guarded(
            f"step {step}: ", seconds, timeout, _act, agent, observation, actions, step
        )
        if error is not None:
            return result(error, step)
        outputs[step] = output
    return result()


def _capped(value: int, hard: int) -> int:
    return value if hard == resource.RLIM_INFINITY else min(value, hard)


def _claim_protocol_fds() -> tuple[BinaryIO, BinaryIO]:
    """Move the pipes to fds 3 and 4, point 0-2 at /dev/null and close everything else, so stray
    writes to fd 1/2 cannot corrupt the protocol and fds 0-4 are exactly the open ones."""
    reading, writing = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.dup2(reading, 3)
    os.dup2(writing, 4)
    for entry in os.listdir("/proc/self/fd"):
        if int(entry) > 4:
            with contextlib.suppress(OSError):  # the listing's own fd, already closed
                os.close(int(entry))
    return os.fdopen(3, "rb"), os.fdopen(4, "wb")


def _drop_root() -> None:
    """As root, RLIMIT_NPROC is not enforced and an escaped program could read anything."""
    if os.geteuid() != 0:
        return
    try:
        os.setgroups([])
        os.setgid(_NOBODY)
        os.setuid(_NOBODY)
    except OSError:  # e.g. a user namespace without that uid
        pass


def _lock_down(memory_mb: int, open_fds: int) -> None:
    with open("/proc/self/statm", encoding="ascii") as statm:
        in_use = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _drop_root()
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past RLIMIT_FSIZE fails, not kills
    signal.signal(signal.SIGALRM, _on_alarm)
    for limit, value in (
        (resource.RLIMIT_AS, in_use + memory_mb * 2**20),
        (resource.RLIMIT_FSIZE, 0),
        (resource.RLIMIT_NOFILE, open_fds),
        (resource.RLIMIT_CORE, 0),
    ):
        value = _capped(value, resource.getrlimit(limit)[1])
        resource.setrlimit(limit, (value, value))
    with contextlib.suppress(ValueError, OSError):  # where not permitted
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))


def _read(reader: BinaryIO) -> Any:
    line = reader.readline()
    if not line:
        sys.exit(0)  # the parent closed the pipe
    return json.loads(line)


def _write(writer: BinaryIO, message: dict[str, Any]) -> None:
    writer.write(json.dumps(message, separators=(",", ":"), allow_nan=False).encode() + b"\n")
    writer.flush()


def main() -> None:
    reader, writer = _claim_protocol_fds()
    hello = _read(reader)
    limits = hello["limits"]
    _load_skills(hello["skills"])
    _lock_down(limits["memory_mb"], open_fds=writer.fileno() + 1)
    budget = _Budget(limits["call_seconds"], limits["replay_seconds"])
    _write(writer, {"ready": True})
    while True:
        episode = _read(reader)
        observations = [json.dumps(observation) for observation in episode["observations"]]
        actions = _actions(episode["action_names"])
        for source in _read(reader)["sources"]:
            _write(writer, replay(source, observations, actions, budget))


if __name__ == "__main__":
    main()
