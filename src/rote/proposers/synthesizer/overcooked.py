"""Overcooked's vocabulary: what a person would say about a cook in a shared kitchen.

Guards: holding nothing / an onion / a dish / a soup, the partner holding the same, some pot
ready / cooking / with room / empty, an onion / dish / soup lying on a counter, facing a
station (onion or dish dispenser, pot, serving counter, counter, floor) or the partner, the
partner next to me, having moved, stepped to another cell, or only turned at the tick before
(read off the previous observation: the vocabulary `recalls`), having pressed a move key that
changed nothing, or interact, at the tick before (the observation's `last_action`), and their
negations. Skills:
stay (the cheapest: people wait a lot), interact, keep heading (press the way one faces: people
hold keys down), each move, and for each kind of target (onion or dish dispenser, serving
counter, any pot, a pot ready / cooking / with room, an empty counter, a counter with an onion
/ dish / soup) "go to" it (walk there and face it) and "use" it (go, then interact), breaking
ties by the move order convention (`ORDER`). Moving toward a cell one cannot enter only turns,
so facing is part of arriving. Each is a Python expression over `state` on
`rote.skills.overcooked`, so the emitted program and the search evaluate the very same text.
"""

from __future__ import annotations

from typing import Any

from rote.envs.base import EnvSpec
from rote.observation import Observation
from rote.proposers.synthesizer.dsl import FixedVocabulary, Guard, Skill
from rote.proposers.synthesizer.terms import ORDER, Terms
from rote.skills import overcooked as skills
from rote.skills.overcooked import MOVES

_TERMS = Terms(skills)
_guard, _skill = _TERMS.guard, _TERMS.skill

HELD = ("onion", "dish", "soup")
POT_KINDS = ("ready", "cooking", "room", "empty")
FACED = {"O": "an onion dispenser", "D": "a dish dispenser", "P": "a pot"}
FACED |= {"S": "a serving counter", "X": "a counter", " ": "floor"}
TARGETS: dict[str, str] = {
    "an onion dispenser": "state.onions()",
    "a dish dispenser": "state.dishes()",
    "a serving counter": "state.serving()",
    "a pot": "state.all_pots()",
    "a ready pot": 'state.pots_where("ready")',
    "a cooking pot": 'state.pots_where("cooking")',
    "a pot with room": 'state.pots_where("room")',
    "an empty counter": "state.counters()",
    "a counter with an onion": 'state.counters("onion")',
    "a counter with a dish": 'state.counters("dish")',
    "a counter with a soup": 'state.counters("soup")',
}
"""What a cook walks to, and the cells that are it."""


class OvercookedVocabulary(FixedVocabulary):
    module = "rote.skills.overcooked"
    conventions = (ORDER,)
    recalls = True

    def __init__(self, env: EnvSpec | None = None) -> None:
        super().__init__(self._build_guards(), self._build_skills())

    def parse(self, observation: Observation) -> Any:
        return skills.parse(observation)

    def recall(self, observation: Observation, previous: Observation | None) -> Any:
        return skills.parse(observation, previous)

    @staticmethod
    def _build_guards() -> list[Guard]:
        held = len(HELD) + 1
        guards = _guard("holding nothing", "state.me.held is None", held)
        guards += _guard("partner holding nothing", "state.partner.held is None", held)
        for item in HELD:
            guards += _guard(f"holding {item}", f'state.me.held == "{item}"', held)
            guards += _guard(f"partner holding {item}", f'state.partner.held == "{item}"', held)
            guards += _guard(f"a {item} on a counter", f'bool(state.counters("{item}"))', len(HELD))
        for kind in POT_KINDS:
            name = "a pot has room" if kind == "room" else f"a pot is {kind}"
            guards += _guard(name, f'state.any_pot("{kind}")', len(POT_KINDS))
        for char, name in FACED.items():
            guards += _guard(f"facing {name}", f'state.faces("{char}")', len(FACED) + 1)
        guards += _guard("facing the partner", "state.faces_partner()", len(FACED) + 1)
        guards += _guard("partner next to me", "state.partner_adjacent()")
        guards += _guard("moved last tick", "state.moved")
        guards += _guard("stepped last tick", "state.stepped")
        guards += _guard("only turned last tick", "state.moved and not state.stepped")
        guards += _guard("bumped last tick", "state.bumped")
        guards += _guard("interacted last tick", "state.interacted")
        return guards

    @staticmethod
    def _build_skills() -> list[Skill]:
        found = [_skill("stay", '"stay"'), _skill("interact", '"interact"')]
        found.append(_skill("keep heading", "ahead(state)"))
        found += [_skill(f"move {d}", f'"{d}"', len(MOVES)) for d in MOVES]
        for name, cells in TARGETS.items():
            for verb, function in (("go to", "approach"), ("use", "use")):
                code = f"{function}(state, {cells}$settings)"
                found.append(_skill(f"{verb} {name}", code, len(TARGETS), (ORDER,)))
        return found
