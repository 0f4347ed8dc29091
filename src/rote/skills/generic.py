"""Skills for environments that bring no vocabulary of their own: the observation as it is.

Programs the generic vocabulary writes test the observation's own fields and name actions
directly, so the only skill they need is `parse`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["parse"]


def parse(observation: Mapping[str, Any]) -> Mapping[str, Any]:
    """The observation itself: generic guards read its fields by name."""
    return observation
