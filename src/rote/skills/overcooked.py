"""Overcooked skills: the kitchen as one player sees it, and the errands a cook runs.

Programs, scripted or inferred, import from here (`from rote.skills.overcooked import ...`),
inside the sandbox as well as in-process, so this module is stdlib-only and imports nothing of
rote but `rote.skills.grid`. Each skill is an errand a person would name ("fetch an onion", "go
to a pot that is ready"), never a whole plan.

Cells are (x, y) tuples, x growing right and y down. The dynamics the skills rely on: a player
walks on floor only; moving toward a cell it cannot enter (a counter, a dispenser, a pot, the
partner) only turns it to face that cell; `interact` acts on the faced cell. So reaching a
station means standing on a floor cell next to it and facing it. Walking takes the first step of
a shortest path, ties broken by a move order (`order`, rote.skills.grid; "udlr", up, down,
left, right, by default: a convention people keep differently, which the synthesizer fits); the
partner's cell counts as blocked, unless no path avoids it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rote.skills.grid import (
    DEFAULT_ORDER,
    MOVES,
    Cell,
    distances_to,
    downhill,
    manhattan,
    moves_in,
    step_cell,
)

__all__ = [
    "ACTIONS",
    "COOK_TIME",
    "ITEMS",
    "MOVES",
    "SOUP_SIZE",
    "STATIONS",
    "Cell",
    "Kitchen",
    "Player",
    "Pot",
    "ahead",
    "approach",
    "manhattan",
    "parse",
    "use",
]

ACTIONS: tuple[str, ...] = ("up", "down", "left", "right", "stay", "interact")
ITEMS: tuple[str, ...] = ("onion", "tomato", "dish", "soup")
COOK_TIME = 20
"""Steps a full pot cooks before its soup is ready (the 2019 game's setting)."""
SOUP_SIZE = 3
"""Ingredients a pot takes before it starts cooking."""
STATIONS: dict[str, str] = {
    "X": "counter",
    "O": "onion dispenser",
    "T": "tomato dispenser",
    "D": "dish dispenser",
    "P": "pot",
    "S": "serving counter",
    " ": "floor",
}
"""Layout characters and what they are."""


@dataclass(frozen=True)
class Player:
    pos: Cell
    facing: str
    held: str | None = None
    last_action: str | None = None
    """The key pressed at the tick before, where the observation tells it (None at a game's
    first step and in files written before observations carried it)."""

    @property
    def faced(self) -> Cell:
        """The cell this player faces, which `interact` acts on."""
        return step_cell(self.pos, self.facing)


@dataclass(frozen=True)
class Pot:
    pos: Cell
    count: int = 0
    cook_time: int = 0

    @property
    def ready(self) -> bool:
        return self.count >= SOUP_SIZE and self.cook_time >= COOK_TIME

    @property
    def cooking(self) -> bool:
        return self.count >= SOUP_SIZE and self.cook_time < COOK_TIME

    @property
    def has_room(self) -> bool:
        return self.count < SOUP_SIZE

    @property
    def state(self) -> str:
        """The pot at a glance: "empty", "filling", "cooking" or "ready"."""
        if self.count == 0:
            return "empty"
        if self.count < SOUP_SIZE:
            return "filling"
        return "ready" if self.ready else "cooking"


@dataclass
class Kitchen:
    """One player's view of the kitchen: itself (`me`), its partner, the pots, the items lying
    on counters, the static layout, and whether (and how) I moved at the tick before, and
    which key I pressed."""

    layout: tuple[str, ...]
    me: Player
    partner: Player
    pots: dict[Cell, Pot] = field(default_factory=dict)
    items: dict[Cell, str] = field(default_factory=dict)
    t: int = 0
    moved: bool = False
    """Whether my cell or the way I face changed since the previous observation: a move key
    pressed at the tick before did something. People hold a key down: on the 2019 games' train
    split, right after a move they press the way they face 42-74% of the time per layout, right
    after a stay or an interact 6-31% (benchmarks/people_train.py)."""
    stepped: bool = False
    """Whether my cell changed since the previous observation. A step and a turn are followed by
    different keys: on the train split, acting people press ahead after 68-95% of steps but
    after 12-17% of turns only, and interact after 75-84% of those (people_train.py's
    `shown_move`)."""

    bumped: bool = False
    """Whether I pressed a move key at the tick before and it changed nothing (known only with
    the previous observation): I pressed toward what I already faced, or the partner stood in
    the way. An observation cannot tell this from standing still but by the key itself, and
    people do different things after each: on the train split, facing a station, they press
    the way they face after 24-51% of bumps per layout but after 3-17% of stays."""

    @property
    def interacted(self) -> bool:
        """Whether I pressed interact at the tick before: facing a station, people then turn
        away on 78-90% of the ticks they act, per layout of the train split."""
        return self.me.last_action == "interact"

    def terrain(self, cell: Cell) -> str:
        """The layout character at `cell`; outside the layout counts as counter."""
        x, y = cell
        if 0 <= y < len(self.layout) and 0 <= x < len(self.layout[y]):
            return self.layout[y][x]
        return "X"

    def walkable(self, cell: Cell) -> bool:
        return cell in _floor(tuple(self.layout)) and cell != self.partner.pos

    def cells(self, char: str) -> list[Cell]:
        """Cells of one layout character, in row order."""
        return list(_cells(tuple(self.layout), char))

    def onions(self) -> list[Cell]:
        return self.cells("O")

    def dishes(self) -> list[Cell]:
        return self.cells("D")

    def serving(self) -> list[Cell]:
        return self.cells("S")

    def all_pots(self) -> list[Cell]:
        return self.cells("P")

    def pots_where(self, kind: str) -> list[Cell]:
        """Pots that are "ready", "cooking", have "room", are "empty" or "filling" (some
        ingredients, not yet full)."""
        pots = [self.pots.get(cell) or Pot(cell) for cell in self.all_pots()]
        if kind == "room":
            return [pot.pos for pot in pots if pot.has_room]
        return [pot.pos for pot in pots if pot.state == kind]

    def counters(self, item: str | None = None) -> list[Cell]:
        """Counters holding `item`, or the empty counters when `item` is None."""
        if item is None:
            return [cell for cell in self.cells("X") if cell not in self.items]
        return [cell for cell in self.cells("X") if self.items.get(cell) == item]

    def any_pot(self, kind: str) -> bool:
        return bool(self.pots_where(kind))

    def faces(self, char: str) -> bool:
        """Whether I face a cell of this layout character (" " for floor)."""
        return self.terrain(self.me.faced) == char and self.me.faced != self.partner.pos

    def faces_partner(self) -> bool:
        return self.me.faced == self.partner.pos

    def partner_adjacent(self) -> bool:
        return manhattan(self.me.pos, self.partner.pos) == 1


@functools.lru_cache(maxsize=256)
def _cells(layout: tuple[str, ...], char: str) -> tuple[Cell, ...]:
    """`Kitchen.cells`, once per layout: every skill that looks for a station asks it, at every
    step, and a game's layout never changes."""
    return tuple((x, y) for y, row in enumerate(layout) for x, c in enumerate(row) if c == char)


@functools.lru_cache(maxsize=64)
def _floor(layout: tuple[str, ...]) -> frozenset[Cell]:
    """The cells where `Kitchen.terrain` is floor, once per layout, for walking."""
    return frozenset(_cells(layout, " "))


def _cell(value: Any) -> Cell:
    return (int(value[0]), int(value[1]))


def _player(value: Mapping[str, Any]) -> Player:
    return Player(_cell(value["pos"]), value["facing"], value["held"], value.get("last_action"))


def parse(observation: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> Kitchen:
    """The kitchen a (schema-valid) `overcooked` observation shows; `previous`, the observation
    before it, tells whether I moved or stepped since (neither, without it)."""
    me = _player(observation["player"])
    before = None if previous is None else _player(previous["player"])
    moved = before is not None and (before.pos, before.facing) != (me.pos, me.facing)
    return Kitchen(
        layout=tuple(observation["layout"]),
        me=me,
        partner=_player(observation["partner"]),
        pots={
            _cell(pot["pos"]): Pot(_cell(pot["pos"]), pot["count"], pot["cook_time"])
            for pot in observation["pots"]
        },
        items={_cell(item["pos"]): item["item"] for item in observation["counters"]},
        t=observation["t"],
        moved=moved,
        stepped=before is not None and before.pos != me.pos,
        bumped=before is not None and me.last_action in MOVES and not moved,
    )


def approach(kitchen: Kitchen, targets: Iterable[Cell], order: str = DEFAULT_ORDER) -> str:
    """Walk to the nearest target and turn to face it; "stay" once facing one, or when none
    can be reached. Targets are stations (not floor): one stands beside them."""
    goals = frozenset(targets)
    me = kitchen.me.pos
    if kitchen.me.faced in goals:
        return "stay"
    for direction, _, _ in moves_in(order):
        if step_cell(me, direction) in goals:
            return direction  # turn to face it: the cell cannot be entered
    layout = tuple(kitchen.layout)
    move = downhill(me, _distances(layout, kitchen.partner.pos, goals), order)
    if move is None:  # the partner stands in every way: head for it anyway
        move = downhill(me, _distances(layout, None, goals), order)
    return move or "stay"


@functools.lru_cache(maxsize=4096)
def _distances(
    layout: tuple[str, ...], blocked: Cell | None, goals: frozenset[Cell]
) -> dict[Cell, int]:
    """`distances_to` the goals over the floor but `blocked` (the partner's cell), remembered:
    every walk toward the same goals with the partner in the same place shares it, whatever
    my floor cell and move order, and a search asks it of every skill in every order at every
    step (callers only read it)."""
    floor = _floor(layout)
    return distances_to(goals, floor if blocked is None else floor - {blocked})


def ahead(kitchen: Kitchen) -> str:
    """The way I face: pressing it again walks on straight, or, facing what cannot be entered,
    changes nothing. People hold a key down: in the 2019 games' train split, a sixth to a half
    of the moves people make are the way they already face, many of them against a counter,
    pot or dispenser just reached."""
    return kitchen.me.facing


def use(kitchen: Kitchen, targets: Iterable[Cell], order: str = DEFAULT_ORDER) -> str:
    """Approach the nearest target, then interact with it (pick up, put down, serve)."""
    goals = set(targets)
    if goals and kitchen.me.faced in goals:
        return "interact"
    return approach(kitchen, goals, order)
