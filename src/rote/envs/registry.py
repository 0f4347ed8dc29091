"""Central registry of environment specs: `make_env(id, **kwargs)` builds one by id."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from rote.envs.base import EnvSpec
from rote.errors import EnvError

_REGISTRY: dict[str, Callable[..., EnvSpec]] = {}


def register(env_id: str, factory: Callable[..., EnvSpec]) -> None:
    """Register an env spec factory (usually the spec class) under `env_id`."""
    if env_id in _REGISTRY:
        raise ValueError(f'env "{env_id}" is already registered')
    _REGISTRY[env_id] = factory


def registered_envs() -> list[str]:
    """Ids of every registered env, sorted."""
    return sorted(_REGISTRY)


def make_env(env_id: str, **kwargs: Any) -> EnvSpec:
    """Build the spec registered as `env_id` with its env_kwargs.

    Unknown ids and arguments the spec does not accept raise EnvError with one line.
    """
    factory = _REGISTRY.get(env_id)
    if factory is None:
        known = ", ".join(registered_envs())
        raise EnvError(f'env "{env_id}" is not registered; known envs: {known}')
    try:
        inspect.signature(factory).bind(**kwargs)
    except TypeError as error:
        raise EnvError(f'env "{env_id}": bad env_kwargs: {error}') from None
    return factory(**kwargs)
