"""One registration per environment family, and every lookup by env id.

An env family declares here, in one `register` call, everything rote knows about it: its spec,
the skills module its programs import, the synthesizer's vocabulary, its scripted agents, the
observation encoder behaviour cloning uses, and its bench suites. Every consumer (make_env, the
synthesizer, LLM prompts, BC, the bench, `rote agents`, the sandbox's skills allow-list) asks
this registry, so a plugin that registers once gets every part.

The parts that live above the envs layer (vocabularies, encoders, suites, the agents) may be
given as references, "module:attribute" strings resolved when first asked for, as gymnasium's
entry points are: the envs layer then never imports the layers built on it, and `import
rote.envs` stays cheap.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rote.envs.base import EnvSpec, check_env_kwargs
from rote.errors import AgentError, EnvError
from rote.skills import allow as allow_skills

if TYPE_CHECKING:  # annotations only: these layers import this one
    from rote.agents.base import Agent, AgentFactory
    from rote.baselines.encoding import ObservationEncoder
    from rote.evaluation.suites import Suite
    from rote.proposers.synthesizer.dsl import Vocabulary


@dataclass(frozen=True)
class EnvRegistration:
    """Everything rote knows about one env family (see `register`)."""

    id: str
    spec: Callable[..., EnvSpec]
    prefix: bool = False
    skills: str = "rote.skills.generic"
    vocabulary: str | Callable[[EnvSpec], Vocabulary] | None = None
    agents: str | Mapping[str, AgentFactory] = field(default_factory=dict)
    encoder: str | type[ObservationEncoder] | None = None
    suites: Mapping[str, str | Callable[[], Suite]] = field(default_factory=dict)

    def vocabulary_factory(self) -> Callable[[EnvSpec], Vocabulary] | None:
        """The synthesizer vocabulary's factory, or None where the generic one serves."""
        return None if self.vocabulary is None else _resolve(self.vocabulary, self.id)

    def agent_factories(self) -> Mapping[str, AgentFactory]:
        """The family's scripted agents by name, in registration order."""
        agents: Mapping[str, AgentFactory] = _resolve(self.agents, self.id)
        return agents

    def encoder_class(self) -> type[ObservationEncoder] | None:
        """Behaviour cloning's observation encoder, or None where the generic one serves."""
        return None if self.encoder is None else _resolve(self.encoder, self.id)

    def suite_builders(self) -> dict[str, Callable[[], Suite]]:
        """The family's own bench suites by name (a family with agents and no suites of its
        own gets a default one from the bench)."""
        return {name: _resolve(builder, self.id) for name, builder in self.suites.items()}


_REGISTRY: dict[str, EnvRegistration] = {}


def register(
    env_id: str,
    spec: Callable[..., EnvSpec],
    *,
    prefix: bool = False,
    skills: str = "rote.skills.generic",
    vocabulary: str | Callable[[EnvSpec], Vocabulary] | None = None,
    agents: str | Mapping[str, AgentFactory] | None = None,
    encoder: str | type[ObservationEncoder] | None = None,
    suites: Mapping[str, str | Callable[[], Suite]] | None = None,
) -> EnvRegistration:
    """Register an env family; only `env_id` and `spec` are required.

    - `spec`: builds the spec from env_kwargs (usually the spec class). With `prefix`, the family
      is every id `env_id:<name>` and `spec(name, **kwargs)` builds one, checking its own kwargs
      (`check_env_kwargs`) since they may depend on the name.
    - `skills`: the stdlib-only module its programs import (the sandbox loads it; LLM prompts
      list its helpers).
    - `vocabulary`: the synthesizer's vocabulary factory, taking the spec (default: generic).
    - `agents`: scripted agents, name to factory (a factory with an `rng` parameter is seeded).
    - `encoder`: behaviour cloning's `ObservationEncoder` class (default: the generic one).
    - `suites`: bench suites by name, each a function building one.
    Parts above the envs layer may be "module:attribute" references, resolved when first used.
    """
    if not env_id or ":" in env_id:
        raise EnvError(f'env id "{env_id}" must be non-empty and contain no ":"')
    if env_id in _REGISTRY:
        raise EnvError(f'env "{env_id}" is already registered')
    registration = EnvRegistration(
        env_id,
        spec,
        prefix=prefix,
        skills=skills,
        vocabulary=vocabulary,
        agents={} if agents is None else agents,
        encoder=encoder,
        suites={} if suites is None else dict(suites),
    )
    taken = {name for other in _REGISTRY.values() for name in other.suites}
    if clash := taken & set(registration.suites):
        raise EnvError(f'env "{env_id}": suite "{min(clash)}" is already registered')
    _REGISTRY[env_id] = registration
    allow_skills(registration.skills)
    return registration


def registrations() -> Iterator[EnvRegistration]:
    """Every registered family, in registration order."""
    return iter(list(_REGISTRY.values()))


def registered_envs() -> list[str]:
    """Ids of every registered env, sorted (a family registered by prefix is in
    `registrations` only: its members are named by whoever asks for one)."""
    return sorted(r.id for r in _REGISTRY.values() if not r.prefix)


def registration(env: str | EnvSpec) -> EnvRegistration:
    """The family an env id (or spec) belongs to: its own registration, or its prefix's. A
    spec built without registering, as a Python user may, gets the defaults (generic skills,
    vocabulary and encoder, no agents); an unknown id is an EnvError."""
    env_id = env if isinstance(env, str) else env.id
    prefix, colon, _ = env_id.partition(":")
    found = _REGISTRY.get(prefix if colon else env_id)
    if found is not None and found.prefix == bool(colon):
        return found
    if isinstance(env, EnvSpec):
        return EnvRegistration(env_id, type(env))
    known = ", ".join(sorted(f"{r.id}:<id>" if r.prefix else r.id for r in _REGISTRY.values()))
    raise EnvError(
        f'env "{env_id}" is not registered; known envs: {known} '
        "(an env of your own is registered by its plugin: rote --plugin FILE)"
    )


def make_env(env_id: str, **kwargs: Any) -> EnvSpec:
    """Build the spec registered as `env_id` with its env_kwargs.

    Unknown ids and arguments the spec does not accept (its `kwargs_schema`, checked before it
    is built, or its signature) raise EnvError with one line.
    """
    found = registration(env_id)
    arguments = (env_id.partition(":")[2],) if found.prefix else ()
    factory = found.spec
    if isinstance(factory, type) and issubclass(factory, EnvSpec):
        check_env_kwargs(env_id, factory.kwargs_schema, kwargs)
    try:
        inspect.signature(factory).bind(*arguments, **kwargs)
    except TypeError as error:
        raise EnvError(f'env "{env_id}": bad env_kwargs: {error}') from None
    return factory(*arguments, **kwargs)


def agent_names(env_id: str) -> list[str]:
    """Names of the scripted agents of `env_id`'s family, in registration order."""
    return list(registration(env_id).agent_factories())


def agent_factory(env_id: str, name: str) -> AgentFactory:
    """The factory of a scripted agent of `env_id`'s family; AgentError naming the known ones."""
    family = registration(env_id).agent_factories()
    if name not in family:
        known = ", ".join(family) or "none"
        raise AgentError(f'agent "{name}" is not registered for env "{env_id}"; known: {known}')
    return family[name]


def scripted_agent(env_id: str, name: str, *, seed: int = 0) -> Agent:
    """A fresh scripted agent; a stochastic one (its factory takes `rng`) gets its own stream,
    seeded from `seed`. Envs whose opponents are scripted agents build them here too."""
    return instantiate(agent_factory(env_id, name), seed=seed)


def instantiate(factory: AgentFactory, *, seed: int = 0) -> Agent:
    """A fresh agent from its factory, registered or not; a stochastic one (the factory takes
    `rng`) gets its own stream, seeded from `seed`."""
    if "rng" in inspect.signature(factory).parameters:
        return factory(rng=random.Random(f"policy:{seed}"))
    return factory()


def _resolve(ref: Any, env_id: str) -> Any:
    """An object given directly, or the one a "module:attribute" reference names."""
    return _import(ref, env_id) if isinstance(ref, str) else ref


@functools.cache
def _import(ref: str, env_id: str) -> Any:
    module, colon, attribute = ref.partition(":")
    try:
        found = importlib.import_module(module)
        return functools.reduce(getattr, attribute.split("."), found) if colon else found
    except (ImportError, AttributeError) as error:
        raise EnvError(f'env "{env_id}": cannot load {ref}: {error}') from None
