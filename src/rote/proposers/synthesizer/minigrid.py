"""MiniGrid's vocabulary: what a person would say about an agent following a mission.

Guards: carrying (anything, a type, a colour, the mission's object), facing (an object, a type,
a colour, the mission's object, a wall, something in the way), next to the mission's object or
destination, the mission's kind, and their negations. Skills: each action, and four ways to
reach something (go to it and say done, pick it up, open it, drop the carried object beside it)
applied to what the mission names (its object, its destination) or to the nearest object of a
type and colour. The ways to reach something break ties by three conventions (`CONVENTIONS`:
the move order, preferring straight on, the way to turn round). Each is a Python expression over
`state` on `rote.skills.minigrid`, so the emitted program and the search evaluate the very same
text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rote.envs.base import EnvSpec
from rote.observation import Observation
from rote.proposers.synthesizer.dsl import Convention, Guard, Skill, Vocabulary
from rote.proposers.synthesizer.terms import ORDER, Terms
from rote.skills import minigrid as skills
from rote.skills.minigrid import ACTIONS, COLOURS, KINDS

_TERMS = Terms(skills)
VERBS: dict[str, str] = {
    "go to": "go_to",
    "pick up": "pick_up",
    "open": "open_door",
    "drop beside": "drop_beside",
}
"""How to reach something, by name: the skills-module function and its action on arrival."""
REFERENTS: dict[str, str] = {
    "the mission's object": "target_cells(state)",
    "the mission's destination": "destination_cells(state)",
}
OBJECT_TYPES: tuple[str, ...] = ("key", "ball", "box", "door", "goal")
"""Types a skill may head for (lava and floor are not destinations anyone names)."""
FACED_TYPES: tuple[str, ...] = (*OBJECT_TYPES, "lava")
CONVENTIONS = (
    ORDER,
    Convention("prefer", ("order", "straight")),
    Convention("turn", ("left", "right")),
)
"""How `rote.skills.minigrid.approach` breaks ties: its keywords, defaults first."""


class MiniGridVocabulary(Vocabulary):
    module = "rote.skills.minigrid"
    conventions = CONVENTIONS
    habits = ({"order": "lrud"}, {"prefer": "straight"})
    """Walking horizontally first, and keeping straight on: where ours turns at every step of
    such an agent's way, its plan is found only in its habit."""

    def __init__(self, env: EnvSpec | None = None) -> None:
        self._guards = self._build_guards()
        self._fixed_skills = self._build_skills()

    def parse(self, observation: Observation) -> Any:
        return skills.parse(observation)

    def guards(self, observations: Sequence[Observation] = ()) -> list[Guard]:
        return list(self._guards)

    def skills(self, observations: Sequence[Observation] = ()) -> list[Skill]:
        """The fixed skills, then reaching the nearest object of each (type, colour) seen in
        the history (a type and colour never seen cannot explain it); the cost counts every
        pair a level could hold, so the prior does not depend on the history."""
        seen = {
            (thing["type"], thing["colour"])
            for observation in observations
            for thing in observation.get("objects", [])
            if thing.get("type") in OBJECT_TYPES
        }
        choices = len(VERBS) * len(OBJECT_TYPES) * len(COLOURS)
        found = list(self._fixed_skills)
        for kind, colour in sorted(seen):
            cells = f'cells_of(state, "{kind}", "{colour}")'
            for verb, function in VERBS.items():
                code = f"{function}(state, {cells}$settings)"
                name = f"{verb} the {colour} {kind}"
                found.append(_TERMS.skill(name, code, choices, CONVENTIONS))
        return found

    @staticmethod
    def _build_guards() -> list[Guard]:
        guards = _TERMS.guard("carrying anything", "carrying(state)")
        guards += _TERMS.guard(
            "carrying the mission's object",
            "mission(state).target is not None and carrying(state, *mission(state).target)",
        )
        guards += _TERMS.guard("facing an object", "facing(state)")
        guards += _TERMS.guard("facing the mission's object", "state.front in target_cells(state)")
        guards += _TERMS.guard("facing a wall", "state.is_wall(state.front)")
        guards += _TERMS.guard("facing something in the way", "not state.passable(state.front)")
        for name, cells in REFERENTS.items():
            guards += _TERMS.guard(f"next to {name}", f"adjacent(state, {cells})", len(REFERENTS))
        for kind in ("key", "ball", "box"):
            guards += _TERMS.guard(f"carrying a {kind}", f'carrying(state, "{kind}")', 3)
        for kind in FACED_TYPES:
            guards += _TERMS.guard(f"facing a {kind}", f'facing(state, "{kind}")', len(FACED_TYPES))
        for colour in COLOURS:
            n = len(COLOURS)
            guards += _TERMS.guard(f"carrying {colour}", f'carrying(state, None, "{colour}")', n)
            guards += _TERMS.guard(f"facing {colour}", f'facing(state, None, "{colour}")', n)
        for kind in KINDS:
            guards += _TERMS.guard(
                f"the mission is {kind}", f'mission(state).kind == "{kind}"', len(KINDS)
            )
        return guards

    @staticmethod
    def _build_skills() -> list[Skill]:
        found = [_TERMS.skill(action, f'"{action}"', len(ACTIONS)) for action in ACTIONS]
        choices = len(VERBS) * len(REFERENTS)
        for verb, function in VERBS.items():
            for name, cells in REFERENTS.items():
                code = f"{function}(state, {cells}$settings)"
                found.append(_TERMS.skill(f"{verb} {name}", code, choices, CONVENTIONS))
        return found
