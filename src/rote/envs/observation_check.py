"""A fast yes/no check of an observation against its env's JSON Schema, for the per-step path.

jsonschema takes about 0.4 ms to validate one Construction observation: a fifth of a live
ROTE step at 30 particles, and most of the time spent reading a long trajectory file. Envs use a
small part of JSON Schema, so `compile_check` turns a schema made only of that part into nested
closures that answer in a few microseconds. It only ever says *whether* an observation is valid:
when it says no, jsonschema finds the message, and a schema that uses anything else (a plugin's)
gets no fast check at all, so rote's answers never depend on it. The semantics are draft 2020-12
with `EnvSpec`'s integer rule (7.0 is not an integer), mirrored keyword by keyword from
jsonschema 4; tests/envs/test_observation_check.py holds the two to the same verdicts.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Check = Callable[[Any], bool]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ANNOTATIONS = frozenset({"$schema", "$comment", "title", "description", "examples", "default"})


class _UnsupportedError(Exception):
    """The schema uses a keyword (or a form of one) this module does not mirror."""


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


TYPES: dict[str, Check] = {
    "integer": lambda value: type(value) is int,
    "number": _is_number,
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "array": lambda value: isinstance(value, list),
    "object": lambda value: isinstance(value, dict),
}


def compile_check(schema: Any) -> Check | None:
    """A check equivalent to validating against `schema`, or None if the schema goes beyond
    the keywords mirrored here."""
    if isinstance(schema, dict) and schema.get("$schema", DRAFT) != DRAFT:
        return None  # other drafts read items, and more, differently
    try:
        check = _compile(schema)
    except _UnsupportedError:
        return None

    def checked(value: Any) -> bool:
        try:
            return check(value)
        except Exception:  # an odd value (a complex number to compare): let jsonschema judge
            return False

    return checked


def _compile(schema: Any) -> Check:
    if schema is True:
        return lambda value: True
    if schema is False:
        return lambda value: False
    if not isinstance(schema, dict):
        raise _UnsupportedError
    checks = []
    for keyword, argument in schema.items():
        if keyword in ANNOTATIONS:
            continue
        build = _KEYWORDS.get(keyword)
        if build is None:
            raise _UnsupportedError
        checks.append(build(argument, schema))
    if len(checks) == 1:
        return checks[0]
    return lambda value: all(check(value) for check in checks)


def _type(argument: Any, schema: dict[str, Any]) -> Check:
    names = [argument] if isinstance(argument, str) else argument
    if not isinstance(names, list) or not all(name in TYPES for name in names):
        raise _UnsupportedError
    if len(names) == 1:
        return TYPES[names[0]]
    checks = [TYPES[name] for name in names]
    return lambda value: any(check(value) for check in checks)


def _bound(argument: Any, schema: dict[str, Any], *, lower: bool) -> Check:
    if not _is_number(argument):
        raise _UnsupportedError
    if lower:
        return lambda value: not (_is_number(value) and value < argument)
    return lambda value: not (_is_number(value) and value > argument)


def _json_equal(one: Any, two: Any) -> bool:
    """jsonschema's equality: True is not 1, and sequences and mappings compare by it."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(map(_json_equal, one, two))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return one.keys() == two.keys() and all(_json_equal(one[k], two[k]) for k in one)
    if isinstance(one, bool) or isinstance(two, bool):
        return one is two
    return bool(one == two)


def _enum(argument: Any, schema: dict[str, Any]) -> Check:
    if not isinstance(argument, list):
        raise _UnsupportedError
    words = frozenset(member for member in argument if isinstance(member, str))

    def check(value: Any) -> bool:
        if type(value) is str:  # the common case: one of a few names
            return value in words
        return any(_json_equal(value, member) for member in argument)

    return check


def _const(argument: Any, schema: dict[str, Any]) -> Check:
    return lambda value: _json_equal(value, argument)


def _properties(argument: Any, schema: dict[str, Any]) -> Check:
    if not isinstance(argument, dict):
        raise _UnsupportedError
    checks = [(name, _compile(sub)) for name, sub in argument.items()]
    return lambda value: (
        not isinstance(value, dict)
        or all(check(value[name]) for name, check in checks if name in value)
    )


def _required(argument: Any, schema: dict[str, Any]) -> Check:
    if not isinstance(argument, list) or not all(isinstance(name, str) for name in argument):
        raise _UnsupportedError
    return lambda value: not isinstance(value, dict) or all(name in value for name in argument)


def _additional_properties(argument: Any, schema: dict[str, Any]) -> Check:
    if "patternProperties" in schema:
        raise _UnsupportedError
    known = frozenset(schema.get("properties", {}))
    if argument is False:
        return lambda value: not isinstance(value, dict) or known.issuperset(value)
    check = _compile(argument)
    return lambda value: (
        not isinstance(value, dict)
        or all(check(item) for key, item in value.items() if key not in known)
    )


def _items(argument: Any, schema: dict[str, Any]) -> Check:
    start = len(schema.get("prefixItems", []))
    if argument is False:
        return lambda value: not isinstance(value, list) or len(value) <= start
    check = _compile(argument)
    if start == 0:
        return lambda value: not isinstance(value, list) or all(map(check, value))
    return lambda value: not isinstance(value, list) or all(map(check, value[start:]))


def _each(argument: Any) -> list[Check]:
    """Checks of a keyword's list of subschemas."""
    if not isinstance(argument, list):
        raise _UnsupportedError
    return [_compile(sub) for sub in argument]


def _prefix_items(argument: Any, schema: dict[str, Any]) -> Check:
    checks = _each(argument)
    return lambda value: (
        not isinstance(value, list)
        or all(check(item) for check, item in zip(checks, value, strict=False))
    )


def _count(argument: Any, schema: dict[str, Any], *, most: bool) -> Check:
    if type(argument) is not int:
        raise _UnsupportedError
    if most:
        return lambda value: not isinstance(value, list) or len(value) <= argument
    return lambda value: not isinstance(value, list) or len(value) >= argument


def _one_of(argument: Any, schema: dict[str, Any]) -> Check:
    checks = _each(argument)
    return lambda value: sum(1 for check in checks if check(value)) == 1


def _any_of(argument: Any, schema: dict[str, Any]) -> Check:
    checks = _each(argument)
    return lambda value: any(check(value) for check in checks)


def _all_of(argument: Any, schema: dict[str, Any]) -> Check:
    checks = _each(argument)
    return lambda value: all(check(value) for check in checks)


_KEYWORDS: dict[str, Callable[[Any, dict[str, Any]], Check]] = {
    "type": _type,
    "minimum": lambda argument, schema: _bound(argument, schema, lower=True),
    "maximum": lambda argument, schema: _bound(argument, schema, lower=False),
    "enum": _enum,
    "const": _const,
    "properties": _properties,
    "required": _required,
    "additionalProperties": _additional_properties,
    "items": _items,
    "prefixItems": _prefix_items,
    "minItems": lambda argument, schema: _count(argument, schema, most=False),
    "maxItems": lambda argument, schema: _count(argument, schema, most=True),
    "oneOf": _one_of,
    "anyOf": _any_of,
    "allOf": _all_of,
}
