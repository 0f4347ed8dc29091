"""The data of a trajectory report: every step drawn as a scene (`EnvSpec.draw`, or its
`render_text`), with the explanation's predictions, programs, belief and events. The HTML page
embeds it as one JSON object and draws it in the browser; nothing else reaches the page."""

from __future__ import annotations

import json
from typing import Any

from rote.envs import EnvSpec
from rote.envs.scene import Scene, scene_errors, text_scene
from rote.errors import RoteError
from rote.report.explanation import Explanation
from rote.report.terminal import tempo

SCHEMA = "rote.report.trajectory/1"


def scene_of(spec: EnvSpec, observation: dict[str, Any], t: int) -> Scene:
    """The env's drawing of one observation, checked: a plugin's malformed scene is one line
    naming the step and the field."""
    scene = spec.draw(observation)
    if scene is None:
        return text_scene(spec.render_text(observation))
    problems = scene_errors(scene)
    if problems:
        raise RoteError(f'env "{spec.id}" drew step {t} wrongly: {problems[0]}')
    return scene


def trajectory_data(explanation: Explanation, spec: EnvSpec, title: str) -> dict[str, Any]:
    """The report's JSON object: `explanation.to_json()` (settings, predictions, programs with
    the steps each missed and their tempo in words, belief, events) plus the env, each step's
    scene and action, and the distinct grid bases that scenes point to by index (a layout's
    walls are stored once)."""
    bases: list[Any] = []
    index: dict[str, int] = {}
    steps = []
    for t, step in enumerate(explanation.trajectory.steps):
        scene: dict[str, Any] = dict(scene_of(spec, step.observation, t))
        if scene["kind"] == "grid":
            key = json.dumps(scene["base"], sort_keys=True)
            if key not in index:
                index[key] = len(bases)
                bases.append(scene["base"])
            scene["base"] = index[key]
        steps.append({"t": t, "scene": scene, "action": step.action})
    explained = explanation.to_json()
    for program in explained["programs"]:  # the page says the tempo as the terminal does
        program["tempo"] = tempo(program.get("acting_rates"))
    return {
        "report": SCHEMA,
        "title": title,
        "env": {"id": spec.id, "actions": list(spec.action_names)},
        **explained,
        "bases": bases,
        "steps": steps,
    }
