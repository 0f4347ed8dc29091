"""Behaviour programs for tests: decoys, and variants of the Construction family programs."""

from __future__ import annotations

from rote.agents import agent_source
from rote.agents.construction import AGENTS

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
    """The `left-right` (start left) or `up-down` (start up) program, starting toward `start`."""
    family, default = ("left-right", "left") if start in ("left", "right") else ("up-down", "up")
    return agent_source("construction", family).replace(
        f'Heading("{default}")', f'Heading("{start}")'
    )


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


VARIANTS: dict[str, list[tuple[str, str]]] = {
    "colour-cycle": [
        ('CYCLE = ("green", "blue", "purple")', f"CYCLE = {cycle!r}")
        for cycle in [
            ("blue", "purple", "green"),
            ("purple", "green", "blue"),
            ("green", "purple", "blue"),
            ("yellow", "pink", "green"),
        ]
    ],
    "green-to-corner": [
        ('COLOUR = "green"\nCORNER = "top-left"', f'COLOUR = "{colour}"\nCORNER = "{corner}"')
        for colour, corner in [
            ("green", "top-right"),
            ("green", "bottom-left"),
            ("green", "bottom-right"),
            ("pink", "top-left"),
            ("pink", "top-right"),
            ("pink", "bottom-left"),
            ("blue", "top-left"),
            ("purple", "bottom-right"),
            ("yellow", "top-right"),
        ]
    ],
    "left-right": [('Heading("left")', 'Heading("right")')],
    "up-down": [('Heading("up")', 'Heading("down")')],
    "l-shape": [
        ('Heading("down")', 'Heading("up")'),
        ('Heading("right")', 'Heading("left")'),
        ("self.phase == 2", "self.phase == 0"),
    ],
    "snake": [
        ('self.horizontal = "right"', 'self.horizontal = "left"'),
        ('self.vertical = "down"', 'self.vertical = "up"'),
    ],
}
"""Changes of constants that turn a family's program into a near miss: 20 decoys in all."""


def variants() -> list[str]:
    """Programs that differ from a family's only in a constant (none equals any family)."""
    found = []
    for family, changes in VARIANTS.items():
        original = agent_source("construction", family)
        for old, new in changes:
            assert old in original, f"{family}: {old!r} not in its program"
            found.append(original.replace(old, new))
    return found


def library_with_decoys(family: str) -> list[str]:
    """The family's true program first, then 29 decoys: the other nine families and the variants."""
    others = [agent_source("construction", name) for name in AGENTS if name != family]
    return [agent_source("construction", family), *others, *variants()]
