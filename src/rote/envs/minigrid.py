"""MiniGrid and BabyAI levels as rote envs: `minigrid:<gymnasium id>`.

## Description
Any level registered by the `minigrid` package (MiniGrid-* and BabyAI-*), e.g.
`minigrid:MiniGrid-GoToObject-8x8-N2-v0` or `minigrid:BabyAI-PutNextLocal-v0`. An agent facing
one of four directions walks a grid of walls, doors, keys, balls and boxes to do what a mission
text asks. rote records a fixed number of steps and never resets, while MiniGrid episodes end
(success, failure or time limit): so the env rote runs starts the next episode, on a fresh
layout seeded from the run's seed, as soon as one ends, and carries on.

## Action Space
| Num | Name    | Effect                                              |
|-----|---------|-----------------------------------------------------|
| 0   | left    | turn left (counter-clockwise)                       |
| 1   | right   | turn right (clockwise)                              |
| 2   | forward | step to the cell in front, if it can be entered     |
| 3   | pickup  | pick up the object in front, if hands are empty     |
| 4   | drop    | drop the carried object in front, if that is empty  |
| 5   | toggle  | open/close the door (or open the box) in front      |
| 6   | done    | declare the task done (most levels ignore it)       |

## Observation Encoding
The rote observation (`encode`, and every trajectory line) is the fully observed symbolic state
as a JSON object: `t` (steps since the run began, across episodes), `width`, `height`, `mission`
(text), `agent` [x, y], `direction` (right, down, left or up), `carrying` ({type, colour} or
null), `walls` (every wall cell as [x, y]) and `objects` ([{type, colour, pos}], doors with a
`state` of open, closed or locked). x grows right and y down, as in MiniGrid. What a box holds
is not shown (MiniGrid hides it too). The gymnasium observation is MiniGrid's own (a partial
7x7 egocentric image, direction and mission).

## Rewards
MiniGrid's: 1 - 0.9 * (steps / max_steps) on success, else 0. rote itself ignores rewards.

## Termination
Never terminates or truncates: an ended episode is followed by a new one at once, and `info`
of the step that ended it carries `episode_end` ("success", "failure" or "timeout").

## Registered Configurations
In gymnasium's registry as `rote/MiniGrid-v0` (kwarg `level_id`, then the level's own); in
rote's registry as the prefix `minigrid`: `minigrid:<id>` for any gymnasium id of the
`minigrid` package, with env_kwargs passed to that level's constructor: those of LEVEL_KWARGS
that it takes (max_steps always), within their ranges. Needs the extra:
`pip install minds-as-code[minigrid]`.
"""

from __future__ import annotations

import contextlib
import inspect
import io
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium.envs.registration import load_env_creator
from minigrid.minigrid_env import MiniGridEnv

from rote.envs.base import EnvSpec, check_env_kwargs
from rote.envs.scene import PALETTE, POINTING, WALL, GridScene, Item
from rote.errors import EnvError
from rote.observation import Observation
from rote.skills.minigrid import ACTIONS, COLOURS, DIRECTIONS, TYPES, parse

PREFIX = "minigrid"
GYM_ID = "rote/MiniGrid-v0"
_SEED_RANGE = 2**31 - 1
_TYPE_CHAR = {
    "key": "K",
    "ball": "A",
    "box": "B",
    "door": "D",
    "goal": "G",
    "lava": "V",
    "floor": "F",
}
_STATE_CHAR = {"open": "_", "closed": "D", "locked": "L"}
_COLOUR_CHAR = {"red": "r", "green": "g", "blue": "b", "purple": "p", "yellow": "y", "grey": "e"}
_DIRECTION_CHAR = {"right": ">", "down": "v", "left": "<", "up": "^"}
_AGENT_FILL = "#d62828"
"""MiniGrid draws its agent as a red triangle; so does the report."""
_LAVA_FILL = "#f07000"
_DOOR_LABEL = {"open": "open", "closed": "door", "locked": "locked"}


def _integer(low: int, high: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": low, "maximum": high}


LEVEL_KWARGS: dict[str, dict[str, Any]] = {
    "max_steps": _integer(1, 10**6),
    "size": _integer(5, 32),
    "width": _integer(5, 32),
    "height": _integer(5, 32),
    "room_size": _integer(3, 20),
    "num_rows": _integer(1, 3),
    "num_cols": _integer(1, 3),
    "numObjs": _integer(1, 8),
    "num_objs": _integer(1, 8),
    "num_dists": _integer(0, 18),
    "n_obstacles": _integer(0, 8),
    "objs_per_room": _integer(1, 9),
}
"""The level arguments env_kwargs may set, each with a range that covers the registered levels
and keeps a grid small (32 cells a side, or 3x3 rooms of 20: a 20000-cell side took 3 GB). A
level takes those its constructor names, and max_steps, which every level passes on to
MiniGridEnv; any other argument is refused."""

RULES = """\
{level} is a MiniGrid level: a {width}x{height} grid seen from above, cells [x, y] with x the \
column (0 at the left) and y the row (0 at the top). Walls block; so do keys, balls, boxes and \
closed or locked doors, while open doors, goals and floor can be walked over (lava can too, but \
ends the episode). The agent faces right, down, left or up. Actions: left and right turn it a \
quarter turn on the spot; forward steps to the cell in front if it can be entered; pickup takes \
the object in front if the agent carries nothing; drop puts the carried object on the cell in \
front if that cell is empty; toggle opens or closes the door in front (a locked door needs a key \
of its colour); done declares the task finished. The mission text says what to do. An episode \
ends on success, on failure or after the level's step limit, and the next one starts at once \
on a new layout with a new mission."""


def _level(env: gym.Env[Any, Any]) -> tuple[MiniGridEnv, int | None]:
    """The MiniGrid level inside `env`, and rote's step count when it is rote's episode env."""
    unwrapped = env.unwrapped
    if isinstance(unwrapped, MiniGridEpisodes):
        return unwrapped.level, unwrapped.t
    if isinstance(unwrapped, MiniGridEnv):
        return unwrapped, None
    raise EnvError(f"minigrid: cannot encode a {type(unwrapped).__name__}")


def encode(env: gym.Env[Any, Any]) -> Observation:
    """The rote observation of a MiniGrid level's current state (see the module docstring);
    `env` is rote's episode env or any MiniGrid env, wrapped or not."""
    level, t = _level(env)
    walls: list[list[int]] = []
    objects: list[dict[str, Any]] = []
    for y in range(level.height):
        for x in range(level.width):
            thing = level.grid.get(x, y)
            if thing is None:
                continue
            if thing.type == "wall":
                walls.append([x, y])
            else:
                objects.append(_object(thing, [x, y]))
    carried = level.carrying
    ax, ay = level.agent_pos
    return {
        "t": level.step_count if t is None else t,
        "width": level.width,
        "height": level.height,
        "mission": level.mission,
        "agent": [int(ax), int(ay)],
        "direction": DIRECTIONS[int(level.agent_dir)],
        "carrying": None if carried is None else {"type": carried.type, "colour": carried.color},
        "walls": walls,
        "objects": objects,
    }


def _object(thing: Any, pos: list[int]) -> dict[str, Any]:
    found: dict[str, Any] = {"type": thing.type, "colour": thing.color, "pos": pos}
    if thing.type == "door":
        found["state"] = "open" if thing.is_open else "locked" if thing.is_locked else "closed"
    return found


def observation_schema(width: int, height: int) -> dict[str, Any]:
    """JSON Schema of a MiniGrid observation on a width x height grid. A list longer than the
    grid has cells is refused before its items are checked one by one."""
    cell = {
        "type": "array",
        "prefixItems": [
            {"type": "integer", "minimum": 0, "maximum": width - 1},
            {"type": "integer", "minimum": 0, "maximum": height - 1},
        ],
        "items": False,
        "minItems": 2,
    }
    thing: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "colour"],
        "properties": {
            "type": {"enum": list(TYPES), "description": "object type"},
            "colour": {"enum": list(COLOURS), "description": "object colour"},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "minigrid observation",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "t",
            "width",
            "height",
            "mission",
            "agent",
            "direction",
            "carrying",
            "walls",
            "objects",
        ],
        "properties": {
            "t": {"type": "integer", "minimum": 0, "description": "steps since the run began"},
            "width": {"type": "integer", "const": width, "description": "grid width (columns)"},
            "height": {"type": "integer", "const": height, "description": "grid height (rows)"},
            "mission": {"type": "string", "description": "the episode's mission text"},
            "agent": {**cell, "description": "agent cell [x, y]"},
            "direction": {"enum": list(DIRECTIONS), "description": "the way the agent faces"},
            "carrying": {
                "oneOf": [thing, {"type": "null"}],
                "description": "the object the agent carries, or null",
            },
            "walls": {
                "type": "array",
                "maxItems": width * height,
                "items": cell,
                "description": "wall cells [x, y]",
            },
            "objects": {
                "type": "array",
                "description": "objects on the grid other than walls, in row order",
                "maxItems": width * height,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["type", "colour", "pos"],
                    "properties": {
                        **thing["properties"],
                        "pos": {**cell, "description": "object cell [x, y]"},
                        "state": {
                            "enum": ["open", "closed", "locked"],
                            "description": "door state (doors only)",
                        },
                    },
                },
            },
        },
    }


def render_text(observation: Observation) -> str:
    """The grid, two characters a cell (type, colour initial), with the mission and a legend."""
    state = parse(observation)
    held = state.carrying
    status = (
        f"t={state.t} agent=({state.agent[0]},{state.agent[1]}) facing={state.direction} "
        f"carrying={'nothing' if held is None else f'{held.colour} {held.type}'}"
    )
    rows = []
    for y in range(state.height):
        row = []
        for x in range(state.width):
            thing = state.objects.get((x, y))
            if (x, y) == state.agent:
                row.append(2 * _DIRECTION_CHAR[state.direction])
            elif (x, y) in state.walls:
                row.append("##")
            elif thing is not None:
                char = _STATE_CHAR[thing.state] if thing.state else _TYPE_CHAR[thing.type]
                row.append(char + _COLOUR_CHAR[thing.colour])
            else:
                row.append("..")
        rows.append(" ".join(row))
    legend = (
        "legend: >> agent facing right (v down, < left, ^ up), ## wall, .. empty; objects are "
        "type + colour initial (r g b p y e=grey): K key, A ball, B box, G goal, V lava, "
        "F floor, doors D closed, L locked, _ open"
    )
    return "\n".join([f"mission: {state.mission}", status, *rows, legend])


def _thing_item(thing: dict[str, Any], x: int, y: int) -> Item:
    """One object as MiniGrid shows it: balls round, keys by name, doors, boxes, goals and lava
    as squares (an open door a smaller one, as it no longer blocks)."""
    kind, fill = thing["type"], PALETTE[thing["colour"]]
    if kind == "ball":
        return {"x": x, "y": y, "shape": "circle", "fill": fill, "size": 0.6}
    if kind == "key":
        return {"x": x, "y": y, "shape": "text", "fill": fill, "label": "key"}
    if kind == "door":
        size = 0.5 if thing["state"] == "open" else 1.0
        label = _DOOR_LABEL[thing["state"]]
        return {"x": x, "y": y, "shape": "rect", "fill": fill, "size": size, "label": label}
    if kind == "box":
        return {"x": x, "y": y, "shape": "rect", "fill": fill, "size": 0.7, "label": "box"}
    if kind == "lava":
        return {"x": x, "y": y, "shape": "rect", "fill": _LAVA_FILL, "label": "lava"}
    return {"x": x, "y": y, "shape": "rect", "fill": fill, "label": kind}  # goal, floor


def draw(observation: Observation) -> GridScene:
    """Walls as the base; objects in their colours; the agent as MiniGrid's red triangle
    pointing the way it faces, with what it carries as a small disc on it. The observation is
    the full grid (encode reads the level's state, not the agent's partial view), so the scene
    is too."""
    base: list[Item] = [
        {"x": x, "y": y, "shape": "rect", "fill": WALL} for x, y in observation["walls"]
    ]
    items = [_thing_item(thing, *thing["pos"]) for thing in observation["objects"]]
    x, y = observation["agent"]
    direction = POINTING.index(observation["direction"])
    items.append({"x": x, "y": y, "shape": "triangle", "fill": _AGENT_FILL, "dir": direction})
    carried = observation["carrying"]
    held = "nothing"
    if carried is not None:
        fill = PALETTE[carried["colour"]]
        items.append({"x": x, "y": y, "shape": "circle", "fill": fill, "size": 0.3})
        held = f"{carried['colour']} {carried['type']}"
    return {
        "kind": "grid",
        "width": observation["width"],
        "height": observation["height"],
        "base": base,
        "items": items,
        "caption": f"mission: {observation['mission']} | t={observation['t']}, carrying {held}",
    }


class MiniGridEpisodes(gym.Env[dict[str, Any], np.int64]):
    """A MiniGrid level that starts a new episode whenever one ends (see the module docstring).

    Episode seeds are drawn from this env's own generator, seeded by `reset(seed=...)`, so a
    run's layouts repeat exactly under its seed.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}  # noqa: RUF012 - gymnasium API

    def __init__(self, level_id: str, render_mode: str | None = None, **level_kwargs: Any) -> None:
        if render_mode not in (None, "ansi"):
            raise EnvError(f"minigrid: render_mode must be None or 'ansi', not {render_mode!r}")
        self.level_id = level_id
        self.render_mode = render_mode
        self.level = _make_level(level_id, level_kwargs)
        self.action_space = gym.spaces.Discrete(len(ACTIONS))
        self.observation_space = self.level.observation_space
        self.t = 0
        self.episodes = 0

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        super().reset(seed=seed)
        self.t = 0
        self.episodes = 0
        return self._new_episode(), {}

    def step(
        self, action: np.int64 | int
    ) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        observation, reward, terminated, truncated, _ = self.level.step(int(action))
        self.t += 1
        info: dict[str, Any] = {}
        if terminated or truncated:
            info["episode_end"] = (
                "success" if float(reward) > 0 else "failure" if terminated else "timeout"
            )
            observation = self._new_episode()
        return observation, float(reward), False, False, info

    def swap_layout(self) -> None:
        """Start a new episode now: a new layout and mission; the clock runs on."""
        self._new_episode()

    def render(self) -> str | None:
        if self.render_mode == "ansi":
            return render_text(encode(self))
        return None

    def _new_episode(self) -> dict[str, Any]:
        self.episodes += 1
        with contextlib.redirect_stdout(io.StringIO()):  # BabyAI prints rejected layouts
            observation, _ = self.level.reset(seed=int(self.np_random.integers(_SEED_RANGE)))
        found: dict[str, Any] = observation
        return found


def _make_level(level_id: str, level_kwargs: dict[str, Any]) -> MiniGridEnv:
    """The MiniGrid level `level_id`, or a one-line EnvError naming what is wrong."""
    env_id = f"{PREFIX}:{level_id}"
    try:
        spec = gym.spec(level_id)
    except gym.error.Error:
        raise EnvError(f'env "{env_id}": "{level_id}" is not a registered gymnasium id') from None
    entry = spec.entry_point if isinstance(spec.entry_point, str) else ""
    if not entry.startswith("minigrid."):
        raise EnvError(f'env "{env_id}": "{level_id}" is not a MiniGrid or BabyAI level')
    check_env_kwargs(env_id, kwargs_schema(entry), level_kwargs)
    try:
        level = gym.make(level_id, disable_env_checker=True, **level_kwargs).unwrapped
    except (TypeError, ValueError, AssertionError) as error:
        # In range one by one, kwargs can still clash (PutNext's rooms of 3 fail an assertion
        # that says nothing). gymnasium appends the kwargs it tried: keep the first clause.
        reason = str(error).split(" was raised from")[0] or type(error).__name__
        raise EnvError(
            f'env "{env_id}": bad env_kwargs: the level refuses them: {reason}'
        ) from None
    assert isinstance(level, MiniGridEnv)  # every minigrid.* entry point is one
    return level


def kwargs_schema(entry_point: str) -> dict[str, Any]:
    """JSON Schema of the env_kwargs of the level built by `entry_point`: LEVEL_KWARGS that its
    constructor names, and max_steps."""
    names = inspect.signature(load_env_creator(entry_point)).parameters
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            name: schema
            for name, schema in LEVEL_KWARGS.items()
            if name in names or name == "max_steps"
        },
    }


class MiniGridSpec(EnvSpec):
    """Spec of one MiniGrid/BabyAI level; its id is `minigrid:<level id>`."""

    id: ClassVar[str] = PREFIX

    def __init__(self, level_id: str, /, **level_kwargs: Any) -> None:
        self.id = f"{PREFIX}:{level_id}"  # type: ignore[misc]  # one spec class, many ids
        self.level_id = level_id
        level = _make_level(level_id, level_kwargs)
        super().__init__(
            action_names=ACTIONS,
            rules=RULES.format(level=level_id, width=level.width, height=level.height),
            observation_schema=observation_schema(level.width, level.height),
            kwargs=level_kwargs,
        )

    def render_text(self, observation: Observation) -> str:
        return render_text(observation)

    def draw(self, observation: Observation) -> GridScene:
        return draw(observation)

    @property
    def simulated(self) -> bool:
        return True

    def make_gym(self, **options: Any) -> gym.Env[Any, Any]:
        return gym.make(GYM_ID, level_id=self.level_id, **self.kwargs, **options)

    def encode(self, env: gym.Env[Any, Any]) -> Observation:
        return encode(env)


if GYM_ID not in gym.registry:
    gym.register(id=GYM_ID, entry_point="rote.envs.minigrid:MiniGridEpisodes")
