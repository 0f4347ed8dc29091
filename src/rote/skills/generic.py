"""Skills for environments that bring no vocabulary of their own: the observation as it is.

Programs the generic vocabulary writes test the observation's own fields and name actions
directly, so the only skill they need is `parse`: the observation, with the one before it (the
program keeps it in `self.previous`) for a field's change since the last step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, TypeGuard

__all__ = ["Recalled", "parse"]


class Recalled(dict[str, Any]):
    """The observation's fields, as a dict, and the observation before it for `change`."""

    def __init__(
        self, observation: Mapping[str, Any], previous: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(observation)
        self.previous = previous

    def change(self, field: str) -> Any:
        """How much `field` rose since the observation before: 0 at the first one, where no
        change was seen, and None where either value is no (finite) number."""
        now = self.get(field)
        before = now if self.previous is None else self.previous.get(field)
        if not (is_number(now) and is_number(before)):
            return None
        return now - before


def is_number(value: object) -> TypeGuard[float]:
    """A finite int or float, not a bool: what the generic vocabulary compares."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def parse(observation: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> Recalled:
    """The observation's fields by name, with `previous` (the observation before it, None at
    the first) for `change`."""
    return Recalled(observation, previous)
