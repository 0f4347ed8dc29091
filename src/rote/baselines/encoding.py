"""Fixed-size float vectors from JSON observations, for baselines that learn (behaviour cloning).

Construction gets a symbolic stand-in for the paper's rendered frames: one-hot channels per grid
cell (wall, agent, a block of each colour) and the held colour; MiniGrid levels get the like,
plus the mission as categories (`MiniGridEncoder`); Overcooked gets Carroll et al.'s kind of
hand-made features (`OvercookedEncoder`). Any other env gets a generic encoding fitted
on the training observations: top-level numbers and booleans, standardized, and one-hot
top-level fields with few distinct string or null values. Encoders are plain numpy and
round-trip through JSON, so a checkpoint records exactly how its inputs were made.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Self, TypeGuard

import numpy as np
from numpy.typing import NDArray

from rote.envs.base import EnvSpec
from rote.envs.registry import registration, registrations
from rote.errors import RoteError
from rote.observation import Observation
from rote.skills import minigrid, overcooked
from rote.skills.construction import COLOURS
from rote.skills.grid import manhattan, step_cell

Vector = NDArray[np.float32]

MAX_CATEGORIES = 16
"""A string-valued field with more distinct values than this is an id or free text: skipped."""
RECENT = 3
"""History entries the generic encoder keeps, most recent first."""


class ObservationEncoder(ABC):
    """Maps one observation to a float32 vector of length `dim`.

    An env family names its encoder class in its registration; `kind` tags the class in the
    checkpoints it writes, so `encoder_from_json` finds it again among the registered ones.
    """

    kind: ClassVar[str]
    dim: int

    @classmethod
    @abstractmethod
    def fit(cls, env: EnvSpec, observations: Sequence[Observation]) -> Self:
        """The encoder for `env`, fitted on the training observations where it needs them."""

    @abstractmethod
    def encode(self, observation: Observation) -> Vector: ...

    @abstractmethod
    def to_json(self) -> dict[str, Any]:
        """What `from_json` needs to rebuild this encoder exactly, with `kind`."""

    @classmethod
    @abstractmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """The encoder `to_json` wrote."""


class GridEncoder(ObservationEncoder):
    """Construction as channels over a side x side grid, then the held colour.

    Channels per cell, row by row: wall, agent, then one per block colour. A grid smaller than
    `side` is padded with wall (nothing lives beyond the border); a larger one is cropped to its
    top-left side x side cells. Observations of one env spec all have the same size, so neither
    happens unless a checkpoint is used on a differently sized Construction.
    """

    kind = "grid"
    channels = 2 + len(COLOURS)

    def __init__(self, side: int) -> None:
        self.side = side
        self.dim = self.channels * side * side + 1 + len(COLOURS)

    @classmethod
    def fit(cls, env: EnvSpec, observations: Sequence[Observation]) -> Self:
        sizes = [int(observation["size"]) for observation in observations]
        return cls(max([env.kwargs["size"], *sizes]))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls(int(data["side"]))

    def encode(self, observation: Observation) -> Vector:
        side, size = self.side, int(observation["size"])
        grid = np.zeros((self.channels, side, side), dtype=np.float32)
        grid[0] = 1.0  # the border ring and any padding
        interior_end = min(size - 1, side)
        grid[0, 1:interior_end, 1:interior_end] = 0.0
        for x, y in observation["walls"]:
            if x < side and y < side:
                grid[0, y, x] = 1.0
        x, y = observation["agent"]
        if x < side and y < side:
            grid[1, y, x] = 1.0
        for block in observation["blocks"]:
            x, y = block["pos"]
            if x < side and y < side:
                grid[2 + COLOURS.index(block["colour"]), y, x] = 1.0
        held = np.zeros(1 + len(COLOURS), dtype=np.float32)
        held[0 if observation["held"] is None else 1 + COLOURS.index(observation["held"])] = 1.0
        return np.concatenate([grid.reshape(-1), held])

    def to_json(self) -> dict[str, Any]:
        return {"kind": "grid", "side": self.side}


class MiniGridEncoder(ObservationEncoder):
    """A MiniGrid observation as channels over a width x height grid, then direction, carried
    object and the mission read as categories.

    Channels per cell, row by row: wall, agent, each object type, each colour, each door state.
    Then one-hot: the agent's direction; the carried type (or nothing) and colour; the mission's
    kind, its object's type and colour, its destination's type and colour (each with a slot for
    none). Grids smaller than width x height are padded with wall, larger ones cropped.
    """

    kind = "minigrid"
    door_states = ("open", "closed", "locked")
    mission_types = (*minigrid.TYPES, "object")
    channels = 2 + len(minigrid.TYPES) + len(minigrid.COLOURS) + len(door_states)

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.categories: list[tuple[str | None, ...]] = [
            minigrid.DIRECTIONS,
            (*minigrid.TYPES, None),
            (*minigrid.COLOURS, None),
            (*minigrid.KINDS, "other"),
            *[(*self.mission_types, None), (*minigrid.COLOURS, None)] * 2,
        ]
        self.dim = self.channels * width * height + sum(map(len, self.categories))

    @classmethod
    def fit(cls, env: EnvSpec, observations: Sequence[Observation]) -> Self:
        width = max(int(observation["width"]) for observation in observations)
        height = max(int(observation["height"]) for observation in observations)
        return cls(width, height)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls(int(data["width"]), int(data["height"]))

    def encode(self, observation: Observation) -> Vector:
        state = minigrid.parse(observation)
        grid = np.zeros((self.channels, self.height, self.width), dtype=np.float32)
        grid[0] = 1.0
        grid[0, : min(state.height, self.height), : min(state.width, self.width)] = 0.0
        for x, y in state.walls:
            if x < self.width and y < self.height:
                grid[0, y, x] = 1.0
        x, y = state.agent
        if x < self.width and y < self.height:
            grid[1, y, x] = 1.0
        colours = 2 + len(minigrid.TYPES)
        states = colours + len(minigrid.COLOURS)
        for (x, y), thing in state.objects.items():
            if x < self.width and y < self.height:
                grid[2 + minigrid.TYPES.index(thing.type), y, x] = 1.0
                grid[colours + minigrid.COLOURS.index(thing.colour), y, x] = 1.0
                if thing.state is not None:
                    grid[states + self.door_states.index(thing.state), y, x] = 1.0
        held, task = state.carrying, minigrid.mission(state)
        target = task.target or (None, None)
        destination = task.destination or (None, None)
        values = [
            state.direction,
            None if held is None else held.type,
            None if held is None else held.colour,
            task.kind,
            *target,
            *destination,
        ]
        one_hots = []
        for value, categories in zip(values, self.categories, strict=True):
            one_hot = np.zeros(len(categories), dtype=np.float32)
            one_hot[categories.index(value)] = 1.0
            one_hots.append(one_hot)
        return np.concatenate([grid.reshape(-1), *one_hots])

    def to_json(self) -> dict[str, Any]:
        return {"kind": "minigrid", "width": self.width, "height": self.height}


class FieldEncoder(ObservationEncoder):
    """The generic fallback: standardized numeric fields, one-hot categorical fields, and the
    last RECENT entries of history fields (lists of few distinct strings, such as the moves
    so far in a repeated game), each one-hot.

    A field missing from an observation, or of an unexpected type, encodes as its mean
    (numeric) or as all zeros (categorical); so does a category never seen in training.
    """

    kind = "fields"

    def __init__(
        self,
        numeric: Sequence[tuple[str, float, float]],
        categorical: Sequence[tuple[str, Sequence[str | None]]],
        recent: Sequence[tuple[str, Sequence[str]]] = (),
    ) -> None:
        self.numeric = [(name, mean, std) for name, mean, std in numeric]
        self.categorical = [(name, list(values)) for name, values in categorical]
        self.recent = [(name, list(values)) for name, values in recent]
        self.dim = (
            len(self.numeric)
            + sum(len(values) for _, values in self.categorical)
            + RECENT * sum(len(values) for _, values in self.recent)
        )

    @classmethod
    def fit(cls, env: EnvSpec, observations: Sequence[Observation]) -> Self:
        """The fields every training observation agrees on the type of; RoteError if none."""
        values: dict[str, list[Any]] = {}
        for observation in observations:
            for name, value in observation.items():
                values.setdefault(name, []).append(value)
        numeric, categorical, recent = [], [], []
        for name in sorted(values):
            seen = values[name]
            if all(isinstance(value, list) for value in seen):
                entries = [entry for value in seen for entry in value]
                strings = all(isinstance(entry, str) for entry in entries)
                if entries and strings and len(set(entries)) <= MAX_CATEGORIES:
                    recent.append((name, sorted(set(entries))))
            elif all(_is_number(value) for value in seen):
                data = np.asarray(seen, dtype=np.float64)
                std = float(data.std())
                numeric.append((name, float(data.mean()), std if std > 0 else 1.0))
            elif all(value is None or isinstance(value, str) for value in seen):
                distinct = sorted(set(seen), key=lambda value: (value is not None, value or ""))
                if len(distinct) <= MAX_CATEGORIES:
                    categorical.append((name, distinct))
        encoder = cls(numeric, categorical, recent)
        if encoder.dim == 0:
            raise RoteError(
                f"behaviour cloning cannot encode {env.id} observations: no top-level number, "
                f"boolean or field with at most {MAX_CATEGORIES} string values"
            )
        return encoder

    def encode(self, observation: Observation) -> Vector:
        vector = np.zeros(self.dim, dtype=np.float32)
        for i, (name, mean, std) in enumerate(self.numeric):
            value = observation.get(name)
            vector[i] = (float(value) - mean) / std if _is_number(value) else 0.0
        offset = len(self.numeric)
        for name, categories in self.categorical:
            value = observation.get(name)
            if value in categories:
                vector[offset + categories.index(value)] = 1.0
            offset += len(categories)
        for name, known in self.recent:
            history = observation.get(name)
            last = history[-RECENT:][::-1] if isinstance(history, list) else []
            for back, entry in enumerate(last):
                if entry in known:
                    vector[offset + back * len(known) + known.index(entry)] = 1.0
            offset += RECENT * len(known)
        return vector

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "fields",
            "numeric": [list(field) for field in self.numeric],
            "categorical": [[name, values] for name, values in self.categorical],
            "recent": [[name, values] for name, values in self.recent],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        numeric = [(str(name), float(mean), float(std)) for name, mean, std in data["numeric"]]
        categorical = [(str(name), values) for name, values in data["categorical"]]
        recent = [(str(name), values) for name, values in data.get("recent", [])]
        return cls(numeric, categorical, recent)


class OvercookedEncoder(ObservationEncoder):
    """Overcooked in the spirit of Carroll et al. 2019's hand-made features, for each player
    (the predicted one first, then its partner): facing and held item one-hot, whether each
    neighbouring cell is blocked, the offset [dx, dy] to the nearest cell of each station and
    counter item kind (and whether there is one), the two nearest pots (offset, state one-hot,
    ingredients, cooking time), its position; then the partner's offset from the player. Nearest
    is by Manhattan distance, where Carroll et al. ask a motion planner. Fits nothing: the
    features are the same on every layout."""

    kind = "overcooked"
    targets = ("O", "D", "S", "empty", "onion", "dish", "soup")
    pot_features = 4 + 2 + 2 + 1

    def __init__(self) -> None:
        self.per_player = 4 + 5 + 4 + 3 * len(self.targets) + 2 * self.pot_features + 2
        self.dim = 2 * self.per_player + 2

    @classmethod
    def fit(cls, env: EnvSpec, observations: Sequence[Observation]) -> Self:
        return cls()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls()

    def encode(self, observation: Observation) -> Vector:
        kitchen = overcooked.parse(observation)
        me, partner = kitchen.me, kitchen.partner
        parts = [self._player(kitchen, me, partner), self._player(kitchen, partner, me)]
        parts.append(np.array(_offset(me.pos, partner.pos), dtype=np.float32))
        return np.concatenate(parts)

    def _player(
        self, kitchen: overcooked.Kitchen, who: overcooked.Player, other: overcooked.Player
    ) -> Vector:
        features: list[float] = [float(who.facing == d) for d in overcooked.MOVES]
        held = (None, *overcooked.ITEMS)
        features += [float(who.held == item) for item in held]
        for d in overcooked.MOVES:
            cell = step_cell(who.pos, d)
            features.append(float(kitchen.terrain(cell) != " " or cell == other.pos))
        for target in self.targets:
            if len(target) == 1:
                cells = kitchen.cells(target)
            else:
                cells = kitchen.counters(None if target == "empty" else target)
            nearest = min(cells, key=lambda cell: manhattan(cell, who.pos), default=None)
            features += [0.0, 0.0, 0.0] if nearest is None else [1.0, *_offset(who.pos, nearest)]
        pots = sorted(kitchen.all_pots(), key=lambda cell: manhattan(cell, who.pos))[:2]
        for i in range(2):
            if i >= len(pots):
                features += [0.0] * self.pot_features
                continue
            pot = kitchen.pots.get(pots[i], overcooked.Pot(pots[i]))
            states = (pot.count == 0, 0 < pot.count < overcooked.SOUP_SIZE, pot.cooking, pot.ready)
            features += [float(flag) for flag in states]
            features += [*_offset(who.pos, pot.pos)]
            features += [pot.count / overcooked.SOUP_SIZE, min(pot.cook_time, 20) / 20]
            features.append(1.0)
        features += [float(who.pos[0]), float(who.pos[1])]
        return np.array(features, dtype=np.float32)

    def to_json(self) -> dict[str, Any]:
        return {"kind": "overcooked"}


def _offset(origin: tuple[int, int], target: tuple[int, int]) -> list[float]:
    return [float(target[0] - origin[0]), float(target[1] - origin[1])]


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, bool | int | float) and math.isfinite(value)


def make_encoder(env: EnvSpec, observations: Sequence[Observation]) -> ObservationEncoder:
    """The encoder `env`'s family registered (the generic one if none), fitted on the
    training observations."""
    chosen = registration(env).encoder_class() or FieldEncoder
    return chosen.fit(env, observations)


def encoder_from_json(data: dict[str, Any]) -> ObservationEncoder:
    """Rebuild an encoder saved with `to_json`: the generic one or a registered family's."""
    kinds: dict[str, type[ObservationEncoder]] = {FieldEncoder.kind: FieldEncoder}
    for family in registrations():
        encoder = family.encoder_class()
        if encoder is not None:
            kinds[encoder.kind] = encoder
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in kinds:
        raise RoteError(f"unknown observation encoder {kind!r} in a behaviour cloning checkpoint")
    return kinds[kind].from_json(data)
