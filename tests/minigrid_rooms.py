"""A hand-made MiniGrid observation, for tests of skills and of agents that read one."""

from __future__ import annotations

from typing import Any


def room(**changes: Any) -> dict[str, Any]:
    """A 6x6 room (border wall), agent at (1, 1) facing right; `changes` override fields."""
    border = [[x, y] for y in range(6) for x in range(6) if x in (0, 5) or y in (0, 5)]
    found: dict[str, Any] = {
        "t": 0,
        "width": 6,
        "height": 6,
        "mission": "go to the red ball",
        "agent": [1, 1],
        "direction": "right",
        "carrying": None,
        "walls": border,
        "objects": [
            {"type": "ball", "colour": "red", "pos": [3, 1]},
            {"type": "key", "colour": "blue", "pos": [1, 4]},
        ],
    }
    found.update(changes)
    return found
