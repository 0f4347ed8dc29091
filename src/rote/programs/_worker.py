"""Sandbox worker: runs untrusted behaviour programs for `rote.programs.sandbox`.

Started by the parent as a separate interpreter (`python -S -s -P`, importing only the standard
library, usually inside bubblewrap; see `rote.programs.confinement`). The worker itself never runs
program code: it is a *host* that forks one *particle* process per program. A particle compiles
its program, replays the history it was forked with, then stays alive and answers one `act` per
observation, so a live program costs the same at step 20 and at step 2,000. Each program having
a process of its own means no program can see or change another's state, classes or garbage.

Defence in layers, innermost first: in each particle, an AST check, curated builtins and filtered
module proxies keep programs away from interpreter internals (the Python layer, which a test-only
mode switches off); timers bound each call; rlimits bound memory; a seccomp filter denies files,
sockets, exec, fork and signals; the host kills a particle that overruns its budget. Around the
host: namespaces (no network, a read-only view of the Python installation, its own PIDs), a
seccomp filter of its own, an empty environment.

Protocol, parent <-> host, one JSON object per line; `observation` lines are raw JSON texts,
forwarded to particles unparsed:

    -> {"limits": {...}, "skills": [[name, source], ...], "checks": bool,
        "host_filter": hex | null, "particle_filter": hex | null}
    <- {"ready": true, "seccomp": bool}
    -> {"op": "history", "session": int, "actions": [...], "count": n}, then n observations
    -> {"op": "add", "session": int, "particles": [[key, source], ...], "live": bool}
    <- {"results": [[key, outputs, error, failed_at], ...]}      outputs over the whole history
    -> {"op": "step", "session": int}, then one observation
    <- {"outputs": {key: output}, "errors": {key: message}}      every live key, once
    -> {"op": "undo", "session": int}                              forget the last step
    <- {"results": [...]}                                          as for "add", rebuilt keys
    -> {"op": "drop", "session": int, "keys": [...]}               no answer
    -> {"op": "close", "session": int}                             no answer

Host <-> particle: the host writes observation lines; the particle answers
{"outputs", "error", "failed_at"} once after its replay, then {"output": ...} or {"error": ...}
per step, and exits after an error.
"""

from __future__ import annotations
import __future__

import ast
import builtins
import collections
import contextlib
import copy
import ctypes
import dataclasses
import enum
import functools
import gc
import heapq
import itertools
import json
import keyword
import math
import os
import random
import re
import resource
import select
import signal
import statistics
import string
import sys
import time
import types
import typing

# The parser normalises non-ASCII names (NFKC) with unicodedata, which it imports on first use;
# a particle may not open files, so it is loaded here, before any particle is forked.
import unicodedata  # noqa: F401
from collections.abc import Callable
from typing import Any, NamedTuple, NoReturn

Action = str | dict[str, float]

_PROGRAM_NAME = "program"
"""The module a program runs as. It sits in sys.modules in the particle because dataclasses look
a class's module up there (and then run generated methods in its globals)."""

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
    # ForwardRefs out; get_origin(Type) and Type lead to the real `type`, which builds classes
    # from arbitrary namespace dicts; the overload registry is shared state.
    "typing": frozenset(
        {"ForwardRef", "get_type_hints", "get_args", "get_origin", "Type"}
        | {"get_overloads", "clear_overloads"}
    ),
    "dataclasses": frozenset({"make_dataclass"}),  # classes from arbitrary namespace dicts
    "enum": frozenset(
        {"EnumType", "EnumMeta", "global_enum", "global_enum_repr", "global_flag_repr"}
        | {"global_str", "pickle_by_enum_name", "pickle_by_global_name"}
    ),
    "string": frozenset({"Formatter"}),  # Formatter.get_field is a getattr by string
    "random": frozenset({"Random", "SystemRandom"}),  # replaced by seeded versions
    "__future__": frozenset({"all_feature_names"}),
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

_UNCHECKED_PRELOAD = ("os", "socket", "subprocess", "signal", "ctypes", "pathlib", "shutil")
"""With the Python layer off (tests of the OS layer), modules a raw program may import: imports
that are not already loaded fail anyway, since a particle may open no file."""

_MAX_MESSAGE = 300
_MAX_ANSWER_BYTES = 1 << 26
"""A particle's answer is one line, at most a replay's outputs; longer is a broken particle."""
_REFIRE_SECONDS = 0.02
"""After a timeout fires it keeps firing, so a program that swallows it still stops."""
_KILL_MARGIN_SECONDS = 1.0
"""CPU slack beyond a budget before the host kills a particle: particles time themselves and
report, so the host only steps in when one cannot (a loop in C never sees the timer)."""
_STALL_SECONDS = 1.0
"""A particle past its budget that used no CPU for this long is blocked, not busy: killed."""
_TICK_SECONDS = 0.05


# -- the Python layer: what a program may name, import and call -------------------------------


class _ReplayError(Exception):
    """A finished, one-line error message for a replay (never raised by program code)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Timeout(BaseException):
    """Raised into program code by the timer; a BaseException so `except Exception` misses it."""


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
    """Where programs print: discards everything (nothing reads program output)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


_SINK = _Sink()


def _print(*values: object, sep: str | None = " ", end: str | None = "\n", **_: object) -> None:
    builtins.print(*values, sep=sep, end=end, file=_SINK)


def _is_forbidden_name(name: str) -> bool:
    """Dunders outside the allow-list, sunders (`_convert_`, `_missing_`: the enum hooks that
    look modules up by name) and the introspection attributes."""
    if name in _FORBIDDEN_ATTRIBUTES:
        return True
    return len(name) > 2 and name[0] == "_" and name[-1] == "_" and name not in _ALLOWED_DUNDERS


def _hasattr(obj: object, name: str) -> bool:
    if type(name) is str and _is_forbidden_name(name):
        raise ValueError(f"hasattr: attribute name {name!r} is not allowed")
    return builtins.hasattr(obj, name)


class _SeededRandom(random.Random):
    """random.Random seeded with 0 instead of OS entropy when no seed is given, so replays
    repeat."""

    def seed(  # type: ignore[override]  # as typeshed's Random.seed over _random.Random
        self, a: int | float | str | bytes | bytearray | None = 0, version: int = 2
    ) -> None:
        super().seed(0 if a is None else a, version)


class _GuardedEnumType(enum.EnumType):
    """Enum classes without the functional API: `Enum("E", names)` builds a class from
    arbitrary names (dunders included), which then reach code generators such as dataclass."""

    def __call__(cls, value: object, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            raise TypeError("the Enum functional API is not available to programs")
        return super().__call__(value)


class _Enum(enum.Enum, metaclass=_GuardedEnumType):
    pass


class _IntEnum(enum.IntEnum, metaclass=_GuardedEnumType):
    pass


class _StrEnum(enum.StrEnum, metaclass=_GuardedEnumType):
    pass


class _Flag(enum.Flag, metaclass=_GuardedEnumType):
    pass


class _IntFlag(enum.IntFlag, metaclass=_GuardedEnumType):
    pass


_GUARDED_ENUMS = {
    "Enum": _Enum,
    "IntEnum": _IntEnum,
    "StrEnum": _StrEnum,
    "Flag": _Flag,
    "IntFlag": _IntFlag,
    "ReprEnum": _Enum,
}


def _checked_fields(cls: Any) -> Any:
    """dataclass writes each field's name into source it execs: only identifiers may be fields.
    A class statement can only make such names; a hand-made `__annotations__` (a TypedDict's,
    an Enum's) could make any string."""
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063  # what dataclass reads
    for name in annotations if isinstance(annotations, dict) else [None]:
        if not (
            type(name) is str
            and name.isidentifier()
            and not keyword.iskeyword(name)
            and not _is_forbidden_name(name)
        ):
            raise TypeError(f"dataclass: field name {name!r} is not allowed")
    return cls


def _dataclass(cls: Any = None, /, **options: Any) -> Any:
    """dataclasses.dataclass, refusing field names that are not plain identifiers, and keeping
    the class's Field objects from the program (see `_fields`): a Field made with `field()`
    is replaced by a copy."""

    def wrap(cls: Any) -> Any:
        made = dataclasses.dataclass(_checked_fields(cls), **options)
        table = made.__dataclass_fields__
        for name, found in table.items():
            table[name] = copy.copy(found)
        return made

    return wrap if cls is None else wrap(cls)


def _fields(class_or_instance: Any) -> tuple[dataclasses.Field[Any], ...]:
    """dataclasses.fields, handing out copies. A class's own Field objects are trusted by
    dataclasses: a renamed one's name would be written into the source generated for a
    subclass (and exec'd), and looked up as an attribute by asdict, astuple and replace."""
    return tuple(copy.copy(found) for found in dataclasses.fields(class_or_instance))


def _exports(module: types.ModuleType) -> dict[str, object]:
    names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
    hidden = _HIDDEN.get(module.__name__, frozenset())
    values = {name: getattr(module, name) for name in names if name not in hidden}
    exports = {name: v for name, v in values.items() if not isinstance(v, types.ModuleType)}
    if module is enum:
        exports.update(_GUARDED_ENUMS)
    if module is dataclasses:
        exports.update(dataclass=_dataclass, fields=_fields)
    return exports


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


def _restricted_module() -> types.ModuleType:
    """Globals for a program: curated builtins and an import that hands out proxies."""
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


def _unchecked_module() -> types.ModuleType:
    """Globals for a program with the Python layer off: the real builtins and import."""
    module = types.ModuleType(_PROGRAM_NAME)
    module.__dict__["__builtins__"] = builtins
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
        if _is_forbidden_name(name):
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
        and node.attr.startswith("__")
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


def _compile(source: str, checks: bool) -> types.CodeType:
    try:
        tree = ast.parse(source, "<program>")
    except SyntaxError as error:
        raise _syntax_error(error) from None
    except (RecursionError, MemoryError):
        raise _ReplayError("syntax error: program too deeply nested or too large") from None
    if checks:
        _check_tree(tree)
    _catch_exceptions_only(tree)
    try:
        return compile(tree, "<program>", "exec")
    except SyntaxError as error:
        raise _syntax_error(error) from None
    except (RecursionError, MemoryError):
        raise _ReplayError("syntax error: program too deeply nested or too large") from None


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


# -- one particle: a process that runs one program --------------------------------------------


class _CpuLimits(NamedTuple):
    call_seconds: float
    replay_seconds: float


def _guarded(
    prefix: str, seconds: float, timeout: str, run: Callable[..., Any], *args: Any
) -> tuple[Any, str | None]:
    """Run program code under the call timer (CPU time, so a busy machine does not make a
    program late): `(value, None)`, or `(None, one-line error)`."""
    value: Any = None
    error: str | None = None
    _ALARM.fired = False
    _ALARM.armed = True
    signal.setitimer(signal.ITIMER_PROF, seconds, _REFIRE_SECONDS)
    try:
        try:
            value = run(*args)
        except _ReplayError as failure:
            error = failure.message
        except BaseException as exc:
            error = prefix + _describe(exc)
    except _Timeout:
        # Another tick, landing while the failure was handled (a program that timed out in
        # the middle of building something big may take longer to unwind than the ticks'
        # interval): a timeout all the same, which `fired` reports below.
        pass
    finally:
        _ALARM.armed = False  # first, so a tick landing from here on is ignored
        signal.setitimer(signal.ITIMER_PROF, 0)
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


def _load(code: types.CodeType, checks: bool) -> Any:
    module = sys.modules[_PROGRAM_NAME] = _restricted_module() if checks else _unchecked_module()
    exec(code, module.__dict__)
    agent_class = module.__dict__.get("Agent")
    if agent_class is None:
        raise _ReplayError("init: no class Agent defined")
    return agent_class()


def _act(agent: Any, observation: bytes, actions: _Actions, step: int) -> Action:
    """One call, on a fresh parse of the observation: a program that mutates what it was given
    changes nothing for the next call."""
    return _check(agent.act(json.loads(observation)), actions, step)


class _Program:
    """A program inside its particle: compiled, constructed, and stepped under its budgets."""

    def __init__(self, actions: _Actions, budget: _CpuLimits, checks: bool) -> None:
        self.actions = actions
        self.budget = budget
        self.checks = checks
        self.agent: Any = None
        self.step = 0

    def start(self, source: str) -> str | None:
        """Compile and construct; the error, if any."""
        seconds = self.budget.call_seconds
        call = f"timeout after {seconds:g} s"
        code, error = _guarded("compile: ", seconds, call, _compile, source, self.checks)
        if error is None:
            self.agent, error = _guarded("init: ", seconds, call, _load, code, self.checks)
        return error

    def act(self, observation: bytes, seconds: float, timeout: str) -> tuple[Any, str | None]:
        step = self.step
        self.step += 1
        return _guarded(
            f"step {step}: ", seconds, timeout, _act, self.agent, observation, self.actions, step
        )

    def replay(self, history: list[bytes]) -> dict[str, Any]:
        """Every step of the history under the replay budget (CPU seconds)."""
        outputs: list[Action | None] = [None] * len(history)
        start = time.process_time()
        call = f"timeout after {self.budget.call_seconds:g} s"
        overrun = f"timeout: replay exceeded {self.budget.replay_seconds:g} s"
        for step, observation in enumerate(history):
            left = self.budget.replay_seconds - (time.process_time() - start)
            if left <= 0:
                return _replayed(outputs, f"step {step}: {overrun}", step)
            seconds = min(self.budget.call_seconds, left)
            timeout = call if seconds == self.budget.call_seconds else overrun
            output, error = self.act(observation, seconds, timeout)
            if error is not None:
                return _replayed(outputs, error, step)
            outputs[step] = output
        return _replayed(outputs, None, None)


def _replayed(
    outputs: list[Action | None], error: str | None, failed_at: int | None
) -> dict[str, Any]:
    return {"outputs": outputs, "error": error, "failed_at": failed_at}


def _capped(value: int, hard: int) -> int:
    return value if hard == resource.RLIM_INFINITY else min(value, hard)


_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _prctl(option: int, argument: int) -> None:
    assert _LIBC is not None
    if _LIBC.prctl(option, argument, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


def _load_filter(program: bytes) -> None:
    """Install a compiled seccomp filter (classic BPF, from libseccomp in the parent): it holds
    for this process and every process it forks, and cannot be removed."""
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)
    assert _LIBC is not None
    if _LIBC.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "loading the seccomp filter failed")


class _Settings(NamedTuple):
    budget: _CpuLimits
    memory_mb: int
    checks: bool
    particle_filter: bytes | None


def _confine_particle(settings: _Settings) -> None:
    """Everything a particle gives up before it runs a program: its memory cap, files, core
    dumps, its ptrace-ability, and (through seccomp) files, sockets, exec, fork and signals."""
    with open("/proc/self/statm", "rb") as statm:  # bytes: a codec would be a lazy import
        in_use = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    for limit, value in (
        (resource.RLIMIT_AS, in_use + settings.memory_mb * 2**20),
        (resource.RLIMIT_FSIZE, 0),
        (resource.RLIMIT_NOFILE, 5),
        (resource.RLIMIT_CORE, 0),
    ):
        value = _capped(value, resource.getrlimit(limit)[1])
        resource.setrlimit(limit, (value, value))
    with contextlib.suppress(ValueError, OSError):  # not enforced for root, refused by some
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
    if _LIBC is not None:
        _prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))  # the host gone, nothing is left to answer
        _prctl(_PR_SET_DUMPABLE, 0)  # no /proc/<pid>/mem or ptrace by same-uid siblings
    if settings.particle_filter is not None:
        _load_filter(settings.particle_filter)


def _encoded(message: Any) -> bytes:
    return json.dumps(message, separators=(",", ":"), allow_nan=False).encode() + b"\n"


def _write_line(fd: int, message: Any) -> None:
    _write_all(fd, _encoded(message))


def _particle(source: str, history: list[bytes], actions: _Actions, settings: _Settings) -> None:
    """The particle's life: confine, replay the history, then answer one act per observation
    line on fd 3 (answers on fd 4) until the host closes the pipe or the program fails."""
    try:
        _confine_particle(settings)
    except OSError as failure:
        _write_line(4, _replayed([None] * len(history), f"sandbox: {failure}", 0))
        return
    program = _Program(actions, settings.budget, settings.checks)
    failed = program.start(source)
    if failed is not None:
        _write_line(4, _replayed([None] * len(history), failed, 0))
        return
    result = program.replay(history)
    history.clear()
    _write_line(4, result)
    if result["error"] is not None:
        return
    call = f"timeout after {settings.budget.call_seconds:g} s"
    reader = os.fdopen(3, "rb")
    named = {name: _encoded({"output": name}) for name in actions.names}
    while observation := reader.readline():
        output, error = program.act(observation, settings.budget.call_seconds, call)
        if isinstance(output, str):
            _write_all(4, named[output])
        else:
            _write_line(4, {"output": output} if error is None else {"error": error})
        if error is not None:
            return


# -- the host: forks particles and passes observations on -------------------------------------


@dataclasses.dataclass
class _Child:
    """The host's end of one particle."""

    key: str
    source: str
    pid: int
    commands: int
    """Write end of the particle's observation pipe."""
    answers: int
    """Read end of its answer pipe."""
    started: float
    """When it was last given work."""
    buffer: bytearray = dataclasses.field(default_factory=bytearray)
    cpu_at_start: float = -1.0
    """Its CPU time when first seen late (-1 until then)."""
    cpu_seen: float = 0.0
    progressed: float = 0.0


@dataclasses.dataclass
class _Session:
    actions: _Actions
    history: list[bytes] = dataclasses.field(default_factory=list)
    live: dict[str, _Child] = dataclasses.field(default_factory=dict)
    failed_at: dict[str, tuple[str, int]] = dataclasses.field(default_factory=dict)
    """Source and failing step of each key whose program failed."""


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a particle, or None where /proc cannot tell."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rpartition(b")")[2].split()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    except (OSError, ValueError, IndexError):
        return None


class _Host:
    def __init__(self, reader: Any, writer: int, settings: _Settings, parallel: int) -> None:
        self.reader = reader
        self.writer = writer
        self.settings = settings
        self.parallel = parallel
        self.sessions: dict[int, _Session] = {}

    def serve(self) -> NoReturn:
        while True:
            command = self._command()
            op, session_id = command["op"], command["session"]
            if op == "history":
                session = self.sessions.setdefault(
                    session_id, _Session(_actions(command["actions"]))
                )
                session.history.extend(self._line() for _ in range(command["count"]))
            elif op == "add":
                session = self.sessions[session_id]
                pairs = [(key, source) for key, source in command["particles"]]
                _write_line(self.writer, {"results": self._add(session, pairs, command["live"])})
            elif op == "step":
                session = self.sessions[session_id]
                _write_line(self.writer, self._step(session, self._line()))
            elif op == "undo":
                session = self.sessions[session_id]
                _write_line(self.writer, {"results": self._undo(session)})
            elif op == "drop":
                session = self.sessions[session_id]
                for key in command["keys"]:
                    child = session.live.pop(key, None)
                    if child is not None:
                        _end(child)
                    session.failed_at.pop(key, None)
            elif op == "close":
                closed = self.sessions.pop(session_id, None)
                for child in closed.live.values() if closed is not None else ():
                    _end(child)

    def _command(self) -> Any:
        line = self.reader.readline()
        if not line:
            os._exit(0)  # the parent is gone; particles die with us (PDEATHSIG)
        return json.loads(line)

    def _line(self) -> bytes:
        line: bytes = self.reader.readline()
        if not line.endswith(b"\n"):
            os._exit(0)
        return line

    # -- adding -----------------------------------------------------------------------------

    def _add(self, session: _Session, pairs: list[tuple[str, str]], live: bool) -> list[list[Any]]:
        """Fork a particle per program (at most `parallel` replaying at once) and gather each
        one's replay of the history."""
        results: list[list[Any]] = []
        waiting = collections.deque(pairs)
        running: dict[int, _Child] = {}
        budget = self.settings.budget
        limit = 2 * budget.call_seconds + budget.replay_seconds

        def start_more() -> None:
            while waiting and len(running) < self.parallel:
                child = self._fork(session, *waiting.popleft())
                running[child.answers] = child

        start_more()
        for child, message in self._gather(running, limit):
            result = _checked_replay(message, len(session.history), session.actions)
            if result is None:
                overrun = f"timeout: replay exceeded {budget.replay_seconds:g} s"
                error = _loss(child, f"{overrun} (program killed)")
                result = [None] * len(session.history), error, 0
            outputs, error, failed_at = result
            results.append([child.key, outputs, error, failed_at])
            if error is None and live:
                session.live[child.key] = child
            else:
                _end(child)
                if error is not None and live:
                    session.failed_at[child.key] = (child.source, failed_at)
            start_more()
        return results

    def _fork(self, session: _Session, key: str, source: str) -> _Child:
        commands_read, commands = os.pipe()
        answers, answers_write = os.pipe()
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:  # the particle
            try:
                os.dup2(commands_read, 3)
                os.dup2(answers_write, 4)
                os.closerange(5, 1 << 20)  # siblings' pipes, the parent's: none of its business
                history = session.history
                self.sessions.clear()
                signal.signal(signal.SIGPROF, _on_alarm)
                _particle(source, history, session.actions, self.settings)
            finally:
                os._exit(0)
        os.close(commands_read)
        os.close(answers_write)
        os.set_blocking(answers, False)
        return _Child(key, source, pid, commands, answers, started=time.monotonic())

    # -- stepping ---------------------------------------------------------------------------

    def _step(self, session: _Session, observation: bytes) -> dict[str, Any]:
        session.history.append(observation)
        running: dict[int, _Child] = {}
        errors: dict[str, str] = {}
        outputs: dict[str, Any] = {}
        step = len(session.history) - 1
        now = time.monotonic()
        for child in session.live.values():
            with contextlib.suppress(OSError):  # gone: how it ended tells what happened
                _write_all(child.commands, observation)
            child.started, child.cpu_at_start = now, -1.0
            running[child.answers] = child
        limit = self.settings.budget.call_seconds
        for child, message in self._gather(running, limit):
            output, error = _checked_step(message, step, session.actions)
            if output is None and error is None:
                timeout = f"timeout after {limit:g} s (program killed)"
                error = f"step {step}: {_loss(child, timeout)}"
            if error is None:
                outputs[child.key] = output
            else:
                errors[child.key] = error
                del session.live[child.key]
                session.failed_at[child.key] = (child.source, step)
                _end(child)
        return {"outputs": outputs, "errors": errors}

    def _undo(self, session: _Session) -> list[list[Any]]:
        """Forget the last observation: every program live before it is rebuilt by replaying
        the rest (a particle cannot step back)."""
        session.history.pop()
        step = len(session.history)
        pairs = [(key, child.source) for key, child in session.live.items()]
        pairs += [(key, source) for key, (source, at) in session.failed_at.items() if at >= step]
        for child in session.live.values():
            _end(child)
        session.live.clear()
        for key, _ in pairs:
            session.failed_at.pop(key, None)
        return self._add(session, pairs, live=True)

    # -- waiting ----------------------------------------------------------------------------

    def _gather(self, running: dict[int, _Child], limit: float) -> Any:
        """Yield (child, message or None) as each running particle answers, dies or overruns
        `limit` CPU seconds; None means no valid answer. The caller may add children to
        `running` between answers (their clocks start when they were given work)."""
        poller = select.poll()
        registered: set[int] = set()
        check_at = time.monotonic() + min(limit, _TICK_SECONDS)
        while running:
            for fd in running.keys() - registered:
                poller.register(fd, select.POLLIN)
                registered.add(fd)
            for fd, _ in poller.poll(_TICK_SECONDS * 1000):
                child = running[fd]
                try:
                    chunk = os.read(fd, 1 << 16)
                except BlockingIOError:
                    continue
                child.buffer += chunk
                if not chunk or b"\n" in chunk or len(child.buffer) > _MAX_ANSWER_BYTES:
                    poller.unregister(fd)
                    registered.discard(fd)
                    del running[fd]
                    message = _parse(child.buffer) if chunk else None
                    child.buffer.clear()
                    yield child, message
            if time.monotonic() < check_at:
                continue  # answers come in microseconds: look for overruns only now and then
            check_at = time.monotonic() + _TICK_SECONDS
            for fd, child in list(running.items()):
                if self._overran(child, limit):
                    poller.unregister(fd)
                    registered.discard(fd)
                    del running[fd]
                    os.kill(child.pid, signal.SIGKILL)
                    child.buffer.clear()
                    yield child, None

    def _overran(self, child: _Child, limit: float) -> bool:
        """Whether to kill a particle that has not answered. Until `limit` wall seconds it may
        be working or waiting for a core; after that it gets one more margin of CPU time to
        answer, and is killed sooner if it uses no CPU at all (blocked, not busy)."""
        now = time.monotonic()
        if now - child.started < limit:
            return False
        cpu = _cpu_seconds(child.pid)
        if cpu is None:  # no /proc: wall time is all there is
            return now - child.started > 2 * (limit + _KILL_MARGIN_SECONDS)
        if child.cpu_at_start < 0:
            child.cpu_at_start = child.cpu_seen = cpu
            child.progressed = now
            return False
        if cpu > child.cpu_seen:
            child.cpu_seen, child.progressed = cpu, now
        return (
            cpu - child.cpu_at_start > _KILL_MARGIN_SECONDS
            or now - child.progressed > _STALL_SECONDS
        )


def _loss(child: _Child, timeout: str) -> str:
    """Why a particle gave no valid answer, from how it ended."""
    status = _reap(child)
    if status == -signal.SIGKILL:
        return timeout
    if status < 0:
        with contextlib.suppress(ValueError):
            return f"program crashed ({signal.Signals(-status).name})"
    if status > 0:
        return f"program crashed (exit status {status})"
    return "program sent a malformed answer"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _parse(buffer: bytearray) -> Any:
    line, newline, _ = bytes(buffer).partition(b"\n")
    if not newline:
        return None
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


def _valid_output(output: object, actions: _Actions) -> bool:
    if isinstance(output, str):
        return output in actions.names
    return (
        isinstance(output, dict)
        and bool(output)
        and all(key in actions.names and type(v) is float for key, v in output.items())
    )


def _checked_replay(message: Any, steps: int, actions: _Actions) -> tuple[Any, Any, Any] | None:
    """A particle's replay answer if well formed (a particle is not trusted either)."""
    if not isinstance(message, dict):
        return None
    outputs, error = message.get("outputs"), message.get("error")
    failed_at = message.get("failed_at")
    if not (
        isinstance(outputs, list)
        and len(outputs) == steps
        and all(output is None or _valid_output(output, actions) for output in outputs)
        and (error is None) == (failed_at is None)
        and (error is None or (isinstance(error, str) and len(error) <= 2 * _MAX_MESSAGE))
        and (failed_at is None or (type(failed_at) is int and 0 <= failed_at <= steps))
    ):
        return None
    return outputs, error, failed_at


def _checked_step(message: Any, step: int, actions: _Actions) -> tuple[Any, str | None]:
    if isinstance(message, dict) and len(message) == 1:
        if _valid_output(message.get("output"), actions):
            return message["output"], None
        error = message.get("error")
        if isinstance(error, str) and len(error) <= 2 * _MAX_MESSAGE:
            return None, error
    return None, None


def _end(child: _Child) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(child.pid, signal.SIGKILL)
    _reap(child)


def _reap(child: _Child) -> int:
    """Close the host's ends and wait for the particle; its exit status as Popen reports it."""
    for fd in (child.commands, child.answers):
        with contextlib.suppress(OSError):
            os.close(fd)
    try:
        _, status = os.waitpid(child.pid, 0)
    except ChildProcessError:
        return 0
    return os.waitstatus_to_exitcode(status)


# -- start-up ---------------------------------------------------------------------------------


def _claim_protocol_fds() -> tuple[Any, int]:
    """Move the pipes to fds 3 and 4, point 0-2 at /dev/null and close everything else, so stray
    writes to fd 1/2 cannot corrupt the protocol."""
    reading, writing = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.dup2(reading, 3)
    os.dup2(writing, 4)
    os.closerange(5, 1 << 20)
    return os.fdopen(3, "rb"), 4


def _drop_root() -> None:
    """Without namespaces, a root worker would run programs as root: become nobody."""
    if os.geteuid() != 0:
        return
    with contextlib.suppress(OSError):  # e.g. a user namespace without that uid
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)


def main() -> None:
    if _LIBC is not None:  # the parent gone, nobody will read an answer (bubblewrap does the same)
        _prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))
    reader, writer = _claim_protocol_fds()
    hello = json.loads(reader.readline())
    limits = hello["limits"]
    _load_skills(hello["skills"])
    checks = hello["checks"]
    if not checks:
        for name in _UNCHECKED_PRELOAD:
            __import__(name)
    _drop_root()
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past RLIMIT_FSIZE fails, not kills
    settings = _Settings(
        _CpuLimits(limits["call_seconds"], limits["replay_seconds"]),
        limits["memory_mb"],
        checks,
        bytes.fromhex(hello["particle_filter"]) if hello["particle_filter"] else None,
    )
    if hello["host_filter"]:
        _load_filter(bytes.fromhex(hello["host_filter"]))
    gc.freeze()  # what the host has built is shared by every particle: do not copy it on a GC
    _write_line(writer, {"ready": True, "seccomp": bool(hello["host_filter"])})
    _Host(reader, writer, settings, parallel=max(2, os.cpu_count() or 1)).serve()


if __name__ == "__main__":
    main()
