"""scene_errors: a well-formed scene of each kind passes, and each malformed one is one message
naming its field, so a plugin's mistake is told where it is."""

from __future__ import annotations

from typing import Any

import pytest

from rote.envs.scene import MAX_CELLS, scene_errors, text_scene


def grid(**changes: Any) -> dict[str, Any]:
    scene: dict[str, Any] = {
        "kind": "grid",
        "width": 3,
        "height": 2,
        "base": [{"x": 0, "y": 0, "shape": "rect", "fill": "#4d4d4d"}],
        "items": [
            {"x": 1, "y": 1, "shape": "triangle", "fill": "red", "dir": 3, "size": 0.8},
            {"x": 2.5, "y": 0, "shape": "text", "fill": "blue", "label": "key"},
        ],
        "caption": "t=0",
    }
    return {**scene, **changes}


def item(**changes: Any) -> dict[str, Any]:
    return {"x": 0, "y": 0, "shape": "circle", "fill": "green", **changes}


def table(**changes: Any) -> dict[str, Any]:
    scene = {"kind": "table", "columns": ["round", "you"], "rows": [[0, "C"], [1, 2.5]]}
    return {**scene, "caption": "", **changes}


def test_well_formed_scenes_of_each_kind_pass() -> None:
    assert scene_errors(grid()) == []
    assert scene_errors(table()) == []
    assert scene_errors(table(rows=[])) == []
    assert scene_errors(text_scene("A . #", caption="t=3")) == []


@pytest.mark.parametrize(
    ("scene", "message"),
    [
        ([], "a scene is a JSON object, not list"),
        (grid(caption=None), "caption: must be a string"),
        (grid(kind="svg"), "kind: must be grid, table or text, not 'svg'"),
        ({"kind": "text", "text": 5, "caption": ""}, "text: must be a string"),
        (table(columns=["a", 1]), "columns: must be a list of strings"),
        (table(rows={}), "rows: must be a list"),
        (table(rows=[[0, "C"], [1]]), "rows[1]: must be a list of 2 cells"),
        (table(rows=[[True, "C"]]), "rows[0]: cells must be strings or numbers"),
        (table(rows=[[None, "C"]]), "rows[0]: cells must be strings or numbers"),
        (grid(width=0), "width: must be a positive whole number"),
        (grid(height=2.0), "height: must be a positive whole number"),
        (grid(width=101, height=100), f"width x height: at most {MAX_CELLS} cells, not 10100"),
        (grid(base=None), "base: must be a list"),
        (grid(items=[item(), "wall"]), "items[1].*: must be an object"),
        (grid(items=[item(x="1")]), "items[0].x: must be a number"),
        (grid(base=[item(y=True)]), "base[0].y: must be a number"),
        (grid(items=[item(x=3)]), "items[0].x: 3 is off the 3 x 2 board"),
        (grid(items=[item(y=-0.5)]), "items[0].y: -0.5 is off the 3 x 2 board"),
        (grid(items=[item(shape="star")]), "items[0].shape: must be one of rect, circle"),
        (grid(items=[item(fill=None)]), "items[0].fill: must be a CSS colour string"),
        (grid(items=[item(size=0)]), "items[0].size: must be a number in (0, 1]"),
        (grid(items=[item(size=1.5)]), "items[0].size: must be a number in (0, 1]"),
        (grid(items=[item(dir=4)]), "items[0].dir: must be 0, 1, 2 or 3"),
        (grid(items=[item(label=7)]), "items[0].label: must be a string"),
    ],
)
def test_a_malformed_scene_is_one_message_naming_its_field(scene: Any, message: str) -> None:
    (error,) = scene_errors(scene)
    assert error.startswith(message)
