"""How an observation is drawn in a report: a small JSON *scene* that one renderer in the
browser draws for every env, so that a plugin env is drawn by writing Python, not JavaScript.

An env spec returns one from `EnvSpec.draw(observation)` (None: the report shows its
`render_text` instead). Three kinds:

- `grid`: a board of `width` x `height` cells. `base` holds what stays put within a layout
  (walls, counters): the report stores each distinct base once, so a long episode on one layout
  costs little. `items` are what this step shows on top (blocks, agents, held objects).
- `table`: rows of cells under column names (a repeated game's history of moves and payoffs).
- `text`: preformatted text (what `render_text` gives).

Each has a one-line `caption` under it (what the agent holds, the mission, the score).
Coordinates are in cells, x to the right and y down, as the grid envs index them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict

Shape = Literal["rect", "circle", "triangle", "text"]


class Item(TypedDict):
    """One thing on a grid. `size` is its extent as a fraction of a cell (rect 1, others 0.7
    when absent); a triangle points along `dir` (0 right, 1 down, 2 left, 3 up); `label` is
    drawn on it (a text item is only its label)."""

    x: float
    y: float
    shape: Shape
    fill: str
    """A CSS colour: a name (`"green"`) or `#rrggbb`."""
    size: NotRequired[float]
    dir: NotRequired[int]
    label: NotRequired[str]


class GridScene(TypedDict):
    kind: Literal["grid"]
    width: int
    height: int
    base: list[Item]
    items: list[Item]
    caption: str


class TableScene(TypedDict):
    kind: Literal["table"]
    columns: list[str]
    rows: list[list[str | int | float]]
    caption: str


class TextScene(TypedDict):
    kind: Literal["text"]
    text: str
    caption: str


Scene = GridScene | TableScene | TextScene

SHAPES: tuple[Shape, ...] = ("rect", "circle", "triangle", "text")
PALETTE: dict[str, str] = {
    "red": "#d62828",
    "green": "#2a9d3f",
    "blue": "#1f63c6",
    "purple": "#7b3fb5",
    "pink": "#e0529c",
    "yellow": "#e6b400",
    "grey": "#8c8c8c",
}
"""Fills for the colour names envs give their things, one shade per name in every env: CSS's
own yellow and pink are hard to see on a light board."""
POINTING: tuple[str, ...] = ("right", "down", "left", "up")
"""The way a triangle points, by its `dir`: a thing facing `way` has `dir`
`POINTING.index(way)`."""
WALL = "#4d4d4d"
"""The fill of a wall cell in every grid env."""
MAX_CELLS = 10_000
"""A board larger than 100 x 100 cells is no longer something a person reads in a report."""


def text_scene(text: str, caption: str = "") -> TextScene:
    """The scene of an env that does not draw itself: its `render_text`."""
    return {"kind": "text", "text": text, "caption": caption}


def scene_errors(scene: Any) -> list[str]:
    """What is wrong with a scene an env drew, as messages naming the field; empty when it is
    well formed. The report checks every step's scene with it, so a plugin's mistake is one
    line naming the step and the field, not a blank board in the browser."""
    if not isinstance(scene, Mapping):
        return [f"a scene is a JSON object, not {type(scene).__name__}"]
    kind = scene.get("kind")
    if not isinstance(scene.get("caption"), str):
        return ["caption: must be a string"]
    if kind == "text":
        return [] if isinstance(scene.get("text"), str) else ["text: must be a string"]
    if kind == "table":
        columns, rows = scene.get("columns"), scene.get("rows")
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            return ["columns: must be a list of strings"]
        if not isinstance(rows, list):
            return ["rows: must be a list"]
        for i, row in enumerate(rows):
            if not isinstance(row, list) or len(row) != len(columns):
                return [f"rows[{i}]: must be a list of {len(columns)} cells"]
            if not all(isinstance(c, str | int | float) and not isinstance(c, bool) for c in row):
                return [f"rows[{i}]: cells must be strings or numbers"]
        return []
    if kind != "grid":
        return [f"kind: must be grid, table or text, not {kind!r}"]
    width, height = scene.get("width"), scene.get("height")
    for name, value in (("width", width), ("height", height)):
        if type(value) is not int or value < 1:
            return [f"{name}: must be a positive whole number"]
    assert isinstance(width, int) and isinstance(height, int)
    if width * height > MAX_CELLS:
        return [f"width x height: at most {MAX_CELLS} cells, not {width * height}"]
    for layer in ("base", "items"):
        items = scene.get(layer)
        if not isinstance(items, list):
            return [f"{layer}: must be a list"]
        for i, item in enumerate(items):
            problem = _item_error(item, width, height)
            if problem:
                return [f"{layer}[{i}].{problem}"]
    return []


def _item_error(item: Any, width: int, height: int) -> str | None:
    if not isinstance(item, Mapping):
        return "*: must be an object"
    for axis, bound in (("x", width), ("y", height)):
        value = item.get(axis)
        if not isinstance(value, int | float) or isinstance(value, bool):
            return f"{axis}: must be a number"
        if not 0 <= value < bound:
            return f"{axis}: {value} is off the {width} x {height} board"
    if item.get("shape") not in SHAPES:
        return f"shape: must be one of {', '.join(SHAPES)}"
    if not isinstance(item.get("fill"), str):
        return "fill: must be a CSS colour string"
    size = item.get("size", 1.0)
    if not isinstance(size, int | float) or isinstance(size, bool) or not 0 < size <= 1:
        return "size: must be a number in (0, 1]"
    if item.get("dir", 0) not in (0, 1, 2, 3):
        return "dir: must be 0, 1, 2 or 3"
    if not isinstance(item.get("label", ""), str):
        return "label: must be a string"
    return None
