"""MiniGrid skills: the world model and the moves behaviour programs in MiniGrid/BabyAI use.

Programs import from here (`from rote.skills.minigrid import ...`) in the sandbox as well as
in-process, so this module is stdlib-only: it reads rote observations (see
`rote.envs.minigrid`), never a MiniGrid object. Cells are (x, y), x growing right and y down.
The agent faces one of DIRECTIONS and moves by turning (left, right) and stepping forward;
pickup, drop and toggle act on the cell in front of it.

Walking to something takes the first move of a shortest path over passable cells (rote.skills.
grid's breadth-first search), turning first when the move is not the way the agent faces; on
arrival (facing a goal) the caller's action is taken instead. Three conventions, which agents
keep differently and the synthesizer fits: `order`, the move order that breaks ties between
equally short paths ("udlr", up, down, left, right, by default); `prefer`, "straight" to take
the way the agent faces first when it starts a shortest path ("order": the order alone); and
`turn`, the way to turn round when the move is behind ("left" by default).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from rote.skills.grid import DEFAULT_ORDER, MOVES, Cell, first_step, step_cell

__all__ = [
    "ACTIONS",
    "COLOURS",
    "DIRECTIONS",
    "KINDS",
    "TYPES",
    "Cell",
    "MiniGridState",
    "Mission",
    "Thing",
    "adjacent",
    "approach",
    "beside",
    "carrying",
    "cells_of",
    "destination_cells",
    "drop_beside",
    "facing",
    "free",
    "go_to",
    "mission",
    "open_door",
    "parse",
    "pick_up",
    "step_toward",
    "target_cells",
    "turn_to",
]

ACTIONS: tuple[str, ...] = ("left", "right", "forward", "pickup", "drop", "toggle", "done")
"""MiniGrid's action enum, in its order (Actions.left = 0 ... Actions.done = 6)."""
DIRECTIONS: tuple[str, ...] = ("right", "down", "left", "up")
"""MiniGrid's agent_dir 0..3: turning right adds one, turning left takes one away."""
COLOURS: tuple[str, ...] = ("red", "green", "blue", "purple", "yellow", "grey")
TYPES: tuple[str, ...] = ("key", "ball", "box", "door", "goal", "lava", "floor")
"""Object types that appear in observations' `objects` (walls are listed apart, as cells)."""
KINDS: tuple[str, ...] = ("go", "pickup", "put", "open")
"""Mission kinds `mission` tells apart: go to X, pick up X, put X next to Y, open X."""

_PASSABLE = ("goal", "floor")
_OBJECT = re.compile(rf"\b(?:a|an|the)\s+(?:({'|'.join(COLOURS)})\s+)?({'|'.join(TYPES)}|object)\b")


class Thing(NamedTuple):
    """An object on the grid: its type, colour and, for doors, "open", "closed" or "locked"."""

    type: str
    colour: str
    state: str | None = None


@dataclass
class MiniGridState:
    """What one observation shows, as programs query it."""

    width: int
    height: int
    agent: Cell
    direction: str
    mission: str = ""
    carrying: Thing | None = None
    walls: frozenset[Cell] = frozenset()
    objects: dict[Cell, Thing] = field(default_factory=dict)
    t: int = 0

    @property
    def front(self) -> Cell:
        """The cell the agent faces: where pickup, drop and toggle act."""
        return step_cell(self.agent, self.direction)  # facing names are grid's move names

    def is_wall(self, cell: Cell) -> bool:
        x, y = cell
        return not (0 <= x < self.width and 0 <= y < self.height) or cell in self.walls

    def passable(self, cell: Cell) -> bool:
        """Whether the agent can step onto `cell` (lava counts as impassable: it ends the
        episode)."""
        if self.is_wall(cell):
            return False
        thing = self.objects.get(cell)
        return thing is None or thing.type in _PASSABLE or thing.state == "open"


def _cell(value: Any) -> Cell:
    return (int(value[0]), int(value[1]))


def parse(observation: Mapping[str, Any]) -> MiniGridState:
    """The world a (schema-valid) MiniGrid observation describes."""
    carried = observation["carrying"]
    return MiniGridState(
        width=observation["width"],
        height=observation["height"],
        agent=_cell(observation["agent"]),
        direction=observation["direction"],
        mission=observation["mission"],
        carrying=None if carried is None else Thing(carried["type"], carried["colour"]),
        walls=frozenset(_cell(cell) for cell in observation["walls"]),
        objects={
            _cell(thing["pos"]): Thing(thing["type"], thing["colour"], thing.get("state"))
            for thing in observation["objects"]
        },
        t=observation["t"],
    )


class Mission(NamedTuple):
    """A mission read as kind, the object it is about and, for put, where that goes.

    Objects are (type, colour) with colour None when the mission leaves it open; kind is
    "other" for a mission none of KINDS matches."""

    kind: str
    target: tuple[str, str | None] | None
    destination: tuple[str, str | None] | None


def mission(state: MiniGridState) -> Mission:
    """The mission text read as a `Mission` (e.g. "put the red ball next to the blue key")."""
    text = state.mission.lower()
    described = [(kind, colour or None) for colour, kind in _OBJECT.findall(text)]
    target = described[0] if described else None
    destination = described[1] if len(described) > 1 else None
    if text.startswith("put"):
        kind = "put"
    elif text.startswith("open"):
        kind = "open"
    elif re.search(r"\b(?:go|get) to\b|\breach\b", text):
        kind = "go"
    elif "pick up" in text or re.search(r"\b(?:get|fetch)\b", text):
        kind = "pickup"
    else:
        kind = "other"
    return Mission(kind, target, destination)


def cells_of(
    state: MiniGridState, type: str | None = None, colour: str | None = None
) -> list[Cell]:
    """Cells holding an object of `type` and `colour` (None: any; type "object": any but a
    door), in row order."""
    return sorted(
        (
            cell
            for cell, thing in state.objects.items()
            if (type is None or thing.type == type or (type == "object" and thing.type != "door"))
            and (colour is None or thing.colour == colour)
        ),
        key=lambda cell: (cell[1], cell[0]),
    )


def target_cells(state: MiniGridState) -> list[Cell]:
    """Cells of the object the mission is about (the one to reach, pick up, move or open)."""
    target = mission(state).target
    return [] if target is None else cells_of(state, *target)


def destination_cells(state: MiniGridState) -> list[Cell]:
    """Cells of the object a put mission names as the place to put next to."""
    destination = mission(state).destination
    return [] if destination is None else cells_of(state, *destination)


def facing(state: MiniGridState, type: str | None = None, colour: str | None = None) -> bool:
    """Whether the cell in front holds an object of `type` and `colour` (None: any)."""
    return state.front in cells_of(state, type, colour)


def carrying(state: MiniGridState, type: str | None = None, colour: str | None = None) -> bool:
    """Whether the agent carries something of `type` and `colour` (None: anything)."""
    held = state.carrying
    return (
        held is not None
        and (type is None or held.type == type)
        and (colour is None or held.colour == colour)
    )


def adjacent(state: MiniGridState, cells: Collection[Cell]) -> bool:
    """Whether one of `cells` is next to the agent (in any of the four directions)."""
    return any(step_cell(state.agent, move) in cells for move in MOVES)


def free(state: MiniGridState, cell: Cell) -> bool:
    """Whether something can be dropped on `cell`: no wall, no object, not the agent."""
    return not state.is_wall(cell) and cell not in state.objects and cell != state.agent


def beside(state: MiniGridState, cells: Iterable[Cell]) -> list[Cell]:
    """Free cells next to any of `cells`, in row order: where to put something next to them."""
    found = {
        step_cell(cell, move)
        for cell in cells
        for move in MOVES
        if free(state, step_cell(cell, move))
    }
    return sorted(found, key=lambda cell: (cell[1], cell[0]))


def turn_to(state: MiniGridState, direction: str, turn: str = "left") -> str:
    """The turn toward `direction` (`turn` when it is behind), or forward when already facing
    it."""
    quarter = (DIRECTIONS.index(direction) - DIRECTIONS.index(state.direction)) % 4
    return ("forward", "right", turn, "left")[quarter]


def step_toward(
    state: MiniGridState,
    cells: Iterable[Cell],
    order: str = DEFAULT_ORDER,
    turn: str = "left",
    prefer: str = "order",
) -> str | None:
    """Turn or forward toward facing the nearest of `cells`; None when already facing one, or
    when none can be reached. The conventions are the module's."""
    goals = set(cells)
    if state.front in goals:
        return None
    if prefer == "straight":
        ahead = state.direction[0]
        order = ahead + order.replace(ahead, "")
    step = first_step(state.agent, goals, state.passable, order)
    return None if step is None else turn_to(state, step[0], turn)


def approach(
    state: MiniGridState,
    cells: Iterable[Cell],
    arrive: str,
    order: str = DEFAULT_ORDER,
    turn: str = "left",
    prefer: str = "order",
) -> str:
    """Walk to face the nearest of `cells`, then take `arrive`; "done" (a no-op in most
    levels) when none can be reached."""
    goals = set(cells)
    step = step_toward(state, goals, order, turn, prefer)
    if step is not None:
        return step
    return arrive if state.front in goals else "done"


# The walks below take the conventions as `approach` does (order=, turn=, prefer=).


def go_to(state: MiniGridState, cells: Iterable[Cell], **conventions: str) -> str:
    """Walk to face the nearest of `cells`, then say done."""
    return approach(state, cells, "done", **conventions)


def pick_up(state: MiniGridState, cells: Iterable[Cell], **conventions: str) -> str:
    """Walk to face the nearest of `cells`, then pick it up."""
    return approach(state, cells, "pickup", **conventions)


def open_door(state: MiniGridState, cells: Iterable[Cell], **conventions: str) -> str:
    """Walk to face the nearest of `cells`, then toggle it (opens a closed door)."""
    return approach(state, cells, "toggle", **conventions)


def drop_beside(state: MiniGridState, cells: Iterable[Cell], **conventions: str) -> str:
    """Walk to face a free cell next to one of `cells`, then drop what is carried there."""
    return approach(state, beside(state, cells), "drop", **conventions)
