"""The fallback vocabulary for an env that brings none: its observation fields and actions.

Guards: a top-level field of the observation equals a value it took on the history (strings,
integers and booleans with at most MAX_VALUES distinct values), and the negations; a numeric
field is at most a threshold between two values it took, or above it (up to MAX_THRESHOLDS
thresholds per field, spread over its values), so that "heat when below 20" is one rule that
holds on temperatures never seen, not an equality per temperature seen. Skills: each action by
name. With the DSL's rings and step counts this covers constant, periodic and
field-triggered behaviour; anything that needs geometry wants an env vocabulary
(docs/synthesizer.md says how to write one).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeGuard

from rote.envs.base import EnvSpec
from rote.observation import Observation
from rote.proposers.synthesizer.dsl import Guard, Skill, Vocabulary

MAX_VALUES = 10
MAX_THRESHOLDS = 16
"""Thresholds per numeric field: between every two neighbouring values seen, up to this many."""


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


def _at_most(field: str, bound: float) -> list[Guard]:
    """`field <= bound` and its negation: a threshold at a value seen, which the emitted program
    states as it reads (`state["temp"] <= 19`). The search's test is false where the field is
    no number, as `_equals` is where it is missing; the emitted code would fail there, but
    guards are only made for fields that are numbers in every observation."""
    cost = 1.0 + math.log(2)
    return [
        Guard(
            f"{field} is at most {bound!r}",
            f"state[{field!r}] <= {bound!r}",
            lambda state: _is_number(value := state.get(field)) and value <= bound,
            cost,
        ),
        Guard(
            f"{field} is above {bound!r}",
            f"state[{field!r}] > {bound!r}",
            lambda state: _is_number(value := state.get(field)) and value > bound,
            cost + 0.5,
        ),
    ]


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _thresholds(seen: Sequence[float]) -> list[float]:
    """Every value seen but the largest (a threshold at it splits the values below from those
    above), spread evenly when there are more than MAX_THRESHOLDS."""
    values = sorted(set(seen))[:-1]
    if len(values) <= MAX_THRESHOLDS:
        return values
    step = len(values) / MAX_THRESHOLDS
    return [values[int(i * step)] for i in range(MAX_THRESHOLDS)]


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
        numeric = (
            [
                field
                for field in observations[0]
                if all(_is_number(observation.get(field)) for observation in observations)
            ]
            if observations
            else []
        )
        for field in sorted(numeric):
            for bound in _thresholds([observation[field] for observation in observations]):
                guards += _at_most(field, bound)
        return guards

    def skills(self, observations: Sequence[Observation] = ()) -> list[Skill]:
        return [_action(name, len(self.action_names)) for name in self.action_names]
