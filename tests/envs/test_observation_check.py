"""The fast observation check must agree with jsonschema on every value, or rote's answers would
depend on which of the two judged an observation."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rote
from rote.envs.base import Validator
from rote.envs.observation_check import compile_check

KEYS = ["a", "b", "c", "t"]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 12),
    st.sampled_from([0.0, 1.0, 7.0, -0.5, 2.5, float("nan"), float("inf")]),
    st.sampled_from(["", "a", "up", "onion", "t"]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=12,
)


def _schemas() -> st.SearchStrategy[Any]:
    types = st.sampled_from(["integer", "number", "string", "boolean", "null", "array", "object"])
    leaf = st.one_of(
        st.booleans(),
        st.fixed_dictionaries({"type": st.one_of(types, st.lists(types, min_size=1, max_size=3))}),
        st.fixed_dictionaries({"minimum": st.integers(-2, 5)}),
        st.fixed_dictionaries({"maximum": st.integers(-2, 5), "type": st.just("integer")}),
        st.fixed_dictionaries({"enum": st.lists(SCALARS, min_size=1, max_size=4)}),
        st.fixed_dictionaries({"const": JSON}),
        st.fixed_dictionaries({"minItems": st.integers(0, 3), "maxItems": st.integers(0, 4)}),
        st.fixed_dictionaries({"required": st.lists(st.sampled_from(KEYS), max_size=3)}),
    )

    def composite(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        parts = st.lists(inner, min_size=1, max_size=3)
        return st.one_of(
            st.fixed_dictionaries(
                {
                    "type": st.just("object"),
                    "properties": st.dictionaries(st.sampled_from(KEYS), inner),
                },
                optional={"additionalProperties": st.one_of(st.booleans(), inner)},
            ),
            st.fixed_dictionaries(
                {"items": inner},
                optional={"prefixItems": parts, "minItems": st.integers(0, 3)},
            ),
            st.fixed_dictionaries({"prefixItems": parts, "items": st.just(False)}),
            st.fixed_dictionaries({"oneOf": parts}),
            st.fixed_dictionaries({"anyOf": parts}),
            st.fixed_dictionaries({"allOf": parts}),
        )

    return st.recursive(leaf, composite, max_leaves=6)


def _agrees(schema: Any, value: Any) -> None:
    check = compile_check(schema)
    assert check is not None, schema
    expected = next(Validator(schema).iter_errors(value), None) is None
    assert check(value) == expected, (schema, value)


@settings(max_examples=600, deadline=None)
@given(_schemas(), JSON)
def test_agrees_with_jsonschema_on_random_schemas_and_values(schema: Any, value: Any) -> None:
    _agrees(schema, value)


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"enum": [1, "a"]}, True),
        ({"enum": [False]}, 0),
        ({"const": [0, {"a": 1}]}, [False, {"a": True}]),
        ({"const": 1}, 1.0),
        ({"enum": [None]}, 0),
        ({"type": "integer"}, 7.0),
        ({"type": "number"}, True),
        ({"minimum": 1}, False),
    ],
)
def test_agrees_where_python_and_json_differ_on_equality_and_types(schema: Any, value: Any) -> None:
    _agrees(schema, value)


def _observations() -> list[tuple[str, rote.EnvSpec, Any]]:
    found = []
    for env, agent in [("construction", "snake"), ("repeated-game", "tit-for-tat")]:
        spec = rote.make_env(env)
        trajectory = rote.rollout(spec, rote.make_agent(env, agent), steps=6, seed=0)
        found += [(env, spec, step.observation) for step in trajectory.steps]
    return found


OBSERVATIONS = _observations()


def _mutated(observation: Any, path: list[Any], replacement: Any, how: str) -> Any:
    """The observation with the value at `path` replaced, deleted or given a sibling."""
    if not path or not isinstance(observation, (dict, list)) or not observation:
        return replacement if how == "replace" else observation
    container = dict(observation) if isinstance(observation, dict) else list(observation)
    keys = list(container) if isinstance(container, dict) else list(range(len(container)))
    key = keys[path[0] % len(keys)]
    if len(path) == 1 and how == "delete":
        del container[key]
    elif len(path) == 1 and how == "add":
        if isinstance(container, dict):
            container["extra"] = replacement
        else:
            container.append(replacement)
    else:
        container[key] = _mutated(container[key], path[1:], replacement, how)
    return container


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(range(len(OBSERVATIONS))),
    st.lists(st.integers(0, 50), min_size=1, max_size=4),
    JSON,
    st.sampled_from(["replace", "delete", "add"]),
)
def test_agrees_with_jsonschema_on_damaged_observations(
    index: int, path: list[int], replacement: Any, how: str
) -> None:
    _env, spec, observation = OBSERVATIONS[index]
    _agrees(spec.observation_schema, _mutated(observation, path, replacement, how))


@pytest.mark.parametrize("env", ["construction", "repeated-game", "minigrid:BabyAI-GoToObj-v0"])
def test_every_family_of_ours_gets_the_fast_check(env: str) -> None:
    assert compile_check(rote.make_env(env).observation_schema) is not None


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "patternProperties": {"^x": {}}},
        {"$ref": "#/$defs/cell", "$defs": {"cell": {}}},
        {"$schema": "http://json-schema.org/draft-07/schema#", "items": [{"type": "integer"}]},
        {"type": "integer", "exclusiveMinimum": 0},
    ],
)
def test_a_schema_beyond_the_mirrored_keywords_gets_no_fast_check(schema: Any) -> None:
    assert compile_check(schema) is None
