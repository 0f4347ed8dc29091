"""Skills for environments that bring no vocabulary of their own: the observation as it is.

Programs the generic vocabulary writes test the observation's own fields and name actions
directly, so the only skill they need is `parse`, which also keeps the observation before, for
a field's change since the last step.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any, TypeGuard

__all__ = ["Recalled", "parse"]


class Recalled(Mapping[str, Any]):
    """An observation, read by field name as it is, with the one before it for `change`."""

    def __init__(
        self, observation: Mapping[str, Any], previous: Mapping[str, Any] | None = None
    ) -> None:
        self.observation = observation
        self.previous = previous

    def __getitem__(self, field: str) -> Any:
        return self.observation[field]

    def __iter__(self) -> Iterator[str]:
        return iter(self.observation)

    def __len__(self) -> int:
        return len(self.observation)

    def change(self, field: str) -> Any:
        """How much `field` rose since the observation before: 0 at the first one, where no
        change was seen, and None where either value is no (finite) number."""
        now = self.observation.get(field)
        before = now if self.previous is None else self.previous.get(field)
        if not (is_number(now) and is_number(before)):
            return None
        return now - before


def is_number(value: object) -> TypeGuard[float]:
    """A finite int or float, not a bool: what the generic vocabulary compares."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def parse(observation: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> Recalled:
    """The observation itself, after `previous`: generic guards read its fields by name."""
    return Recalled(observation, previous)
