"""Skills: the stdlib-only modules behaviour programs may import, in the sandbox and out.

Each env family names its skills module in its registration (`rote.envs.register`), which allows
it here; the sandbox sends every allowed module to its workers and exposes it to programs under
its own name, so `from rote.skills.construction import walk` means the same thing wherever a
program runs. A skills module imports only the standard library and the modules allowed before
it. The list lives here, not in the env registry, so the sandbox (`rote.programs`) stays
standard library only.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.util

_ALLOWED: list[str] = ["rote.skills.grid", "rote.skills.generic"]
"""The base modules family skills build on, then each registered family's, in order."""


def allow(module: str) -> None:
    """Let programs import `module` (once; the order of first calls is the load order)."""
    if module not in _ALLOWED:
        _ALLOWED.append(module)


def modules() -> tuple[str, ...]:
    """Every allowed skills module, in load order."""
    return tuple(_ALLOWED)


def sources() -> list[tuple[str, str]]:
    """(name, source) of every allowed module, in load order: what each worker is sent."""
    return [(name, _source(name)) for name in _ALLOWED]


@functools.cache
def _source(module: str) -> str:
    """A module's source, read once per process without running it here."""
    spec = importlib.util.find_spec(module)
    loader = None if spec is None else spec.loader
    source = loader.get_source(module) if isinstance(loader, importlib.abc.InspectLoader) else None
    if source is None:
        raise ImportError(f"skills module {module}: no Python source found")
    return source
