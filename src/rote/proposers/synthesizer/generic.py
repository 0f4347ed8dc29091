"""The fallback vocabulary for an env that brings none: its observation fields and actions.

Guards: a top-level field of the observation equals a value it took on the history (strings,
integers and booleans with at most MAX_VALUES distinct values), and the negations. Skills: each
action by name. With the DSL's rings and step counts this covers constant, periodic and
field-triggered behaviour; anything that needs geometry wants an env vocabulary
(docs/synthesizer.md says how to write one).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rote.envs.base import EnvSpec
from rote.observation import Observation
from rote.proposers.synthesizer.dsl import Guard, Skill, Vocabulary

MAX_VALUES = 10


def _equals(field: str, value: object) -> Guard:
    code = f"state[{field!r}] == {value!r}"
    return Guard(
        f"{field} is {value!r}", code, lambda state: state.get(field) == value, 1.0 + math.log(2)
    )


def _differs(field: str, value: object) -> Guard:
    code = f"state[{field!r}] != {value!r}"
    return Guard(
        f"{field} is not {value!r}",
        code,
        lambda state: state.get(field) != value,
        1.5 + math.log(2),
    )


def _action(name: str, choices: int) -> Skill:
    return Skill(name, repr(name), lambda state: name, 1.0 + math.log(choices))


class GenericVocabulary(Vocabulary):
    module = "rote.skills.generic"

    def __init__(self, env: EnvSpec) -> None:
        self.action_names = tuple(env.action_names)

    def parse(self, observation: Observation) -> Any:
        return observation

    def guards(self, observations: Sequence[Observation] = ()) -> list[Guard]:
        values: dict[str, dict[object, None]] = {}
        for observation in observations:
            for field, value in observation.items():
                if type(value) in (str, int, bool):
                    values.setdefault(field, {}).setdefault(value)
        guards = []
        for field in sorted(values):
            seen = list(values[field])
            if 1 < len(seen) <= MAX_VALUES:
                for value in seen:
                    guards += [_equals(field, value), _differs(field, value)]
        return guards

    def skills(self, observations: Sequence[Observation] = ()) -> list[Skill]:
        return [_action(name, len(self.action_names)) for name in self.action_names]
