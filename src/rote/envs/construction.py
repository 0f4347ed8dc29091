"""Construction: the ROTE paper's gridworld of walls and coloured blocks.

## Description
A square grid (7x7 by default) closed by a border wall, with 1-4 interior wall cells and 3-7
coloured blocks. One agent walks the grid and carries at most one block. Layouts are sampled
from the env's seeded random generator, always with every free cell reachable.

## Action Space
| Num | Name     | Effect                                                              |
|-----|----------|---------------------------------------------------------------------|
| 0   | stay     | nothing                                                             |
| 1   | up       | y - 1, unless that cell is a wall                                   |
| 2   | down     | y + 1, unless that cell is a wall                                   |
| 3   | left     | x - 1, unless that cell is a wall                                   |
| 4   | right    | x + 1, unless that cell is a wall                                   |
| 5   | interact | pick up the block on the agent's cell, or drop the held one there   |

Blocks do not obstruct: the agent walks over them. `interact` picks up the block on the agent's
cell when its hands are empty, drops the held block when the cell has none, else does nothing.

## Observation Encoding
The rote observation (`ConstructionSpec.encode`, and every trajectory line) is a JSON object:
`t` (time step), `size`, `agent` [x, y], `held` (colour or null), `walls` (interior wall cells
as [x, y]; the border ring x or y in {0, size-1} is always wall), `blocks` ([{pos, colour}]).
x grows right, y grows down. The gymnasium observation is numeric: `agent` [x, y], `held`
(0 = nothing, i + 1 = COLOURS[i]), `walls` (size x size, 1 = wall, border included) and
`blocks` (size x size, 0 = none, i + 1 = COLOURS[i]), both indexed [y, x].

## Rewards
Always 0: the env is a stage for behaviour, not a task.

## Termination
Never terminates; truncates after `max_steps` steps when that is set.

## Registered Configurations
In gymnasium's registry as `rote/Construction-v0`; in rote's as `construction`, with
env_kwargs size (default 7, at most MAX_SIZE), min_blocks/max_blocks (3/7), min_walls/max_walls
(1/4) and max_steps (null, or at most 10^6): KWARGS_SCHEMA.
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from rote.envs.base import EnvSpec, check_env_kwargs
from rote.envs.scene import PALETTE, WALL, GridScene, Item
from rote.errors import EnvError
from rote.observation import Observation
from rote.skills.construction import ACTIONS, COLOURS, ConstructionState
from rote.skills.grid import MOVES, connected, step_cell

_COLOUR_CHAR = {"green": "G", "blue": "B", "purple": "P", "pink": "K", "yellow": "Y"}
_AGENT_FILL = "#222222"
_LAYOUT_ATTEMPTS = 1000
GYM_ID = "rote/Construction-v0"
MAX_SIZE = 32
"""The largest grid side: over four times the paper's 7, small enough that rendering, sampling
layouts and encoding observations stay cheap."""
_COUNT = {"type": "integer", "minimum": 0, "maximum": (MAX_SIZE - 2) ** 2}

KWARGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "size": {"type": "integer", "minimum": 4, "maximum": MAX_SIZE},
        "min_blocks": _COUNT,
        "max_blocks": _COUNT,
        "min_walls": _COUNT,
        "max_walls": _COUNT,
        "max_steps": {"type": ["integer", "null"], "minimum": 1, "maximum": 10**6},
    },
}
"""Each env_kwarg's type and range; `_check_config` adds how they must fit together."""

RULES = """\
Construction is a {size}x{size} gridworld seen from above. Cells are [x, y] with x the column \
(0 at the left) and y the row (0 at the top), so "up" decreases y and "down" increases it. The \
outer ring of cells (x or y equal to 0 or {last}) is wall, and a few interior cells are wall \
too. Coloured blocks ({colours}) lie on some cells. One agent moves on the grid and can carry \
at most one block.
Actions: stay does nothing; up, down, left and right move one cell, unless the target cell is a \
wall, in which case the agent stays where it is. The agent can walk over blocks. interact picks \
up the block on the agent's own cell if its hands are empty, or drops the held block on the \
agent's cell if that cell has no block; otherwise it does nothing. The dynamics are \
deterministic."""


def apply_action(state: ConstructionState, action: str) -> None:
    """Advance `state` in place by one action (the env's deterministic dynamics)."""
    if action in MOVES:
        target = step_cell(state.agent, action)
        if not state.is_wall(target):
            state.agent = target
    elif action == "interact":
        if state.held is None and state.agent in state.blocks:
            state.held = state.blocks.pop(state.agent)
        elif state.held is not None and state.agent not in state.blocks:
            state.blocks[state.agent] = state.held
            state.held = None
    elif action != "stay":
        raise ValueError(f"unknown construction action {action!r}")
    state.t += 1


class ConstructionEnv(gym.Env[dict[str, Any], np.int64]):
    """The Construction gridworld as a gymnasium environment (see the module docstring)."""

    metadata = {"render_modes": ["ansi"], "render_fps": 4}  # noqa: RUF012 - gymnasium API

    def __init__(
        self,
        size: int = 7,
        min_blocks: int = 3,
        max_blocks: int = 7,
        min_walls: int = 1,
        max_walls: int = 4,
        max_steps: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        _check_config(size, min_blocks, max_blocks, min_walls, max_walls, max_steps)
        if render_mode not in (None, "ansi"):
            raise EnvError(f"construction: render_mode must be None or 'ansi', not {render_mode!r}")
        self.size = size
        self.block_range = (min_blocks, max_blocks)
        self.wall_range = (min_walls, max_walls)
        self.max_steps = max_steps
        self.render_mode = render_mode
        self.action_space = gym.spaces.Discrete(len(ACTIONS))
        self.observation_space = gym.spaces.Dict(
            {
                "agent": gym.spaces.Box(0, size - 1, shape=(2,), dtype=np.int64),
                "held": gym.spaces.Discrete(len(COLOURS) + 1),
                "walls": gym.spaces.MultiBinary([size, size]),
                "blocks": gym.spaces.Box(0, len(COLOURS), shape=(size, size), dtype=np.int64),
            }
        )
        self.state = ConstructionState(size=size, agent=(1, 1))

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Sample a layout, or with options={"observation": obs} start from that exact state."""
        super().reset(seed=seed)
        if options and "observation" in options:
            state = ConstructionState.from_observation(options["observation"])
            if state.size != self.size:
                raise EnvError(
                    f"construction: observation size {state.size} != env size {self.size}"
                )
            self.state = state
        else:
            self.state = self._sample_layout(held=None, t=0)
        return self._gym_observation(), {}

    def step(
        self, action: np.int64 | int
    ) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        apply_action(self.state, ACTIONS[int(action)])
        truncated = self.max_steps is not None and self.state.t >= self.max_steps
        return self._gym_observation(), 0.0, False, truncated, {}

    def swap_layout(self) -> None:
        """Re-sample walls, blocks and the agent's cell, keeping the held block and the clock.

        This is the paper's generalization test: the world changes, the agent's program does not.
        """
        self.state = self._sample_layout(held=self.state.held, t=self.state.t)

    def render(self) -> str | None:
        if self.render_mode == "ansi":
            return render_text(self.state.to_observation())
        return None

    def _sample_layout(self, held: str | None, t: int) -> ConstructionState:
        rng = self.np_random
        interior = [(x, y) for y in range(1, self.size - 1) for x in range(1, self.size - 1)]
        for _ in range(_LAYOUT_ATTEMPTS):
            n_walls = int(rng.integers(self.wall_range[0], self.wall_range[1] + 1))
            picks = rng.permutation(len(interior))
            walls = frozenset(interior[i] for i in picks[:n_walls])
            free = [cell for cell in interior if cell not in walls]
            if connected(free):
                break
        else:  # pragma: no cover - impossible for the validated configurations
            raise EnvError("construction: could not sample a connected layout")
        n_blocks = int(rng.integers(self.block_range[0], self.block_range[1] + 1))
        order = rng.permutation(len(free))
        block_cells = [free[i] for i in order[:n_blocks]]
        agent = free[int(order[n_blocks])]
        colours = rng.integers(0, len(COLOURS), size=n_blocks)
        blocks = {cell: COLOURS[int(c)] for cell, c in zip(block_cells, colours, strict=True)}
        return ConstructionState(self.size, agent, held, walls, blocks, t)

    def _gym_observation(self) -> dict[str, Any]:
        state = self.state
        walls: NDArray[np.int8] = np.zeros((self.size, self.size), dtype=np.int8)
        walls[0, :] = walls[-1, :] = walls[:, 0] = walls[:, -1] = 1
        for x, y in state.walls:
            walls[y, x] = 1
        blocks = np.zeros((self.size, self.size), dtype=np.int64)
        for (x, y), colour in state.blocks.items():
            blocks[y, x] = COLOURS.index(colour) + 1
        return {
            "agent": np.array(state.agent, dtype=np.int64),
            "held": 0 if state.held is None else COLOURS.index(state.held) + 1,
            "walls": walls,
            "blocks": blocks,
        }


def _check_config(
    size: Any,
    min_blocks: Any,
    max_blocks: Any,
    min_walls: Any,
    max_walls: Any,
    max_steps: Any,
) -> dict[str, Any]:
    """Reject env_kwargs that cannot make a layout, naming the field; else the env_kwargs."""
    kwargs = {
        "size": size,
        "min_blocks": min_blocks,
        "max_blocks": max_blocks,
        "min_walls": min_walls,
        "max_walls": max_walls,
        "max_steps": max_steps,
    }
    check_env_kwargs(ConstructionSpec.id, KWARGS_SCHEMA, kwargs)
    if min_blocks > max_blocks:
        raise EnvError('env "construction": env_kwargs need min_blocks <= max_blocks')
    if min_walls > max_walls:
        raise EnvError('env "construction": env_kwargs need min_walls <= max_walls')
    interior = (size - 2) ** 2
    if max_walls + max_blocks + 1 > interior or max_walls > interior // 3:
        raise EnvError(
            f'env "construction": {max_walls} walls and {max_blocks} blocks '
            f"do not fit a {size}x{size} grid"
        )
    return kwargs


def _cell_schema(size: int) -> dict[str, Any]:
    coordinate = {"type": "integer", "minimum": 0, "maximum": size - 1}
    return {"type": "array", "items": coordinate, "minItems": 2, "maxItems": 2}


def observation_schema(size: int) -> dict[str, Any]:
    """JSON Schema of a Construction observation on a size x size grid. A list longer than the
    grid has cells is refused before its items are checked one by one."""
    cell = _cell_schema(size)
    interior = (size - 2) ** 2
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "construction observation",
        "type": "object",
        "additionalProperties": False,
        "required": ["t", "size", "agent", "held", "walls", "blocks"],
        "properties": {
            "t": {"type": "integer", "minimum": 0, "description": "time step, from 0"},
            "size": {
                "type": "integer",
                "const": size,
                "description": "grid side; the border ring is wall",
            },
            "agent": {**cell, "description": "agent cell [x, y]"},
            "held": {
                "enum": [*COLOURS, None],
                "description": "colour of the carried block, or null",
            },
            "walls": {
                "type": "array",
                "maxItems": interior,
                "items": cell,
                "description": "interior wall cells",
            },
            "blocks": {
                "type": "array",
                "description": "blocks lying on the grid (not the carried one)",
                "maxItems": interior,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["pos", "colour"],
                    "properties": {"pos": cell, "colour": {"enum": list(COLOURS)}},
                },
            },
        },
    }


def render_text(observation: Observation) -> str:
    """The grid as characters, with a status line and a legend."""
    state = ConstructionState.from_observation(observation)
    under = state.blocks.get(state.agent)
    status = (
        f"t={state.t} agent=({state.agent[0]},{state.agent[1]}) holding={state.held or 'nothing'}"
    )
    if under:
        status += f" standing_on={under}"
    rows = []
    for y in range(state.size):
        row = []
        for x in range(state.size):
            cell = (x, y)
            if cell == state.agent:
                row.append("A")
            elif state.is_wall(cell):
                row.append("#")
            elif cell in state.blocks:
                row.append(_COLOUR_CHAR[state.blocks[cell]])
            else:
                row.append(".")
        rows.append(" ".join(row))
    legend = "legend: A agent, # wall, . floor, " + ", ".join(
        f"{char} {colour}" for colour, char in _COLOUR_CHAR.items()
    )
    return "\n".join([status, *rows, legend])


def draw(observation: Observation) -> GridScene:
    """Walls (border included) as the layout's base; blocks as coloured squares under the agent,
    a dark disc small enough that a block it stands on shows around it, with what it holds as a
    small square on it."""
    state = ConstructionState.from_observation(observation)
    cells = range(state.size)
    base: list[Item] = [
        {"x": x, "y": y, "shape": "rect", "fill": WALL}
        for y in cells
        for x in cells
        if state.is_wall((x, y))
    ]
    items: list[Item] = [
        {"x": x, "y": y, "shape": "rect", "fill": PALETTE[colour], "size": 0.8}
        for (x, y), colour in state.blocks.items()
    ]
    x, y = state.agent
    items.append({"x": x, "y": y, "shape": "circle", "fill": _AGENT_FILL, "size": 0.55})
    if state.held is not None:
        items.append({"x": x, "y": y, "shape": "rect", "fill": PALETTE[state.held], "size": 0.25})
    caption = f"t={state.t}, holding {state.held or 'nothing'}"
    under = state.blocks.get(state.agent)
    if under:
        caption += f", standing on {under}"
    return {
        "kind": "grid",
        "width": state.size,
        "height": state.size,
        "base": base,
        "items": items,
        "caption": caption,
    }


class ConstructionSpec(EnvSpec):
    """Spec of the Construction gridworld; env_kwargs as for `ConstructionEnv`."""

    id: ClassVar[str] = "construction"
    kwargs_schema = KWARGS_SCHEMA

    def __init__(
        self,
        size: int = 7,
        min_blocks: int = 3,
        max_blocks: int = 7,
        min_walls: int = 1,
        max_walls: int = 4,
        max_steps: int | None = None,
    ) -> None:
        kwargs = _check_config(size, min_blocks, max_blocks, min_walls, max_walls, max_steps)
        super().__init__(
            action_names=ACTIONS,
            idle_action="stay",
            rules=RULES.format(size=size, last=size - 1, colours=", ".join(COLOURS)),
            observation_schema=observation_schema(size),
            kwargs=kwargs,
        )

    def render_text(self, observation: Observation) -> str:
        return render_text(observation)

    def draw(self, observation: Observation) -> GridScene:
        return draw(observation)

    @property
    def simulated(self) -> bool:
        return True

    def make_gym(self, **options: Any) -> gym.Env[Any, Any]:
        return gym.make(GYM_ID, **self.kwargs, **options)

    def encode(self, env: gym.Env[Any, Any]) -> Observation:
        unwrapped = env.unwrapped
        if not isinstance(unwrapped, ConstructionEnv):
            raise EnvError(f"construction: cannot encode a {type(unwrapped).__name__}")
        return unwrapped.state.to_observation()


if GYM_ID not in gym.registry:  # once, though tests may import the module again
    gym.register(id=GYM_ID, entry_point=f"{__name__}:ConstructionEnv")
