"""Construction's vocabulary: what a person would say about a gridworld of blocks and walls.

Guards: blocked(direction), holding(colour | anything), standing on (colour | any block),
exists(colour), at least two of a colour, and their negations. Skills: stay, interact, move,
walk to or fetch (interact on arrival) the nearest block of a colour, drop on the nearest free
cell, fetch a free cell beside a colour, a lone block of a colour, the free cell nearest a corner,
a block of a colour away from a corner; pace (Heading) and walk the ring (RingWalk), which keep
memory. Every walk breaks ties by the move order convention (`ORDER`). Each is a Python
expression over `state` on `rote.skills.construction`, so the emitted program and the search
evaluate the very same text.
"""

from __future__ import annotations

from typing import Any

from rote.envs.base import EnvSpec
from rote.observation import Observation
from rote.proposers.synthesizer.dsl import FixedVocabulary, Guard, Skill
from rote.proposers.synthesizer.terms import ORDER, Terms
from rote.skills import construction as skills
from rote.skills.construction import COLOURS, CORNERS, MOVES

RADIUS = 2
"""How near a corner a block counts as placed: the distance people use in the paper's tasks."""
_TERMS = Terms(skills)
_guard, _skill, _stateful = _TERMS.guard, _TERMS.skill, _TERMS.stateful


def _walking(name: str, code: str, choices: int = 1) -> Skill:
    """A skill that walks, so breaks ties by the move order: `code` marks where it goes."""
    return _skill(name, code, choices, (ORDER,))


class ConstructionVocabulary(FixedVocabulary):
    module = "rote.skills.construction"
    conventions = (ORDER,)
    habits = ({"order": "lrud"},)
    """Walking horizontally first: the other common way to break a tie between paths."""

    def __init__(self, env: EnvSpec | None = None) -> None:
        super().__init__(self._build_guards(), self._build_skills())

    def parse(self, observation: Observation) -> Any:
        return skills.parse(observation)

    @staticmethod
    def _build_guards() -> list[Guard]:
        guards: list[Guard] = []
        for d in MOVES:
            guards += _guard(f"blocked {d}", f'blocked(state, "{d}")', len(MOVES))
        guards += _guard("holding anything", "state.held is not None")
        guards += _guard("on a block", "state.agent in state.blocks")
        for c in COLOURS:
            n = len(COLOURS)
            guards += _guard(f"holding {c}", f'state.held == "{c}"', n)
            guards += _guard(f"on {c}", f'state.blocks.get(state.agent) == "{c}"', n)
            guards += _guard(f"any {c}", f'bool(state.cells_of("{c}"))', n)
            guards += _guard(f"two {c}", f'len(state.cells_of("{c}")) >= 2', n)
        return guards

    @staticmethod
    def _build_skills() -> list[Skill]:
        n_colours, n_corners, n_moves = len(COLOURS), len(CORNERS), len(MOVES)
        found = [
            _skill("stay", '"stay"'),
            _skill("interact", '"interact"'),
            _walking("drop on the nearest free cell", "fetch(state, free_cells(state)$settings)"),
            _walking("walk to the nearest block", "walk(state, state.blocks$settings)"),
            _walking("fetch the nearest block", "fetch(state, state.blocks$settings)"),
        ]
        for d in MOVES:
            found.append(_skill(f"move {d}", f'move(state, "{d}")', n_moves))
            found.append(_stateful(f"pace from {d}", f'Heading("{d}")', n_moves))
        for clockwise in (True, False):
            way = "clockwise" if clockwise else "counterclockwise"
            found.append(
                _stateful(f"walk the ring {way}", f"RingWalk({clockwise}$settings)", 2, (ORDER,))
            )
        for c in COLOURS:
            cells = f'state.cells_of("{c}")'
            found.append(_walking(f"walk to {c}", f"walk(state, {cells}$settings)", n_colours))
            found.append(_walking(f"fetch {c}", f"fetch(state, {cells}$settings)", n_colours))
            found.append(
                _walking(
                    f"drop beside {c}", f"fetch(state, beside(state, {cells})$settings)", n_colours
                )
            )
            found.append(
                _walking(
                    f"fetch a lone {c}", f'fetch(state, isolated(state, "{c}")$settings)', n_colours
                )
            )
        for k in CORNERS:
            corner = f'corner_cell(state, "{k}")'
            found.append(
                _walking(f"walk to the {k} corner", f"walk(state, [{corner}]$settings)", n_corners)
            )
            found.append(
                _walking(
                    f"drop near the {k} corner",
                    f"fetch(state, closest(free_cells(state), {corner}$settings)$settings)",
                    n_corners,
                )
            )
            for c in COLOURS:
                found.append(
                    _walking(
                        f"fetch a {c} away from the {k} corner",
                        f'fetch(state, away(state.cells_of("{c}"), {corner}, {RADIUS})$settings)',
                        n_colours * n_corners,
                    )
                )
        return found
