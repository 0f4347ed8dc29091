"""Central registry of environment specs: `make_env(id, **kwargs)` builds one by id."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from rote.envs.base import EnvSpec, check_env_kwargs
from rote.errors import EnvError

_REGISTRY: dict[str, Callable[..., EnvSpec]] = {}
_PREFIXES: dict[str, Callable[..., EnvSpec]] = {}


def register(env_id: str, factory: Callable[..., EnvSpec]) -> None:
    """Register an env spec factory (usually the spec class) under `env_id`."""
    if env_id in _REGISTRY:
        raise ValueError(f'env "{env_id}" is already registered')
    _REGISTRY[env_id] = factory


def register_prefix(prefix: str, factory: Callable[..., EnvSpec]) -> None:
    """Register a family of envs named `prefix:<name>`: `factory(name, **kwargs)` builds one
    (e.g. `minigrid:MiniGrid-Empty-5x5-v0`), and must give the spec the full id. Which kwargs a
    member takes may depend on its name, so the factory checks them (`check_env_kwargs`)."""
    if prefix in _PREFIXES or ":" in prefix:
        raise ValueError(f'env prefix "{prefix}" is already registered or contains ":"')
    _PREFIXES[prefix] = factory


def registered_envs() -> list[str]:
    """Ids of every registered env, sorted (prefixed families are in `registered_prefixes`)."""
    return sorted(_REGISTRY)


def registered_prefixes() -> list[str]:
    """Prefixes of registered env families, sorted."""
    return sorted(_PREFIXES)


def make_env(env_id: str, **kwargs: Any) -> EnvSpec:
    """Build the spec registered as `env_id` with its env_kwargs.

    Unknown ids and arguments the spec does not accept (its `kwargs_schema`, checked before it
    is built, or its signature) raise EnvError with one line.
    """
    prefix, colon, name = env_id.partition(":")
    factory = _PREFIXES.get(prefix) if colon else _REGISTRY.get(env_id)
    if factory is None:
        known = ", ".join([*registered_envs(), *(f"{p}:<id>" for p in registered_prefixes())])
        raise EnvError(f'env "{env_id}" is not registered; known envs: {known}')
    arguments = (name,) if colon else ()
    if isinstance(factory, type) and issubclass(factory, EnvSpec):
        check_env_kwargs(env_id, factory.kwargs_schema, kwargs)
    try:
        inspect.signature(factory).bind(*arguments, **kwargs)
    except TypeError as error:
        raise EnvError(f'env "{env_id}": bad env_kwargs: {error}') from None
    return factory(*arguments, **kwargs)
