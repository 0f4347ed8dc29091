"""Agents with other conventions: a test set of agents written as someone else would write them.

Each follows the plan of one of our families exactly (`FAMILY` says which) but chooses among
equally good moves its own way: another move order among equally short paths, a right turn
where it must turn around, going straight when that is as short (docs/agents.md). Their walking
is `navigation`'s, written apart from rote's skills, so a prediction of them tests whether rote
fits a convention rather than assumes ours. They are not registered as agents of any env: the
`conventions` and `minigrid-conventions` suites play them, and the vocabulary gains nothing for
them.
"""

from __future__ import annotations

from rote.agents.base import AgentFactory, program_agents

CONSTRUCTION_MODULES: dict[str, str] = {
    "colour-cycle-shuffled": "colour_cycle_shuffled",
    "patrol-clockwise-horizontal-first": "patrol_clockwise_horizontal_first",
    "blue-next-to-blue-horizontal-first": "blue_next_to_blue_horizontal_first",
    "green-to-corner-horizontal-first": "green_to_corner_horizontal_first",
    "pink-to-corner-down-first": "pink_to_corner_down_first",
}
"""Construction variant to program module, in the order of the families they vary."""

MINIGRID_MODULES: dict[str, str] = {
    "go-to-object-turn-right": "go_to_object_turn_right",
    "fetch-straight": "fetch_straight",
    "put-next-horizontal-first": "put_next_horizontal_first",
}
"""MiniGrid variant to program module."""

FAMILY: dict[str, str] = {
    "colour-cycle-shuffled": "colour-cycle",
    "patrol-clockwise-horizontal-first": "patrol-clockwise",
    "blue-next-to-blue-horizontal-first": "blue-next-to-blue",
    "green-to-corner-horizontal-first": "green-to-corner",
    "pink-to-corner-down-first": "pink-to-corner",
    "go-to-object-turn-right": "go-to-object",
    "fetch-straight": "fetch",
    "put-next-horizontal-first": "put-next",
}
"""Variant to the family of ours whose plan it follows."""

CONSTRUCTION: dict[str, AgentFactory] = program_agents(__name__, CONSTRUCTION_MODULES)
"""The Construction variants, by name."""

MINIGRID: dict[str, AgentFactory] = program_agents(__name__, MINIGRID_MODULES)
"""The MiniGrid variants, by name."""
