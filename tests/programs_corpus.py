"""Standalone behaviour programs for tests: true programs of simple families, and decoys."""

from __future__ import annotations

BOUNCE = """
MOVES = {{"up": (0, -1), "down": (0, 1), "left": (-1, 0), "right": (1, 0)}}
OPPOSITE = {{"up": "down", "down": "up", "left": "right", "right": "left"}}


class Agent:
    def __init__(self):
        self.direction = "{start}"

    def blocked(self, observation, direction):
        x, y = observation["agent"]
        dx, dy = MOVES[direction]
        nx, ny = x + dx, y + dy
        last = observation["size"] - 1
        return nx <= 0 or ny <= 0 or nx >= last or ny >= last or [nx, ny] in observation["walls"]

    def act(self, observation):
        if self.blocked(observation, self.direction):
            self.direction = OPPOSITE[self.direction]
        if self.blocked(observation, self.direction):
            return "stay"
        return self.direction
"""

ALWAYS = """
class Agent:
    def act(self, observation):
        return "{action}"
"""

CYCLE = """
class Agent:
    def __init__(self):
        self.t = 0

    def act(self, observation):
        self.t += 1
        return {moves!r}[(self.t - 1) % {n}]
"""

ACTIONS = ("stay", "up", "down", "left", "right", "interact")


def bounce(start: str) -> str:
    """The true program of `left-right` (start left) and `up-down` (start up)."""
    return BOUNCE.format(start=start)


def always(action: str) -> str:
    return ALWAYS.format(action=action)


def cycle(moves: list[str]) -> str:
    return CYCLE.format(moves=moves, n=len(moves))


def decoys() -> list[str]:
    """Programs that are not any scripted family: constant actions and fixed move cycles."""
    cycles = [
        ["up", "right", "down", "left"],
        ["left", "left", "right", "right"],
        ["up", "down"],
        ["left", "right"],
        ["right", "down"],
        ["up", "up", "left"],
        ["down", "down", "right"],
        ["interact", "up", "interact", "down"],
        ["right", "right", "up", "up", "left", "left", "down", "down"],
    ]
    return [always(action) for action in ACTIONS] + [cycle(moves) for moves in cycles]
