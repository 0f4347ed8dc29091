"""Overcooked: two cooks share a small kitchen (Carroll et al. 2019's human-human games).

## Description
A grid kitchen seen from above: floor, counters, onion and dish dispensers, pots and serving
counters. Two players each carry at most one item. Three onions in a pot cook into a soup in
COOK_TIME (20) steps; a player holding a dish takes the ready soup out of the pot and brings it
to a serving counter. Each observation is one player's point of view (`player`), with the other
one as `partner`. The env is replay-only: rote reads the recorded human games of the
overcooked-ai data (`rote data overcooked`, docs/overcooked.md) and does not simulate them.

## Action Space
| Num | Name     | Effect                                                              |
|-----|----------|---------------------------------------------------------------------|
| 0   | up       | face up; step to y - 1 if that cell is free floor                   |
| 1   | down     | face down; step to y + 1 if that cell is free floor                 |
| 2   | left     | face left; step to x - 1 if that cell is free floor                 |
| 3   | right    | face right; step to x + 1 if that cell is free floor                |
| 4   | stay     | nothing                                                             |
| 5   | interact | act on the faced cell: take from a dispenser, drop or pick up an    |
|     |          | item on a counter, add an onion to a pot, take a ready soup with a  |
|     |          | dish, serve a soup                                                  |

## Observation Encoding
A JSON object: `t` (step in the game, from 0), `time_left` (seconds on the game clock),
`layout` (rows of the static grid: X counter, O onion dispenser, T tomato dispenser, D dish
dispenser, P pot, S serving counter, space floor), `player` and `partner` ({pos [x, y], facing
up|down|left|right, held null|onion|tomato|dish|soup, last_action: the key pressed at the tick
before, null at the first; optional}), `pots` (one entry per pot cell: pos,
ingredient, count, cook_time, state empty|filling|cooking|ready) and `counters` (items lying on
counters: [{pos, item}]), and `score` (the team's points so far). x grows right, y grows down.

## Rewards
20 points per soup served, shared by the team (the data's `score`); rote does not use them.

## Termination
A game lasts the data's clock (180 s, about 1200 steps); replay ends with the trajectory.

## Registered Configurations
In rote's registry as `overcooked`, with env_kwargs layout (default "cramped_room"): one of
LAYOUTS, the five layouts of the 2019 study, named as in the data (random0 is the paper's
Forced Coordination, random3 its Counter Circuit). No gymnasium registration: replay-only.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rote.envs.base import EnvSpec, check_env_kwargs
from rote.envs.scene import POINTING, GridScene, Item
from rote.observation import Observation
from rote.skills.grid import MOVES
from rote.skills.overcooked import ACTIONS, COOK_TIME, ITEMS, SOUP_SIZE, STATIONS

LAYOUTS: dict[str, str] = {
    "cramped_room": "Cramped Room",
    "asymmetric_advantages": "Asymmetric Advantages",
    "coordination_ring": "Coordination Ring",
    "random0": "Forced Coordination",
    "random3": "Counter Circuit",
}
"""The data's layout names and the names the paper gives them."""

GRIDS: dict[str, tuple[str, ...]] = {
    "cramped_room": ("XXPXX", "O   O", "X   X", "XDXSX"),
    "asymmetric_advantages": (
        "XXXXXXXXX",
        "O XSXOX S",
        "X   P   X",
        "X   P   X",
        "XXXDXDXXX",
    ),
    "coordination_ring": ("XXXPX", "X   P", "D X X", "O   X", "XOSXX"),
    "random0": ("XXXPX", "O X P", "O X X", "D X X", "XXXSX"),
    "random3": ("XXXPPXXX", "X      X", "D XXXX S", "X      X", "XXXOOXXX"),
}
"""The static grid of each layout (overcooked-ai's layout files, MIT), start cells cleared."""

POT_STATES: tuple[str, ...] = ("empty", "filling", "cooking", "ready")
_ITEM_CHAR = {"onion": "o", "tomato": "t", "dish": "d", "soup": "s"}

_STATION_LOOK: dict[str, tuple[str, str]] = {
    "X": ("#c9a46c", ""),
    "O": ("#e8c547", "onions"),
    "T": ("#e0533c", "tomatoes"),
    "D": ("#d9d9d9", "dishes"),
    "P": ("#3c3c3c", "pot"),
    "S": ("#8fd18f", "serve"),
}
"""The fill and label of each station of the layout (floor is left blank)."""
_ITEM_FILL = {"onion": "#e8c547", "tomato": "#e0533c", "dish": "#f4f4f4", "soup": "#f08c2a"}
_POT_FILL = {"cooking": "#f08c2a", "ready": "#2a9d3f"}
_PLAYER_FILL = {"player": "#1f63c6", "partner": "#7b3fb5"}

RULES = """\
Overcooked is a two-player cooking game on a small grid kitchen seen from above; this \
trajectory follows one of the players ("player"), the other is "partner". Cells are [x, y] \
with x the column (0 at the left) and y the row (0 at the top), so "up" decreases y. The layout \
rows use: X counter, O onion dispenser, T tomato dispenser, D dish dispenser, P pot, S serving \
counter, and a space for floor. Players walk on floor only and never share a cell.
Actions: up, down, left and right turn the player to face that way and step one cell if the \
cell there is free floor; toward a counter, dispenser, pot, serving counter or the partner the \
player only turns. stay does nothing. interact acts on the faced cell: with empty hands it \
takes an onion (O) or a dish (D) from a dispenser, or picks up the item on a counter; holding \
an item it puts it down on an empty counter; holding an onion it adds it to a pot with room \
(a pot takes {size}); holding a dish at a ready pot it takes the soup; holding a soup at a \
serving counter (S) it serves it for 20 points. A full pot cooks by itself and is ready after \
{cook} steps. The team's goal is to serve as many soups as possible before time runs out."""


def _cell_schema(width: int, height: int) -> dict[str, Any]:
    return {
        "type": "array",
        "prefixItems": [
            {"type": "integer", "minimum": 0, "maximum": width - 1},
            {"type": "integer", "minimum": 0, "maximum": height - 1},
        ],
        "minItems": 2,
        "maxItems": 2,
        "items": False,
    }


def observation_schema(layout: str) -> dict[str, Any]:
    """JSON Schema of an Overcooked observation on one layout. A list longer than the layout has
    cells is refused before its items are checked one by one."""
    grid = GRIDS[layout]
    width = max(len(row) for row in grid)
    cell = _cell_schema(width, len(grid))
    cells = width * len(grid)
    player = {
        "type": "object",
        "additionalProperties": False,
        "required": ["pos", "facing", "held"],
        "properties": {
            "pos": {**cell, "description": "the player's floor cell [x, y]"},
            "facing": {"enum": list(MOVES), "description": "the way it faces"},
            "held": {"enum": [*ITEMS, None], "description": "what it carries, or null"},
            "last_action": {
                "enum": [*ACTIONS, None],
                "description": "the key it pressed at the tick before, null at the first step "
                "(optional: files written before it existed lack it)",
            },
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "overcooked observation",
        "type": "object",
        "additionalProperties": False,
        "required": ["t", "time_left", "layout", "player", "partner", "pots", "counters", "score"],
        "properties": {
            "t": {"type": "integer", "minimum": 0, "description": "step in the game, from 0"},
            "time_left": {"type": "number", "description": "seconds left on the game clock"},
            "layout": {
                "const": list(grid),
                "description": "the static grid rows: X counter, O onion, T tomato, D dish "
                "dispenser, P pot, S serving counter, space floor",
            },
            "player": {**player, "description": "the player this trajectory follows"},
            "partner": {**player, "description": "the other player"},
            "pots": {
                "type": "array",
                "description": "every pot of the layout and what is in it",
                "maxItems": cells,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["pos", "ingredient", "count", "cook_time", "state"],
                    "properties": {
                        "pos": {**cell, "description": "the pot's cell"},
                        "ingredient": {
                            "enum": ["onion", "tomato", None],
                            "description": "what the soup is made of, null when empty",
                        },
                        "count": {
                            "type": "integer",
                            "minimum": 0,
                            "maximum": SOUP_SIZE,
                            "description": "ingredients in the pot",
                        },
                        "cook_time": {
                            "type": "integer",
                            "minimum": 0,
                            "description": f"steps cooked; ready at {COOK_TIME}",
                        },
                        "state": {"enum": list(POT_STATES), "description": "the pot at a glance"},
                    },
                },
            },
            "counters": {
                "type": "array",
                "description": "items lying on counters (not in pots, not held)",
                "maxItems": cells,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["pos", "item"],
                    "properties": {
                        "pos": {**cell, "description": "the counter's cell"},
                        "item": {"enum": list(ITEMS), "description": "the item lying there"},
                    },
                },
            },
            "score": {"type": "number", "minimum": 0, "description": "team points so far"},
        },
    }


def render_text(observation: Observation) -> str:
    """The kitchen as characters (A the player, B the partner, lower case for items on
    counters), then both players and the pots."""
    grid = [list(row.replace(" ", ".")) for row in observation["layout"]]
    for item in observation["counters"]:
        x, y = item["pos"]
        grid[y][x] = _ITEM_CHAR[item["item"]]
    for key, char in (("player", "A"), ("partner", "B")):
        x, y = observation[key]["pos"]
        grid[y][x] = char
    lines = [
        f"t={observation['t']} time_left={observation['time_left']} score={observation['score']}"
    ]
    lines += [" ".join(row) for row in grid]
    for key, char in (("player", "A"), ("partner", "B")):
        who = observation[key]
        x, y = who["pos"]
        pressed = who.get("last_action")
        lines.append(
            f"{key} {char} at ({x},{y}) facing {who['facing']}, holding {who['held'] or 'nothing'}"
            + ("" if pressed is None else f", pressed {pressed} at the tick before")
        )
    for pot in observation["pots"]:
        x, y = pot["pos"]
        contents = f"{pot['count']} {pot['ingredient']}" if pot["count"] else "nothing"
        lines.append(f"pot ({x},{y}): {pot['state']}, {contents}, cooked {pot['cook_time']}")
    legend = ", ".join(f"{char} {name}" for char, name in STATIONS.items() if char != " ")
    items = ", ".join(f"{char} {item}" for item, char in _ITEM_CHAR.items())
    lines.append(f"legend: A player, B partner, {legend}, . floor; on counters: {items}")
    return "\n".join(lines)


def draw(observation: Observation) -> GridScene:
    """The layout's stations as the base; per step, what pots hold (count, then cooking steps,
    then ready), items on counters (their initial), and both players as triangles facing their
    way, A (this player, blue) and B (the partner, purple), each with what it holds as a small
    disc."""
    layout = observation["layout"]
    base: list[Item] = []
    for y, row in enumerate(layout):
        for x, char in enumerate(row):
            if char in _STATION_LOOK:
                fill, label = _STATION_LOOK[char]
                station: Item = {"x": x, "y": y, "shape": "rect", "fill": fill}
                if label:
                    station["label"] = label
                base.append(station)
    items: list[Item] = []
    for pot in observation["pots"]:
        if pot["count"]:
            items.append(_pot_item(pot))
    for thing in observation["counters"]:
        x, y = thing["pos"]
        fill, label = _ITEM_FILL[thing["item"]], _ITEM_CHAR[thing["item"]]
        items.append({"x": x, "y": y, "shape": "circle", "fill": fill, "size": 0.5, "label": label})
    held = []
    for key, char in (("player", "A"), ("partner", "B")):
        who = observation[key]
        x, y = who["pos"]
        fill, direction = _PLAYER_FILL[key], POINTING.index(who["facing"])
        items.append(
            {"x": x, "y": y, "shape": "triangle", "fill": fill, "dir": direction, "label": char}
        )
        if who["held"] is not None:
            fill = _ITEM_FILL[who["held"]]
            items.append({"x": x, "y": y, "shape": "circle", "fill": fill, "size": 0.3})
        held.append(f"{char} ({key}) holds {who['held'] or 'nothing'}")
    caption = (
        f"t={observation['t']}, {observation['time_left']:.0f} s left, "
        f"score {observation['score']:g}; {', '.join(held)}"
    )
    return {
        "kind": "grid",
        "width": max(len(row) for row in layout),
        "height": len(layout),
        "base": base,
        "items": items,
        "caption": caption,
    }


def _pot_item(pot: dict[str, Any]) -> Item:
    """A pot's soup: its count while filling, the steps cooked while cooking, then ready."""
    x, y = pot["pos"]
    state = pot["state"]
    if state == "filling":
        fill, label = _ITEM_FILL[pot["ingredient"]], f"{pot['count']}/{SOUP_SIZE}"
    elif state == "cooking":
        fill, label = _POT_FILL[state], f"{pot['cook_time']}/{COOK_TIME}"
    else:
        fill, label = _POT_FILL[state], "ready"
    return {"x": x, "y": y, "shape": "circle", "fill": fill, "size": 0.7, "label": label}


class OvercookedSpec(EnvSpec):
    """Spec of the Overcooked kitchen on one of LAYOUTS; replay-only."""

    id: ClassVar[str] = "overcooked"
    kwargs_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"layout": {"enum": list(GRIDS)}},
    }

    def __init__(self, layout: str = "cramped_room") -> None:
        check_env_kwargs(self.id, self.kwargs_schema, {"layout": layout})
        super().__init__(
            action_names=ACTIONS,
            idle_action="stay",
            rules=RULES.format(size=SOUP_SIZE, cook=COOK_TIME),
            observation_schema=observation_schema(layout),
            kwargs={"layout": layout},
        )

    def render_text(self, observation: Observation) -> str:
        return render_text(observation)

    def draw(self, observation: Observation) -> GridScene:
        return draw(observation)
