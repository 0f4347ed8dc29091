"""The one interface every environment implements: `EnvSpec`.

An env spec is what rote needs to know about an environment to read trajectories of it, to
describe it to a program writer (an LLM or the synthesizer), and, where it is simulated, to run
it. Observations are JSON objects, documented and checked by a JSON Schema, so that a person can
write a trajectory by hand and a program can read one without any rote types. Env kwargs, which
a trajectory header sets, are checked by a JSON Schema too, with a range for every number, so a
header cannot make an env allocate or run without bound.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, Protocol, runtime_checkable

import gymnasium as gym
import jsonschema

from rote.envs.observation_check import compile_check
from rote.envs.scene import Scene
from rote.errors import EnvError
from rote.observation import Observation

Validator = jsonschema.validators.extend(  # type: ignore[no-untyped-call]  # unannotated upstream
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: type(value) is int
    ),
)
"""JSON Schema draft 2020-12, except that 7.0 is not an integer: envs use integers as sizes,
counts and indexes, where a float fails (range(7.0)), and JSON writes integers without one."""


def check_env_kwargs(env_id: str, schema: Mapping[str, Any], kwargs: Mapping[str, Any]) -> None:
    """Raise EnvError naming the first env_kwargs field that the JSON Schema `schema` refuses.

    `make_env` calls it with a spec class's `kwargs_schema` before building the spec; families
    registered by prefix, whose kwargs depend on the name, call it in their factory.
    """
    error = next(Validator(schema).iter_errors(dict(kwargs)), None)
    if error is None:
        return
    field = "".join(f".{part}" for part in error.absolute_path)
    message = error.message
    if error.validator == "additionalProperties":
        message += f" (allowed: {', '.join(error.schema.get('properties', {})) or 'none'})"
    raise EnvError(f'env "{env_id}": env_kwargs{field}: {message}')


class EnvSpec(ABC):
    """Description of one environment, configured by its env_kwargs.

    Subclasses set the class attribute `id` and, in `__init__`, call `super().__init__` with
    their action names, rules and observation schema (and their idle action, if one does
    nothing); the constructor validates all three so a
    broken spec fails when it is built, not deep inside inference. Subclasses that take env
    kwargs declare them in `kwargs_schema`.
    """

    id: ClassVar[str]
    kwargs_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "properties": {},
        "additionalProperties": False,
    }
    """JSON Schema of the env_kwargs object: a type and a range for every field. `make_env`
    checks env_kwargs against it before the spec is built. The default accepts none."""

    def __init__(
        self,
        *,
        action_names: tuple[str, ...],
        rules: str,
        observation_schema: Mapping[str, Any],
        kwargs: Mapping[str, Any],
        idle_action: str | None = None,
    ) -> None:
        # EnvError: a plugin's spec declared wrongly is its author's error, told in one line
        if not action_names:
            raise EnvError(f"{self.id}: action_names is empty")
        if len(set(action_names)) != len(action_names):
            raise EnvError(f"{self.id}: action_names has duplicates: {action_names}")
        if not all(isinstance(name, str) and name for name in action_names):
            raise EnvError(f"{self.id}: action names must be non-empty strings")
        if not rules.strip():
            raise EnvError(f"{self.id}: rules is empty")
        if idle_action is not None and idle_action not in action_names:
            raise EnvError(f"{self.id}: idle_action {idle_action!r} is not one of action_names")
        try:
            Validator.check_schema(observation_schema)
        except jsonschema.SchemaError as error:
            message = f"{self.id}: observation_schema is no JSON Schema: {error.message}"
            raise EnvError(message) from None
        if observation_schema.get("type") != "object":
            raise EnvError(f"{self.id}: observation_schema must describe a JSON object")
        self.action_names = action_names
        self.idle_action = idle_action
        """The action that does nothing (Overcooked's and Construction's `stay`), or None where
        there is none (a repeated game's every move counts). Scores separate *what* an agent
        does from *when* by it: accuracy on the steps it acted, with this action's probability
        removed; and the `always-stay` reference predicts it."""
        self.rules = rules
        self.observation_schema = dict(observation_schema)
        self.kwargs = dict(kwargs)
        self._validator = Validator(self.observation_schema)
        self._is_valid = compile_check(self.observation_schema)

    def __getstate__(self) -> dict[str, Any]:
        # The compiled validator holds closures; specs must pickle to reach worker processes.
        state = self.__dict__.copy()
        del state["_validator"], state["_is_valid"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._validator = Validator(self.observation_schema)
        self._is_valid = compile_check(self.observation_schema)

    @abstractmethod
    def render_text(self, observation: Observation) -> str:
        """A human- and LLM-readable rendering of one observation."""

    def draw(self, observation: Observation) -> Scene | None:
        """The observation as a scene for a report (`rote.envs.scene`); None, the default,
        shows `render_text` instead."""
        return None

    def observation_errors(self, observation: Any) -> list[tuple[str, str]]:
        """The first problem with an observation, as [(field path, message)]; empty when valid.

        Field paths are dotted from the observation, e.g. `observation.agent[1]`. Problems come
        in the order the schema meets them, and only the first is computed: an observation with
        10^5 bad cells took 11 s and 760 MB to report when all were computed and sorted. A valid
        observation is recognised by the fast check where the schema allows one.
        """
        if self._is_valid is not None and self._is_valid(observation):
            return []
        error = next(self._validator.iter_errors(observation), None)
        if error is None:
            return []
        path = "observation" + "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
        )
        return [(path, error.message)]

    @property
    def simulated(self) -> bool:
        """Whether `make_gym` can build a runnable environment (replay-only envs cannot)."""
        return False

    def make_gym(self, **options: Any) -> gym.Env[Any, Any]:
        """A gymnasium.Env of this environment, for simulated envs."""
        raise EnvError(f'env "{self.id}" is replay-only: it has no simulator')

    def encode(self, env: gym.Env[Any, Any]) -> Observation:
        """The rote observation of a simulated env's current state."""
        raise EnvError(f'env "{self.id}" is replay-only: it has no simulator')


@runtime_checkable
class LayoutSwappable(Protocol):
    """A simulated env that can re-sample its layout mid-episode (the generalization test)."""

    def swap_layout(self) -> None: ...
